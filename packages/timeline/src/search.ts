// Binary search over the index columns (docs/timeline-format.md §5.10). The comparison counter
// lets a test check O(log n) without timing; it is internal (not exported from index.ts).

export const searchStats = { comparisons: 0 };

/** Index of the last element ≤ x in the ascending arr[0, n), or −1 when arr[0] > x. */
export function lastAtOrBefore(arr: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  // Invariant: arr[i] ≤ x for i < lo, arr[i] > x for i ≥ hi.
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    searchStats.comparisons++;
    if (arr[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}
