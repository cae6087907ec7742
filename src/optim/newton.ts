/**
 * Second-order optimizers. Both take their curvature oracle at construction
 * and follow the same contract as the first-order ones (pure init/step).
 * - `newtonCG`: truncated conjugate gradients on (H + λI)p = −g using only
 *   Hessian-vector products (Steihaug–Toint: stops at negative curvature or at
 *   the trust-region boundary ‖p‖ = Δ), for any number of parameters;
 * - `saddleFreeNewton`: p = −(|H| + λI)⁻¹g from a dense Hessian and its
 *   eigen-decomposition (Dauphin et al. 2014), for small problems.
 */
import * as E from 'fp-ts/lib/Either.js'
import { saddleFreeNewtonStep } from '../curvature/newton.js'
import type { Tensor } from '../tensor/Tensor.js'
import type { TensorTree } from '../tensor/Tree.js'
import type { Optimizer } from './Optimizer.js'
import { dot, fromVector, toVector } from './internal/vector.js'
import { NonFiniteGradientError } from './wrappers.js'

/** The Newton methods give up on a non-finite gradient or curvature the way `skipNonFinite` does, so the drivers stop with 'non-finite'. */
const nonFinite = (who: string, what: string, v: Float64Array): NonFiniteGradientError | undefined => {
  const i = v.findIndex((x) => !Number.isFinite(x))
  if (i < 0) return undefined
  const e = new NonFiniteGradientError(1, `[${i}]`, v[i])
  e.message = `${who}: the ${what} has ${v[i]} at flat index ${i}; no step taken`
  return e
}

/** τ ≥ 0 with ‖p + τd‖ = Δ. */
const toBoundary = (p: Float64Array, d: Float64Array, radius: number): number => {
  const a = dot(d, d)
  const b = 2 * dot(p, d)
  const c = dot(p, p) - radius * radius
  return (-b + Math.sqrt(Math.max(0, b * b - 4 * a * c))) / (2 * a)
}

const axpy = (p: Float64Array, tau: number, d: Float64Array): Float64Array => p.map((x, i) => x + tau * d[i])

// -------------------------------------------------------------------------------------
// Newton-CG
// -------------------------------------------------------------------------------------

/** The step count and what the last inner solve did. */
export interface NewtonCGState {
  /** Steps taken. */
  readonly count: number
  /** CG iterations (Hessian-vector products) of the last step; 0 before the first. */
  readonly iterations: number
  /**
   * Why the last solve stopped: the residual fell to tol·‖g‖, negative curvature
   * was met, the step reached the trust-region boundary, `maxIterations` ran
   * out, or g = 0 (no step; also the value before the first step).
   */
  readonly stop: 'converged' | 'negative-curvature' | 'boundary' | 'max-iterations' | 'zero-gradient'
}

/** Options of `newtonCG`. */
export interface NewtonCGOptions {
  /** Hessian-vector product at the parameters: `(params, v) → H(params)·v`, trees shaped like params. */
  readonly hvp: (params: TensorTree, v: TensorTree) => TensorTree
  /** λ in (H + λI). Default 0. */
  readonly damping?: number
  /** Trust-region radius Δ: the step never leaves ‖p‖ ≤ Δ. Default Infinity. */
  readonly radius?: number
  /** Default: the number of parameters (exact in exact arithmetic for λ = 0 and H ≻ 0). */
  readonly maxIterations?: number
  /** Stop when ‖residual‖ ≤ tol·‖g‖. Default 1e-10. */
  readonly tol?: number
  /** Multiplies the step. Default 1. */
  readonly lr?: number
}

/**
 * Newton-CG (Steihaug–Toint truncated CG): solves (H + λI)p = −g with
 * Hessian-vector products only; update = lr·p. On negative curvature dᵀ(H + λI)d ≤ 0
 * it goes to the trust-region boundary along d (or, with no radius, returns
 * the iterate so far — −g if it is the first direction). Defaults λ = 0,
 * Δ = ∞, tol = 1e-10, lr = 1. A non-finite gradient or Hessian-vector product
 * throws `NonFiniteGradientError` rather than spreading NaN over every coordinate.
 * @see saddleFreeNewton — the dense step that turns negative curvature into descent.
 */
