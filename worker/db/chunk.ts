// D1 allows at most 100 bound parameters per query: large writes are split into chunks.

export const D1_MAX_PARAMS = 100;

/** Splits `items` into groups small enough for a query with `paramsPerItem` parameters each. */
export function chunkForD1<T>(items: T[], paramsPerItem: number): T[][] {
  const size = Math.max(1, Math.floor(D1_MAX_PARAMS / paramsPerItem));
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
