/** First index in `list` (sorted by `order`) whose entry does not sort before `item`: where `item` goes. */
export function lowerBound<T>(list: readonly T[], item: T, order: (a: T, b: T) => number): number {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (order(list[mid] as T, item) < 0) lo = mid + 1
    else hi = mid
  }
  return lo
}
