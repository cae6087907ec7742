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
  /** Milliseconds a batch should take (not quick). Default 10. */
  readonly batchMs?: number
}

/** An implementation timed elsewhere (another process): resolves to the milliseconds `calls` calls took. */
export interface RemoteImpl {
  readonly remote: (calls: number) => Promise<number>
}

/** A function to call here, or a peer that times its own batches. */
export type Impl = (() => unknown) | RemoteImpl

/**
 * Resolve once this process has gone quiet: when, over a window of `windowMs`,
 * all its threads together used less than a fifth of one core (or after
 * `maxMs`). A batch leaves work behind on V8's helper threads (the concurrent
 * sweeping of a garbage collection, the freeing of large arrays); waited out
 * after each batch, it lands on nobody else's. Measured on W5: without it, the
 * donated step's slowest batches were the ones right after the pure step's
 * collections (8–9 ms against 4.5). The batch's own time is taken before, so
 * the wait neither charges nor spares the implementation that left the work.
 */
export const settle = async (windowMs = 5, maxMs = 250): Promise<void> => {
  const start = performance.now()
  for (;;) {
    const before = process.cpuUsage()
    const t0 = performance.now()
    await new Promise((resolve) => setTimeout(resolve, windowMs))
    const used = process.cpuUsage(before)
    const wall = performance.now() - t0
    if ((used.user + used.system) / 1000 < 0.2 * wall || performance.now() - start > maxMs) return
  }
}

/** Milliseconds of `calls` calls of an implementation; a local one is then waited out (`settle`), a remote one waits itself. */
const runBatch = async (impl: Impl, calls: number): Promise<number> => {
  if (typeof impl !== 'function') return impl.remote(calls)
  const t0 = performance.now()
  for (let i = 0; i < calls; i++) impl()
  const ms = performance.now() - t0
  await settle()
  return ms
}

/**
 * Median time of one call of each implementation, in microseconds. Each is
 * warmed up and given a batch size that takes a few milliseconds; then the
 * batches run in interleaved rounds (a, b, c, a, b, c, …), so that every
 * implementation, the PyTorch peer in its own process included, sees the same
 * state of the machine.
 */
export const compare = async (impls: Readonly<Record<string, Impl>>, { quick, batchMs: longBatch = 10 }: MeasureOptions): Promise<Record<string, number>> => {
  const warmupMs = quick ? 20 : 500
  const batchMs = quick ? 2 : longBatch
  const rounds = quick ? 5 : 21
  const names = Object.keys(impls)
  const batch: Record<string, number> = {}
  for (const name of names) {
    let calls = 0
    let spent = 0
    let size = 1
    while (spent < warmupMs || calls < 3) {
      spent += await runBatch(impls[name], size)
      calls += size
      if (spent < warmupMs / 4) size *= 2
    }
    batch[name] = Math.max(1, Math.round(batchMs / (spent / calls)))
  }
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]))
  for (let r = 0; r < rounds; r++) {
    for (const name of names) times[name].push(((await runBatch(impls[name], batch[name])) * 1000) / batch[name])
  }
  return Object.fromEntries(names.map((n) => [n, median(times[n])]))
}

/** The median of a list of times. */
export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2
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
  if (!(d <= tol)) throw new Error(`${workload}: ${impl} disagrees with the handwritten peer (relative difference ${d}, tolerance ${tol})`)
}
