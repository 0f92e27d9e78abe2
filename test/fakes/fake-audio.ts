// Real-looking audio for the TTS fakes: a structurally valid OGG/Opus file (OpusHead and
// OpusTags pages, then audio pages of silent Opus frames, each page with its correct CRC) and an
// MP3 with an ID3 tag, so code that sniffs containers or hands bytes to Telegram sees real shapes.

const OGG_CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let index = 0; index < 256; index += 1) {
    let crc = index << 24;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
    table[index] = crc >>> 0;
  }
  return table;
})();

function oggCrc(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) ^ OGG_CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  return crc;
}

function oggPage(packets: Uint8Array[], options: { headerType: number; granule: bigint; serial: number; sequence: number }): Uint8Array {
  // Lacing: each packet is cut into 255-byte segments and ends with one shorter than 255.
  const segments: number[] = [];
  for (const packet of packets) {
    let remaining = packet.length;
    while (remaining >= 255) {
      segments.push(255);
      remaining -= 255;
    }
    segments.push(remaining);
  }
  const packet = new Uint8Array(packets.reduce((sum, item) => sum + item.length, 0));
  let at = 0;
  for (const item of packets) {
    packet.set(item, at);
    at += item.length;
  }
  const page = new Uint8Array(27 + segments.length + packet.length);
  const view = new DataView(page.buffer);
  page.set([0x4f, 0x67, 0x67, 0x53], 0); // "OggS"
  page[4] = 0; // version
  page[5] = options.headerType;
  view.setBigUint64(6, options.granule, true);
  view.setUint32(14, options.serial, true);
  view.setUint32(18, options.sequence, true);
  view.setUint32(22, 0, true); // CRC, filled below
  page[26] = segments.length;
  page.set(segments, 27);
  page.set(packet, 27 + segments.length);
  view.setUint32(22, oggCrc(page), true);
  return page;
}

/** An OGG/Opus voice note of `frames` 20 ms silent frames (mono, 48 kHz). */
export function oggOpusBytes(frames = 25): Uint8Array {
  const encoder = new TextEncoder();
  const head = new Uint8Array(19);
  head.set(encoder.encode("OpusHead"), 0);
  const headView = new DataView(head.buffer);
  head[8] = 1; // version
  head[9] = 1; // channels
  headView.setUint16(10, 312, true); // pre-skip
  headView.setUint32(12, 48_000, true); // input sample rate
  headView.setInt16(16, 0, true); // output gain
  head[18] = 0; // channel mapping family

  const vendor = encoder.encode("switchboard-fake-tts");
  const tags = new Uint8Array(8 + 4 + vendor.length + 4);
  tags.set(encoder.encode("OpusTags"), 0);
  new DataView(tags.buffer).setUint32(8, vendor.length, true);
  tags.set(vendor, 12);

  // One Opus packet per frame: TOC 0xF8 (CELT, 20 ms, mono, one frame) followed by silence.
  const audio = Array.from({ length: frames }, () => Uint8Array.from([0xf8, 0xff, 0xfe]));

  const serial = 0x5b0a12d;
  const pages = [
    oggPage([head], { headerType: 0x02, granule: 0n, serial, sequence: 0 }),
    oggPage([tags], { headerType: 0x00, granule: 0n, serial, sequence: 1 }),
    oggPage(audio, { headerType: 0x04, granule: BigInt(frames * 960), serial, sequence: 2 }),
  ];
  const total = pages.reduce((sum, page) => sum + page.length, 0);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const page of pages) {
    bytes.set(page, offset);
    offset += page.length;
  }
  return bytes;
}

/** An MP3 that starts like real ones: an ID3v2 tag, then MPEG-1 Layer III frame headers. */
export function mp3Bytes(frames = 4): Uint8Array {
  const tag = [0x49, 0x44, 0x33, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
  const frame = new Array<number>(417).fill(0);
  frame.splice(0, 4, 0xff, 0xfb, 0x90, 0x64);
  return Uint8Array.from([...tag, ...Array.from({ length: frames }, () => frame).flat()]);
}
