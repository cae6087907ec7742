/**
 * Second-order steps from a gradient g and a Hessian H = V·Λ·Vᵀ:
 * Newton's step −H⁻¹g, which jumps to the critical point of the quadratic
 * model (a maximum or a saddle as readily as a minimum), and the saddle-free
 * Newton step −|H|⁻¹g with |H| = V·|Λ|·Vᵀ (Dauphin et al. 2014, "Identifying
 * and attacking the saddle point problem"), which descends along every
 * eigen-direction and so moves away from saddles instead of towards them.
 */
import * as E from 'fp-ts/lib/Either.js'
import { Tensor } from '../tensor/Tensor.js'
import { type CurvatureError, checkNumberOption, fail, getOrThrow } from './CurvatureError.js'
import { type SymmetricEigen, symmetricEigen } from './eigen.js'
import { allFinite, dot } from './vector.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Options of the Newton steps. */
export interface NewtonOptions {
  /**
   * H counts as singular when min|λ| ≤ singularTol·max|λ| (after damping).
   * Default 1e-12.
   */
  readonly singularTol?: number
  /**
   * Saddle-free step only: divide by |λ| + damping instead of |λ|, which
   * bounds the step along nearly flat directions. Default 0.
   */
  readonly damping?: number
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Newton's step p = −H⁻¹·g = −Σᵢ (vᵢᵀg/λᵢ)·vᵢ, computed through the
 * eigen-decomposition of H (a tensor with n² entries, [n, n] or
 * [...shape, ...shape]). Fails with code 'singular' when some |λ| is at most
 * singularTol (default 1e-12) times the largest.
 *
 * @example newtonStep([1, 2], tensor([[2, 0], [0, 4]])) // Right([-0.5, -0.5])
 * @see saddleFreeNewtonStep, defined for indefinite H and (with damping) singular H.
 */
export const newtonStep = (
  gradient: ArrayLike<number> | Tensor,
  hessian: Tensor,
  options: NewtonOptions = {}
): E.Either<CurvatureError, Float64Array> => secondOrderStep('newtonStep', gradient, hessian, options, false)

/**
 * The saddle-free Newton step p = −|H|⁻¹·g = −Σᵢ (vᵢᵀg/(|λᵢ| + damping))·vᵢ.
 * Along a direction of negative curvature it moves downhill (where Newton
 * moves uphill, towards the saddle). Defaults: damping = 0, singularTol = 1e-12.
 *
 * @see newtonStep, equal to this one when H is positive definite and damping = 0.
 */
export const saddleFreeNewtonStep = (
  gradient: ArrayLike<number> | Tensor,
  hessian: Tensor,
  options: NewtonOptions = {}
): E.Either<CurvatureError, Float64Array> => secondOrderStep('saddleFreeNewtonStep', gradient, hessian, options, true)

/** The throwing form of {@link newtonStep}. */
export const unsafeNewtonStep = (gradient: ArrayLike<number> | Tensor, hessian: Tensor, options: NewtonOptions = {}): Float64Array =>
  getOrThrow(newtonStep(gradient, hessian, options))

/** The throwing form of {@link saddleFreeNewtonStep}. */
export const unsafeSaddleFreeNewtonStep = (
  gradient: ArrayLike<number> | Tensor,
  hessian: Tensor,
  options: NewtonOptions = {}
): Float64Array => getOrThrow(saddleFreeNewtonStep(gradient, hessian, options))

/**
 * The step −Σᵢ (vᵢᵀg/h(λᵢ))·vᵢ from an eigen-decomposition already at hand,
 * with h(λ) = λ (Newton) or |λ| + damping (saddle-free). `where` names the
 * caller in the error message.
 */
export const stepFromEigen = (
  where: string,
  eig: SymmetricEigen,
  gradient: Float64Array,
  saddleFree: boolean,
  { singularTol = 1e-12, damping = 0 }: NewtonOptions = {}
): E.Either<CurvatureError, Float64Array> => {
  const n = gradient.length
  const scales = Array.from(eig.values, (lambda) => (saddleFree ? Math.abs(lambda) + damping : lambda))
  let largest = 0
  let smallest = Infinity
  let smallestAt = -1
  for (let i = 0; i < n; i++) {
    largest = Math.max(largest, Math.abs(scales[i]))
    if (Math.abs(scales[i]) < smallest) {
      smallest = Math.abs(scales[i])
      smallestAt = i
    }
  }
  if (n > 0 && smallest <= singularTol * largest) {
    const what = saddleFree ? (damping > 0 ? '|H| + damping·I' : '|H|') : 'H'
    const hint = saddleFree ? 'increase damping' : 'saddleFreeNewtonStep with damping > 0 is defined'
    return fail(
      'singular',
      `${where}: the Hessian is singular: eigenvalue ${eig.values[smallestAt]} of ${what} is within ${singularTol} × ` +
        `the largest (${largest}), so the step is undefined; ${hint}`
    )
  }
  const step = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    const v = eig.vectors[i]
    const coefficient = -dot(v, gradient) / scales[i]
    for (let j = 0; j < n; j++) step[j] += coefficient * v[j]
  }
  return E.right(step)
}

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

const secondOrderStep = (
  where: string,
  gradient: ArrayLike<number> | Tensor,
  hessian: Tensor,
  options: NewtonOptions,
  saddleFree: boolean
): E.Either<CurvatureError, Float64Array> => {
  const g = Float64Array.from(gradient instanceof Tensor ? gradient.data : gradient)
  const n = g.length
  if (!allFinite(g)) return fail('not-finite', `${where}: the gradient has a non-finite entry`)
  if (hessian.size !== n * n) {
    return fail('bad-dimension', `${where}: a gradient of ${n} entries needs a Hessian of ${n}×${n} = ${n * n} entries, got ${hessian.size}`)
  }
  const singularTol = checkNumberOption(where, 'singularTol', options.singularTol ?? 1e-12, { min: 0 })
  if (E.isLeft(singularTol)) return singularTol
  const damping = checkNumberOption(where, 'damping', options.damping ?? 0, { min: 0 })
  if (E.isLeft(damping)) return damping
  const square = Tensor.unsafeFromBuffer([n, n], hessian.data)
  const eig = symmetricEigen(square)
  if (E.isLeft(eig)) return fail(eig.left.code, eig.left.message.replace('symmetricEigen', `${where} (Hessian)`))
  return stepFromEigen(where, eig.right, g, saddleFree, { singularTol: singularTol.right, damping: damping.right })
}
