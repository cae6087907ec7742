/**
 * Spectral density by stochastic Lanczos quadrature (Golub & Meurant 1994;
 * Ubaru, Chen & Saad 2017; Ghorbani, Krishnan & Xiao 2019 for neural-network
 * Hessians): for a unit probe v, m Lanczos steps from v give the Gauss
 * quadrature vᵀf(H)v ≈ Σₖ τₖ²·f(θₖ), exact for polynomials of degree < 2m,
 * with θₖ the Ritz values and τₖ the first components of the eigenvectors of
 * Tₘ. Averaged over random probes this estimates tr f(H)/n, i.e. the
 * spectral density (1/n)·Σᵢ δ(t − λᵢ) as a weighted set of nodes.
 */
import * as E from 'fp-ts/lib/Either.js'
import { random } from '../tensor/Random.js'
import { type CurvatureError, checkNumberOption, getOrThrow } from './CurvatureError.js'
import { lanczosStep, tridiagonalEigen } from './lanczos.js'
import { type HessianVectorProduct, catchOracleFailure, checkDimension, checkedOperator } from './operator.js'
import { scaleInPlace } from './vector.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Options of {@link spectralDensity}. */
export interface SpectralDensityOptions {
  /** Lanczos steps per probe (capped at n; fewer if the Krylov space closes). Default min(n, 30). */
  readonly steps?: number
  /** Number of Rademacher probes. Default 10. */
  readonly probes?: number
  /** Seed of the probes. Default 0. */
  readonly seed?: number
}

/** A spectral density as weighted nodes: density(t) ≈ Σₖ weights[k]·δ(t − nodes[k]). */
export interface SpectralDensity {
  /** Ritz values of every probe, ascending. */
  readonly nodes: Float64Array
  /** Their quadrature weights τₖ²/probes; they sum to 1. */
  readonly weights: Float64Array
  /** The dimension n of the operator, so that tr f(H) ≈ n·Σ wₖ f(θₖ). */
  readonly dimension: number
  /** The number of probes averaged. */
  readonly probes: number
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The spectral density of a symmetric operator by stochastic Lanczos
 * quadrature: `probes` Rademacher vectors z/√n, each run through `steps`
 * Lanczos steps with full reorthogonalisation; node θₖ of probe p gets
 * weight τₖ²/probes. Costs probes·steps products.
 * Defaults: steps = min(n, 30), probes = 10, seed = 0.
 *
 * @see smoothDensity to plot it, traceOf for tr f(H) (f = identity: Hutchinson's estimate with the same probes).
 */
export const spectralDensity = (
  hvp: HessianVectorProduct,
  n: number,
  options: SpectralDensityOptions = {}
): E.Either<CurvatureError, SpectralDensity> => {
  const where = 'spectralDensity'
  const dim = checkDimension(where, n)
  if (E.isLeft(dim)) return dim
  const steps = checkNumberOption(where, 'steps', options.steps ?? Math.min(n, 30), { min: 1, integer: true })
  if (E.isLeft(steps)) return steps
  const probes = checkNumberOption(where, 'probes', options.probes ?? 10, { min: 1, integer: true })
  if (E.isLeft(probes)) return probes
  const op = checkedOperator(where, hvp, n)
  const rng = random(options.seed ?? 0)
  const maxSteps = Math.min(steps.right, n)

  return catchOracleFailure(() => {
    const nodes: number[] = []
    const weights: number[] = []
    for (let p = 0; p < probes.right; p++) {
      const v = Float64Array.from(rng.rademacher([n]).data)
      scaleInPlace(v, 1 / Math.sqrt(n))
      const basis: Float64Array[] = [v]
      const alpha: number[] = []
      const beta: number[] = []
      let normEstimate = 0
      for (let m = 1; ; m++) {
        const step = lanczosStep(op, basis, beta.length > 0 ? beta[beta.length - 1] : 0)
        alpha.push(step.alpha)
        normEstimate = Math.max(normEstimate, step.productNorm)
        // Stop at the step budget, or when the Krylov space is invariant (the quadrature is then exact).
        if (m === maxSteps || step.beta <= 1e-12 * normEstimate) break
        scaleInPlace(step.next, 1 / step.beta)
        basis.push(step.next)
        beta.push(step.beta)
      }
      const t = tridiagonalEigen(alpha, beta, alpha.length, [0])
      for (let i = 0; i < t.values.length; i++) {
        nodes.push(t.values[i])
        weights.push(t.rows[0][i] ** 2 / probes.right)
      }
    }
    const order = nodes.map((_, i) => i).sort((i, j) => nodes[i] - nodes[j])
    return E.right({
      nodes: Float64Array.from(order, (i) => nodes[i]),
      weights: Float64Array.from(order, (i) => weights[i]),
      dimension: n,
      probes: probes.right
    })
  })
}

/** The throwing form of {@link spectralDensity}. */
export const unsafeSpectralDensity = (
  hvp: HessianVectorProduct,
  n: number,
  options: SpectralDensityOptions = {}
): SpectralDensity => getOrThrow(spectralDensity(hvp, n, options))

// -------------------------------------------------------------------------------------
// operations
// -------------------------------------------------------------------------------------

/**
 * The density smoothed by a Gaussian of width σ, on a grid:
 * φ(t) = Σₖ wₖ·exp(−(t − θₖ)²/2σ²)/(σ√2π), which integrates to 1.
 */
export const smoothDensity = (density: SpectralDensity, grid: ArrayLike<number>, sigma: number): Float64Array => {
  const out = new Float64Array(grid.length)
  const norm = 1 / (sigma * Math.sqrt(2 * Math.PI))
  for (let g = 0; g < grid.length; g++) {
    let s = 0
    for (let k = 0; k < density.nodes.length; k++) s += density.weights[k] * Math.exp(-((grid[g] - density.nodes[k]) ** 2) / (2 * sigma * sigma))
    out[g] = s * norm
  }
  return out
}

/**
 * The estimate tr f(H) ≈ n·Σₖ wₖ·f(θₖ); for example f = Math.log gives
 * log det H of a positive definite H, f = identity the trace.
 */
export const traceOf = (density: SpectralDensity, f: (lambda: number) => number): number => {
  let s = 0
  for (let k = 0; k < density.nodes.length; k++) s += density.weights[k] * f(density.nodes[k])
  return density.dimension * s
}
