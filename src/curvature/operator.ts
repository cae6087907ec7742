/**
 * A symmetric linear operator known only through its products: the
 * Hessian-vector product oracle v ↦ H·v that every matrix-free method here
 * (Lanczos, power iteration, Hutchinson, spectral density) consumes.
 */
import * as E from 'fp-ts/lib/Either.js'
import { showShape } from '../tensor/Shape.js'
import type { Tensor } from '../tensor/Tensor.js'
import { type CurvatureError, fail } from './CurvatureError.js'
import { allFinite } from './vector.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * v ↦ H·v for a symmetric n×n matrix H. It must return a new array of length
 * n (or one it will never write again) and must not write `v`.
 */
export type HessianVectorProduct = (v: Float64Array) => Float64Array

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * The operator v ↦ A·v of a dense square matrix (a tensor of shape [n, n]),
 * for tests and for small problems whose Hessian is already formed.
 */
export const denseOperator = (matrix: Tensor): E.Either<CurvatureError, HessianVectorProduct> => {
  if (matrix.rank !== 2 || matrix.shape[0] !== matrix.shape[1]) {
    return fail('not-square', `denseOperator: expected a square matrix of shape [n,n], got shape ${showShape(matrix.shape)}`)
  }
  const n = matrix.shape[0]
  const a = matrix.data
  return E.right((v: Float64Array): Float64Array => {
    const out = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      let s = 0
      const offset = i * n
      for (let j = 0; j < n; j++) s += a[offset + j] * v[j]
      out[i] = s
    }
    return out
  })
}

/**
 * The operator v ↦ diag(d)·v, whose eigenvalues are exactly the entries of
 * `d` (with the standard basis as eigenvectors): a test matrix with a known
 * spectrum at O(n) cost per product.
 */
export const diagonalOperator = (d: ArrayLike<number>): HessianVectorProduct => {
  const diagonal = Float64Array.from(d)
  return (v) => {
    const out = new Float64Array(diagonal.length)
    for (let i = 0; i < out.length; i++) out[i] = diagonal[i] * v[i]
    return out
  }
}

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

/** Thrown inside an algorithm when the oracle misbehaves; turned into a `Left` at the boundary. */
export class OracleFailure extends Error {}

/** Wrap an oracle so that a wrong length or a non-finite entry stops the algorithm with a message naming both. */
export const checkedOperator = (where: string, hvp: HessianVectorProduct, n: number): HessianVectorProduct => {
  let calls = 0
  return (v) => {
    calls++
    const out = hvp(v)
    if (out === null || typeof out !== 'object' || typeof (out as ArrayLike<number>).length !== 'number') {
      throw new OracleFailure(`${where}: the Hessian-vector product returned ${String(out)} on call ${calls}, expected a Float64Array of length ${n}`)
    }
    if (out.length !== n) {
      throw new OracleFailure(`${where}: the Hessian-vector product returned ${out.length} values on call ${calls}, expected ${n}`)
    }
    if (!allFinite(out)) {
      throw new OracleFailure(`${where}: the Hessian-vector product returned a non-finite value on call ${calls}`)
    }
    return out
  }
}

/** Run an algorithm that may throw {@link OracleFailure}, returning its failure as a `Left`. */
export const catchOracleFailure = <A>(run: () => E.Either<CurvatureError, A>): E.Either<CurvatureError, A> => {
  try {
    return run()
  } catch (error) {
    if (error instanceof OracleFailure) return fail('bad-oracle', error.message)
    throw error
  }
}

/** Check the dimension n of an operator: an integer ≥ 1. */
export const checkDimension = (where: string, n: number): E.Either<CurvatureError, number> =>
  Number.isInteger(n) && n >= 1 ? E.right(n) : fail('bad-dimension', `${where}: dimension n must be an integer ≥ 1, got ${n}`)
