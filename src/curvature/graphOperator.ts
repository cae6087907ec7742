/**
 * The bridge from the autodiff graph to the matrix-free curvature tools: the
 * Hessian-vector product oracle of a traced function at a point.
 */
import * as E from 'fp-ts/lib/Either.js'
import { type Concrete, GraphError, type Sym, type SymLike, hvp } from '../graph/index.js'
import { Tensor } from '../tensor/Tensor.js'
import type { TensorTree } from '../tensor/Tree.js'
import { type CurvatureError, fail } from './CurvatureError.js'
import type { HessianVectorProduct } from './operator.js'
import { joinLeaves, splitLike } from './vector.js'

/**
 * The oracle v ↦ ∇²f(x)·v of `f` (written with graph ops) at `x`, by the
 * graph's `hvp` (forward-over-reverse, traced and compiled once). `x` is one
 * tensor (v is read in its row-major order, n = x.size) or a tree of tensors
 * (v holds every leaf end to end in flatten order, n the total size; see
 * `layoutOf`). One trial product checks that f traces; an error is a `Left`
 * with code 'bad-function'.
 *
 * @example lanczos(getOrThrow(hessianOperator(f, x)), x.size, { k: 5 })
 * @see lanczos, powerIteration, hutchinsonTrace, spectralDensity.
 */
export function hessianOperator(f: (x: Sym) => SymLike, x: Tensor): E.Either<CurvatureError, HessianVectorProduct>
export function hessianOperator<P>(f: (x: P) => SymLike, x: Concrete<P>): E.Either<CurvatureError, HessianVectorProduct>
export function hessianOperator(f: (x: never) => SymLike, x: TensorTree): E.Either<CurvatureError, HessianVectorProduct> {
  const product = hvp(f as never) as unknown as (x: TensorTree, v: TensorTree) => TensorTree
  const operator: HessianVectorProduct =
    x instanceof Tensor
      ? (v) => (product(x, Tensor.unsafeFromBuffer(x.shape, v)) as Tensor).data
      : (v) => joinLeaves(product(x, splitLike(x, v)))
  try {
    operator(new Float64Array(x instanceof Tensor ? x.size : joinLeaves(x).length))
  } catch (error) {
    if (error instanceof GraphError) return fail('bad-function', `hessianOperator: ${error.message}`)
    throw error
  }
  return E.right(operator)
}
