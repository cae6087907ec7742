/**
 * The bridge from the autodiff graph to the matrix-free curvature tools: the
 * Hessian-vector product oracle of a traced function at a point.
 */
import * as E from 'fp-ts/lib/Either.js'
import { GraphError, type Sym, type SymLike, hvp } from '../graph/index.js'
import { Tensor } from '../tensor/Tensor.js'
import { type CurvatureError, fail } from './CurvatureError.js'
import type { HessianVectorProduct } from './operator.js'

/**
 * The oracle v ↦ ∇²f(x)·v of `f` (written with graph ops, of one tensor) at
 * `x`, by the graph's `hvp` (forward-over-reverse, traced and compiled once),
 * with n = x.size; v is read in x's row-major order. One trial product checks
 * that f traces; an error is a `Left` with code 'bad-function'.
 *
 * @example lanczos(getOrThrow(hessianOperator(f, x)), x.size, { k: 5 })
 * @see lanczos, powerIteration, hutchinsonTrace, spectralDensity.
 */
export const hessianOperator = (f: (x: Sym) => SymLike, x: Tensor): E.Either<CurvatureError, HessianVectorProduct> => {
  const product = hvp(f) as unknown as (x: Tensor, v: Tensor) => Tensor
  const operator: HessianVectorProduct = (v) => product(x, Tensor.unsafeFromBuffer(x.shape, v)).data
  try {
    operator(new Float64Array(x.size))
  } catch (error) {
    if (error instanceof GraphError) return fail('bad-function', `hessianOperator: ${error.message}`)
    throw error
  }
  return E.right(operator)
}
