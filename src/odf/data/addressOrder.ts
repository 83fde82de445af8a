/**
 * Orders the indexes `0..count-1` by `address[i]` ascending (ties by index), into `out`, using
 * `keys` as scratch (both at least `count` long); returns `out.subarray(0, count)`.
 *
 * The strings of one DuckDB vector lie close together in memory, so an index fits beside the
 * address delta in one exact float key and a native numeric sort does the work (no comparator
 * calls, which cost more than the hashing of a chunk's strings); addresses spread too wide for
 * exact keys fall back to a comparator sort.
 */
export function orderByAddress(
  address: Float64Array,
  count: number,
  out: Uint32Array,
  keys: Float64Array,
): Uint32Array {
  if (out.length < count || keys.length < count || address.length < count) {
    throw new RangeError(`orderByAddress: scratch arrays shorter than count ${count}`);
  }
  const indexes = out.subarray(0, count);
  if (count === 0) return indexes;
  let min = address[0]!;
  let max = min;
  for (let i = 1; i < count; i++) {
    const a = address[i]!;
    if (a < min) min = a;
    else if (a > max) max = a;
  }
  const scale = 2 ** Math.ceil(Math.log2(count + 1));
  if ((max - min + 1) * scale > Number.MAX_SAFE_INTEGER) {
    for (let i = 0; i < count; i++) indexes[i] = i;
    return indexes.sort((a, b) => address[a]! - address[b]! || a - b);
  }
  const sorted = keys.subarray(0, count);
  for (let i = 0; i < count; i++) sorted[i] = (address[i]! - min) * scale + i;
  sorted.sort();
  for (let i = 0; i < count; i++) indexes[i] = sorted[i]! % scale;
  return indexes;
}
