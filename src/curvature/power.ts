/**
 * Power iteration with deflation: the k eigenpairs of largest |λ| of a
 * symmetric operator, one after another. Simpler than Lanczos and much slower
 * when |λ₂/λ₁| is close to 1; kept as an independent cross-check and because
 * "n power iterations from a fixed start" is a common benchmark recipe.
 */
import * as E from 'fp-ts/lib/Either.js'
import { random } from '../tensor/Random.js'
import { type CurvatureError, checkNumberOption, getOrThrow } from './CurvatureError.js'
import { canonicalSignInPlace } from './eigen.js'
import { startVector } from './lanczos.js'
import { type HessianVectorProduct, catchOracleFailure, checkDimension, checkedOperator } from './operator.js'
import { dot, norm, orthogonaliseInPlace, residualNorm, scaleInPlace } from './vector.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Options of {@link powerIteration}. */
export interface PowerIterationOptions {
  /** How many eigenpairs (of largest |λ|). Default 1. */
  readonly k?: number
  /** At most this many products per eigenpair. Default 1000. */
  readonly maxIterations?: number
  /**
   * Stop an eigenpair when ‖Hv − λv‖ ≤ tol·max(|λ|, |λ₁|). Default 1e-8.
   * With tol = 0 it runs exactly `maxIterations` products.
   */
  readonly tol?: number
  /** Seed of the random start vectors. Default 0. */
  readonly seed?: number
  /** Start vector of the first eigenpair instead of a random one (not written). */
  readonly start?: Float64Array
}

/** One eigenpair found by {@link powerIteration}. */
export interface PowerEigenpair {
  /** The Rayleigh quotient vᵀHv of the last iterate. */
  readonly value: number
  /** The last iterate, a unit vector (sign as in {@link SymmetricEigen}). */
  readonly vector: Float64Array
  /**
   * ‖P(Hv) − λv‖ of the last iterate, with P the projection away from the
   * pairs found before (the residual of the deflated operator). The residual
   * for H itself exceeds it by at most the residuals of those earlier pairs.
   */
  readonly residual: number
  /** Products used for this pair. */
  readonly iterations: number
  /** Whether the residual fell to tol·max(|λ|, |λ₁|) within `maxIterations`; if not, the pair is only the last iterate. */
  readonly converged: boolean
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The k eigenpairs of largest |λ| by power iteration with deflation.
 *
 * Iteration: w = H·v, λ = vᵀw, stop if ‖w − λv‖ ≤ tol·scale, else v ← w/‖w‖.
 * Each product is therefore also the convergence test: no extra products.
 * Deflation by projection: the iterate for pair j is kept orthogonal to the
 * pairs already found, which for symmetric H equals Hotelling's deflation
 * H − Σ λᵢuᵢuᵢᵀ and is more stable. It stops on the residual: on a symmetric
 * saddle (eigenvalues ±λ, equal magnitude) the iterate oscillates, λ stays
 * near 0, and the pair is reported as not converged instead of as λ ≈ 0.
 *
 * Defaults: k = 1, maxIterations = 1000, tol = 1e-8, seed = 0.
 *
 * @see lanczos, which needs far fewer products for the same accuracy.
 */
export const powerIteration = (
  hvp: HessianVectorProduct,
  n: number,
  options: PowerIterationOptions = {}
): E.Either<CurvatureError, readonly PowerEigenpair[]> => {
  const where = 'powerIteration'
  const dim = checkDimension(where, n)
  if (E.isLeft(dim)) return dim
  const k = checkNumberOption(where, 'k', options.k ?? 1, { min: 1, max: n, integer: true })
  if (E.isLeft(k)) return k
  const maxIterations = checkNumberOption(where, 'maxIterations', options.maxIterations ?? 1000, { min: 1, integer: true })
  if (E.isLeft(maxIterations)) return maxIterations
  const tol = checkNumberOption(where, 'tol', options.tol ?? 1e-8, { min: 0 })
  if (E.isLeft(tol)) return tol
  const seed = options.seed ?? 0
  const first = startVector(where, n, options.start, seed)
  if (E.isLeft(first)) return first
  const op = checkedOperator(where, hvp, n)
  const fresh = random(seed + 0x27d4eb2f)

  return catchOracleFailure(() => {
    const found: PowerEigenpair[] = []
    const foundVectors: Float64Array[] = []
    let scale = 0
    for (let j = 0; j < k.right; j++) {
      let v = j === 0 ? first.right : Float64Array.from(fresh.normal([n]).data)
      orthogonaliseInPlace(v, foundVectors)
      scaleInPlace(v, 1 / norm(v))
      let pair: PowerEigenpair | undefined
      for (let it = 1; it <= maxIterations.right; it++) {
        const w = Float64Array.from(op(v))
        orthogonaliseInPlace(w, foundVectors)
        const lambda = dot(v, w)
        const residual = residualNorm(w, lambda, v)
        const converged = residual <= tol.right * Math.max(Math.abs(lambda), scale)
        if (converged || it === maxIterations.right) {
          const vector = Float64Array.from(v)
          canonicalSignInPlace(vector)
          pair = { value: lambda, vector, residual, iterations: it, converged }
          break
        }
        const size = norm(w)
        // H·v = 0 exactly would have converged above (residual 0), so size > 0 here.
        scaleInPlace(w, 1 / size)
        v = w
      }
      const done = pair as PowerEigenpair
      found.push(done)
      foundVectors.push(done.vector)
      if (j === 0) scale = Math.abs(done.value)
    }
    return E.right(found)
  })
}

/** The throwing form of {@link powerIteration}. */
export const unsafePowerIteration = (
  hvp: HessianVectorProduct,
  n: number,
  options: PowerIterationOptions = {}
): readonly PowerEigenpair[] => getOrThrow(powerIteration(hvp, n, options))
