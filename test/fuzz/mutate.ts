// Seeded mutations of real payload samples: the same seed gives the same cases, so a failure
// names its seed and case and can be replayed.

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;

const ODD_VALUES: readonly unknown[] = [
  null, true, false, 0, -1, 1e308, -0, "", " ", "0", "-1", "null", "\u0000", "\u202e\u200b", "😀".repeat(50),
  "x".repeat(5000), [], {}, [[[[]]]], { "__proto__": { polluted: true } }, "<@U0000000>", "@bot", "/new@bot",
  "1712345678.123456", 9007199254740993, "NaN",
];

/** Replaces, removes or adds one value somewhere in the JSON tree. */
function mutateTree(value: unknown, rng: Rng, depth = 0): unknown {
  if (Array.isArray(value)) {
    if (value.length === 0 || rng() < 0.15) return rng() < 0.5 ? [...value, pick(rng, ODD_VALUES)] : pick(rng, ODD_VALUES);
    const copy = [...value];
    const index = Math.floor(rng() * copy.length);
    copy[index] = mutateTree(copy[index], rng, depth + 1);
    return copy;
  }
  if (value && typeof value === "object") {
    const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(copy);
    const roll = rng();
    if (keys.length === 0 || roll < 0.1) copy[pick(rng, ["type", "text", "id", "extra", "event", "message"])] = pick(rng, ODD_VALUES);
    else if (roll < 0.25) delete copy[pick(rng, keys)];
    else {
      const key = pick(rng, keys);
      copy[key] = depth > 12 ? pick(rng, ODD_VALUES) : mutateTree(copy[key], rng, depth + 1);
    }
    return copy;
  }
  if (typeof value === "string" && rng() < 0.5) return rng() < 0.5 ? value + pick(rng, ["\u0000", "😀", " ", "\n/new"]) : value.slice(0, Math.floor(rng() * value.length));
  return pick(rng, ODD_VALUES);
}

/** One fuzzed body: a mutated sample (mostly), or bytes that are not JSON at all. */
export function fuzzBody(sample: unknown, rng: Rng): string {
  const roll = rng();
  if (roll < 0.05) return "";
  if (roll < 0.1) return JSON.stringify(sample).slice(0, Math.floor(rng() * JSON.stringify(sample).length));
  if (roll < 0.13) return pick(rng, ["null", "[]", "42", '"text"', "{", "{}}", "\u0000\u0001", "<html>502</html>"]);
  let body = sample;
  const rounds = 1 + Math.floor(rng() * 4);
  for (let i = 0; i < rounds; i++) body = mutateTree(body, rng);
  return JSON.stringify(body);
}