export const newtonCG = (options: NewtonCGOptions): Optimizer<NewtonCGState> => {
  const { hvp, damping = 0, radius = Infinity, tol = 1e-10, lr = 1 } = options
  const solve = (grad: TensorTree, params: TensorTree): { p: Float64Array; iterations: number; stop: NewtonCGState['stop'] } => {
    const g = toVector(grad)
    const badGradient = nonFinite('newtonCG', 'gradient', g)
    if (badGradient !== undefined) throw badGradient
    const n = g.length
    const maxIterations = options.maxIterations ?? Math.max(1, n)
    const gNorm = Math.sqrt(dot(g, g))
    let p: Float64Array = new Float64Array(n)
    if (gNorm === 0) return { p, iterations: 0, stop: 'zero-gradient' }
    let r: Float64Array = Float64Array.from(g)
    let d: Float64Array = g.map((x) => -x)
    let rr = dot(r, r)
    for (let j = 0; j < maxIterations; j++) {
      const hd = toVector(hvp(params, fromVector(params, d)))
      for (let i = 0; i < n; i++) hd[i] += damping * d[i]
      const badProduct = nonFinite('newtonCG', 'Hessian-vector product', hd)
      if (badProduct !== undefined) throw badProduct
      const curvature = dot(d, hd)
      if (curvature <= 0) {
        if (Number.isFinite(radius)) return { p: axpy(p, toBoundary(p, d, radius), d), iterations: j + 1, stop: 'negative-curvature' }
        return { p: j === 0 ? d : p, iterations: j + 1, stop: 'negative-curvature' }
      }
      const alpha = rr / curvature
      const next = axpy(p, alpha, d)
      if (Number.isFinite(radius) && Math.sqrt(dot(next, next)) >= radius) {
        return { p: axpy(p, toBoundary(p, d, radius), d), iterations: j + 1, stop: 'boundary' }
      }
      p = next
      r = axpy(r, alpha, hd)
      const rrNext = dot(r, r)
      if (Math.sqrt(rrNext) <= tol * gNorm) return { p, iterations: j + 1, stop: 'converged' }
      const beta = rrNext / rr
      d = d.map((x, i) => -r[i] + beta * x)
      rr = rrNext
    }
    return { p, iterations: maxIterations, stop: 'max-iterations' }
  }
  return {
    init: () => ({ count: 0, iterations: 0, stop: 'zero-gradient' }),
    step: (state, grad, params) => {
      const { p, iterations, stop } = solve(grad, params)
      if (lr !== 1) for (let i = 0; i < p.length; i++) p[i] *= lr
      return [{ count: state.count + 1, iterations, stop }, fromVector(params, p)]
    }
  }
}

// -------------------------------------------------------------------------------------
// saddle-free Newton
// -------------------------------------------------------------------------------------

/** Options of `saddleFreeNewton`. */
export interface SaddleFreeNewtonOptions {
  /** The dense Hessian at the parameters, shape [n, n] with n the number of parameters (leaves in flatten order). */
  readonly hessian: (params: TensorTree) => Tensor
  /** λ in |λᵢ| + λ: bounds the step along flat directions. Default 1e-8. */
  readonly damping?: number
  /** Multiplies the step. Default 1. */
  readonly lr?: number
}

/**
 * Saddle-free Newton: update = −lr·(|H| + λI)⁻¹g with |H| = V|Λ|Vᵀ. Moves
 * downhill along every eigen-direction, so it leaves saddles where Newton is
 * drawn to them. Dense: O(n³) per step, for small problems. Defaults λ = 1e-8, lr = 1.
 * Throws `NonFiniteGradientError` on a non-finite gradient or Hessian (the drivers
 * stop with 'non-finite'), and an Error when the Hessian is not a symmetric [n, n]
 * matrix or |H| + λI is singular.
 * @see newtonCG, which needs only Hessian-vector products.
 */
export const saddleFreeNewton = (options: SaddleFreeNewtonOptions): Optimizer<{
  /** Steps taken. */
  readonly count: number
}> => {
  const { hessian, damping = 1e-8, lr = 1 } = options
  return {
    init: () => ({ count: 0 }),
    step: (state, grad, params) => {
      const g = toVector(grad)
      const badGradient = nonFinite('saddleFreeNewton', 'gradient', g)
      if (badGradient !== undefined) throw badGradient
      const h = hessian(params)
      const badHessian = nonFinite('saddleFreeNewton', 'Hessian', h.data)
      if (badHessian !== undefined) throw badHessian
      const result = saddleFreeNewtonStep(g, h, { damping })
      if (E.isLeft(result)) throw new Error(`saddleFreeNewton: ${result.left.message}`)
      const p = result.right
      if (lr !== 1) for (let i = 0; i < p.length; i++) p[i] *= lr
      return [{ count: state.count + 1 }, fromVector(params, p)]
    }
  }
}
