/**
 * Hutchinson's trace estimator: for random z with E[zzᵀ] = I,
 * E[zᵀHz] = tr(H). With Rademacher probes (entries ±1) its variance per probe
 * is 2·Σ_{i≠j} Hᵢⱼ², the smallest of any i.i.d. probe distribution
 * (Hutchinson 1990; Avron & Toledo 2011).
 */
import * as E from 'fp-ts/lib/Either.js'
import { random } from '../tensor/Random.js'
import { type CurvatureError, checkNumberOption, getOrThrow } from './CurvatureError.js'
import { type HessianVectorProduct, catchOracleFailure, checkDimension, checkedOperator } from './operator.js'
import { dot } from './vector.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Options of {@link hutchinsonTrace}. */
export interface HutchinsonOptions {
  /** Number of probes (products with H), at least 2. Default 100. */
  readonly samples?: number
  /** Seed of the probes. Default 0. */
  readonly seed?: number
}

/** A trace estimate with its uncertainty. */
export interface TraceEstimate {
  /** The mean of zᵀHz over the probes. */
  readonly estimate: number
  /** The standard error of that mean: the sample standard deviation / √samples. */
  readonly standardError: number
  /** The number of probes m. */
  readonly samples: number
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Estimate tr(H) from `samples` products with Rademacher probes:
 * estimate = (1/m)·Σ zₖᵀHzₖ, standardError = s/√m with s the sample standard
 * deviation (m − 1 in the denominator). Exact, with zero error, when H is
 * diagonal. Defaults: samples = 100, seed = 0.
 *
 * @see spectralDensity, whose Ritz weights reproduce the same estimate as Σ wθ·n.
 */
export const hutchinsonTrace = (
  hvp: HessianVectorProduct,
  n: number,
  options: HutchinsonOptions = {}
): E.Either<CurvatureError, TraceEstimate> => {
  const where = 'hutchinsonTrace'
  const dim = checkDimension(where, n)
  if (E.isLeft(dim)) return dim
  const samples = checkNumberOption(where, 'samples', options.samples ?? 100, { min: 2, integer: true })
  if (E.isLeft(samples)) return samples
  const op = checkedOperator(where, hvp, n)
  const rng = random(options.seed ?? 0)
  return catchOracleFailure(() => {
    const m = samples.right
    // Welford's running mean and sum of squared deviations.
    let mean = 0
    let squares = 0
    for (let k = 1; k <= m; k++) {
      const z = Float64Array.from(rng.rademacher([n]).data)
      const x = dot(z, op(z))
      const delta = x - mean
      mean += delta / k
      squares += delta * (x - mean)
    }
    return E.right({ estimate: mean, standardError: Math.sqrt(squares / (m - 1) / m), samples: m })
  })
}

/** The throwing form of {@link hutchinsonTrace}. */
export const unsafeHutchinsonTrace = (hvp: HessianVectorProduct, n: number, options: HutchinsonOptions = {}): TraceEstimate =>
  getOrThrow(hutchinsonTrace(hvp, n, options))
