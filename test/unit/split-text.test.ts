import { describe, expect, it } from "vitest";
import { splitText } from "../../worker/core/split-text";

describe("splitText", () => {
  it("keeps short text whole", () => {
    expect(splitText("hello", 4096)).toEqual(["hello"]);
  });

  it("splits at the limit, preferring paragraph and word breaks, losing no words", () => {
    const words = Array.from({ length: 2000 }, (_, i) => `word${i}`);
    const text = `${words.slice(0, 500).join(" ")}\n\n${words.slice(500).join(" ")}`;
    const chunks = splitText(text, 4096);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(4096);
    expect(chunks[0]!.endsWith("word499")).toBe(true);
    expect(chunks.join(" ").split(/\s+/)).toEqual(words);
  });

  it("cuts text without spaces at the limit and never splits a surrogate pair", () => {
    const text = "a".repeat(4095) + "😀" + "b".repeat(10);
    const chunks = splitText(text, 4096);
    expect(chunks[0]).toBe("a".repeat(4095));
    expect(chunks[1]!.startsWith("😀")).toBe(true);
    expect(chunks.join("")).toBe(text);
  });
});
