/**
 * The exponentially weighted moving average on its own, for any series of
 * numbers (losses, timings, a coordinate of a trajectory) — the same rule the
 * `withEwma` stage applies to each element of the direction.
 *
 *   vₜ = β·vₜ₋₁ + (1 − β)·xₜ,  v₀ = 0,  so  vₜ = (1 − β) Σₖ₌₁ᵗ βᵗ⁻ᵏ xₖ.
 *
 * The weights (1 − β)βᵗ⁻ᵏ sum to 1 − βᵗ, not 1: early averages are pulled
 * towards the zero start (the bias). Dividing by 1 − βᵗ (bias correction)
 * makes them a true weighted mean — a constant series then averages to itself.
 * The effective window is 1/(1 − β) samples: the weights' mean age is
 * β/(1 − β), and the samples older than 1/(1 − β) carry only β^(1/(1−β)) ≈ 1/e
 * of the weight (β = 0.9: about 10 samples; β = 0.999: about 1000).
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The running average and the number of samples seen. */
export interface EwmaSeriesState {
  /** vₜ, the raw average (not bias corrected; see `ewmaValue`). */
  readonly average: number
  /** t, the samples seen. */
  readonly count: number
}

/** No samples yet. */
export const emptyEwma: EwmaSeriesState = { average: 0, count: 0 }

// -------------------------------------------------------------------------------------
// operations
// -------------------------------------------------------------------------------------

/** One sample in: `v ← βv + (1 − β)x`. */
export const ewmaUpdate = (beta: number, state: EwmaSeriesState, x: number): EwmaSeriesState => ({
  average: beta * state.average + (1 - beta) * x,
  count: state.count + 1
})

/** The total weight of the samples after t of them: `1 − βᵗ` (the bias factor). */
export const ewmaTotalWeight = (beta: number, count: number): number => 1 - Math.pow(beta, count)

/**
 * The average, raw or bias corrected (`v / (1 − βᵗ)`; NaN before any sample).
 * Default debias = true.
 */
export const ewmaValue = (beta: number, state: EwmaSeriesState, debias = true): number =>
  debias ? state.average / ewmaTotalWeight(beta, state.count) : state.average

/** The effective window `1 / (1 − β)`, in samples. */
export const effectiveWindow = (beta: number): number => 1 / (1 - beta)

/** The β whose effective window is `samples`: `1 − 1/samples`. */
export const betaForWindow = (samples: number): number => 1 - 1 / samples

/**
 * The running averages of a whole series (element t is the average after
 * t + 1 samples). Default debias = true.
 * Example: `ewmaSeries([1, 1, 1], 0.9)` is `[1, 1, 1]`; raw it is `[0.1, 0.19, 0.271]`.
 */
export const ewmaSeries = (series: readonly number[], beta: number, debias = true): number[] => {
  const out: number[] = []
  let state = emptyEwma
  for (const x of series) {
    state = ewmaUpdate(beta, state, x)
    out.push(ewmaValue(beta, state, debias))
  }
  return out
}
