// A QR code drawn in the page as SVG from its text (the QR payload a provider's library hands
// out), encoded here: nothing is fetched, so the page keeps its strict CSP and works offline.
import { create } from "qrcode/lib/core/qrcode.js";

/** One path of all dark modules, inside a 4-module quiet zone. */
export function qrPath(text: string): { size: number; d: string } {
  const { modules } = create(text, { errorCorrectionLevel: "L" });
  let d = "";
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) if (modules.get(row, col)) d += `M${col + 4} ${row + 4}h1v1h-1z`;
  }
  return { size: modules.size + 8, d };
}

export function QrCode({ text, label, pixels = 264 }: { text: string; label: string; pixels?: number }) {
  const { size, d } = qrPath(text);
  return (
    <svg class="qr-code" role="img" aria-label={label} width={pixels} height={pixels} viewBox={`0 0 ${size} ${size}`} shape-rendering="crispEdges" data-qr={text}>
      <rect width={size} height={size} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
