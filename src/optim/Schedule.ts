/**
 * Schedules: a value (a learning rate, a momentum) as a function of the step
 * count, the number of steps already taken (0 at the first step). Pure
 * functions, so a schedule can be shared and re-evaluated at any count.
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A value as a function of the step count `t = 0, 1, 2, …`. */
export type Schedule = (count: number) => number

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** `value` at every step. */
export const constant = (value: number): Schedule => () => value

/**
 * Exponential decay: `init · rate^(t / steps)`; with `staircase`, the exponent
 * is `⌊t / steps⌋`. Defaults: steps = 1, staircase = false.
 * @see stepDecay — the staircase form with `rate = gamma`, `steps = stepSize`.
 */
export const exponentialDecay = (options: {
  readonly init: number
  readonly rate: number
  readonly steps?: number
  readonly staircase?: boolean
}): Schedule => {
  const { init, rate, steps = 1, staircase = false } = options
  return (t) => init * Math.pow(rate, staircase ? Math.floor(t / steps) : t / steps)
}

/**
 * Step decay (PyTorch's `StepLR`): `init · gamma^⌊t / stepSize⌋`.
 * Default gamma = 0.1.
 */
export const stepDecay = (options: { readonly init: number; readonly stepSize: number; readonly gamma?: number }): Schedule => {
  const { init, stepSize, gamma = 0.1 } = options
  return (t) => init * Math.pow(gamma, Math.floor(t / stepSize))
}

/**
 * Cosine decay (Loshchilov & Hutter, without restarts; Optax's `cosine_decay_schedule`):
 * `init · ((1 − α) · ½(1 + cos(π · min(t, T) / T)) + α)` with T = `decaySteps`.
 * Default alpha = 0 (decays to zero at t = T and stays there).
 */
export const cosineDecay = (options: { readonly init: number; readonly decaySteps: number; readonly alpha?: number }): Schedule => {
  const { init, decaySteps, alpha = 0 } = options
  return (t) => {
    const cosine = 0.5 * (1 + Math.cos((Math.PI * Math.min(t, decaySteps)) / decaySteps))
    return init * ((1 - alpha) * cosine + alpha)
  }
}

/**
 * Linear warm-up from `from` to `to` over `steps` steps, then `to`:
 * `from + (to − from) · min(t, steps) / steps`. Default from = 0.
 */
export const linearWarmup = (options: { readonly to: number; readonly steps: number; readonly from?: number }): Schedule => {
  const { to, steps, from = 0 } = options
  return (t) => (steps <= 0 ? to : from + ((to - from) * Math.min(t, steps)) / steps)
}

/**
 * Piecewise constant: `values[k]` where k is the number of `boundaries` ≤ t
 * (`boundaries` ascending, `values.length = boundaries.length + 1`).
 */
export const piecewiseConstant = (options: { readonly boundaries: readonly number[]; readonly values: readonly number[] }): Schedule => {
  const { boundaries, values } = options
  if (values.length !== boundaries.length + 1) {
    throw new RangeError(`piecewiseConstant: needs ${boundaries.length + 1} values for ${boundaries.length} boundaries, got ${values.length}`)
  }
  return (t) => {
    let k = 0
    while (k < boundaries.length && boundaries[k] <= t) k++
    return values[k]
  }
}

// -------------------------------------------------------------------------------------
// combinators
// -------------------------------------------------------------------------------------

/**
 * Join schedules at boundaries (Optax's `join_schedules`): before
 * `boundaries[0]` run `schedules[0]`; from `boundaries[k−1]` on run
 * `schedules[k]` at the count since that boundary, `t − boundaries[k−1]`.
 * Example: warm-up then cosine: `join([linearWarmup({to: 1e-3, steps: 100}), cosineDecay({init: 1e-3, decaySteps: 900})], [100])`.
 */
export const join = (schedules: readonly Schedule[], boundaries: readonly number[]): Schedule => {
  if (schedules.length !== boundaries.length + 1) {
    throw new RangeError(`join: needs ${boundaries.length + 1} schedules for ${boundaries.length} boundaries, got ${schedules.length}`)
  }
  return (t) => {
    let k = 0
    while (k < boundaries.length && boundaries[k] <= t) k++
    return schedules[k](k === 0 ? t : t - boundaries[k - 1])
  }
}
