/**
 * The measuring part of the benchmarks: warm up, pick a batch size that
 * takes a few milliseconds, time repeated batches, report the median per call.
 */

export interface Row {
  readonly workload: string
  readonly impl: string
  readonly median: number
  readonly unit: 'us' | 'ms'
}

export interface MeasureOptions {
  /** Fewer, shorter batches: for a smoke run in CI. */
  readonly quick: boolean
}

/** Median time of one call of `fn`, in microseconds. */
export const measure = (fn: () => unknown, { quick }: MeasureOptions): number => {
  const warmupMs = quick ? 20 : 300
  const batchMs = quick ? 2 : 10
  const batches = quick ? 5 : 21
  let calls = 0
  const start = performance.now()
  while (performance.now() - start < warmupMs || calls < 3) {
    fn()
    calls++
  }
  const perCall = (performance.now() - start) / calls
  const batch = Math.max(1, Math.round(batchMs / perCall))
  const times: number[] = []
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now()
    for (let i = 0; i < batch; i++) fn()
    times.push(((performance.now() - t0) * 1000) / batch)
  }
  times.sort((x, y) => x - y)
  return times[Math.floor(times.length / 2)]
}

/** Largest relative difference between two arrays (scaled by the larger magnitude). */
export const relativeDifference = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  if (a.length !== b.length) return Infinity
  let scale = 0
  let diff = 0
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(a[i]), Math.abs(b[i]))
    diff = Math.max(diff, Math.abs(a[i] - b[i]))
  }
  return scale === 0 ? diff : diff / scale
}

/** Throw unless `got` matches the handwritten reference: a wrong answer has no time. */
export const crossCheck = (workload: string, impl: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void => {
  const d = relativeDifference(got, want)
  if (!(d <= tol)) throw new Error(`${workload}: ${impl} disagrees with handwritten (relative difference ${d}, tolerance ${tol})`)
}
