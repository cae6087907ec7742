/**
 * Dense symmetric eigen-decomposition: A = V Λ Vᵀ with Λ ascending and V
 * orthonormal, by Householder reduction to tridiagonal form followed by
 * implicit QR steps with Wilkinson shifts (Golub & Van Loan, "Matrix
 * Computations", 4th ed., §8.3). Cost about 9n³ flops with vectors; the
 * residual ‖Av − λv‖ is a small multiple of machine epsilon times ‖A‖.
 * Inputs are never written: the work happens on copies.
 */
import * as E from 'fp-ts/lib/Either.js'
import { showShape } from '../tensor/Shape.js'
import { Tensor } from '../tensor/Tensor.js'
import { type CurvatureError, checkNumberOption, fail, getOrThrow } from './CurvatureError.js'
import { hypot2 } from './vector.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The eigen-decomposition of a symmetric matrix. */
export interface SymmetricEigen {
  /** The eigenvalues, ascending. */
  readonly values: Float64Array
  /**
   * `vectors[i]` is the unit eigenvector of `values[i]`; together they are
   * orthonormal. Sign convention, so that output is deterministic: the first
   * component whose magnitude is within a factor 1 − 1e-6 of the largest is
   * positive.
   */
  readonly vectors: readonly Float64Array[]
}

/** Options of {@link symmetricEigen}. */
export interface SymmetricEigenOptions {
  /**
   * Largest accepted asymmetry max |aᵢⱼ − aⱼᵢ|, relative to max |aᵢⱼ|.
   * Default 1e-8, which lets through the rounding of a Hessian computed by
   * automatic differentiation; the matrix used is then (A + Aᵀ)/2.
   */
  readonly symmetryTol?: number
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric matrix
 * given as a tensor of shape [n, n].
 *
 * Rejects (with a message naming the entry) a tensor that is not square, has a
 * non-finite entry, or is not symmetric to within `symmetryTol` (default 1e-8
 * relative to the largest entry).
 *
 * @example symmetricEigen(tensor([[2, 1], [1, 2]])) // Right({ values: [1, 3], vectors: [[0.7071, -0.7071], [0.7071, 0.7071]] })
 * @see symmetricEigenOfArray for a row-major buffer, unsafeSymmetricEigen for the throwing form.
 */
export const symmetricEigen = (
  matrix: Tensor,
  options: SymmetricEigenOptions = {}
): E.Either<CurvatureError, SymmetricEigen> => {
  if (matrix.rank !== 2 || matrix.shape[0] !== matrix.shape[1]) {
    return fail('not-square', `symmetricEigen: expected a square matrix of shape [n,n], got shape ${showShape(matrix.shape)}`)
  }
  return symmetricEigenOfArray(matrix.data, matrix.shape[0], options)
}

/**
 * Eigenvalues (ascending) and orthonormal eigenvectors of the symmetric n×n
 * matrix stored row-major in `data` (which is only read).
 *
 * @see symmetricEigen for the same on a tensor.
 */
export const symmetricEigenOfArray = (
  data: ArrayLike<number>,
  n: number,
  options: SymmetricEigenOptions = {}
): E.Either<CurvatureError, SymmetricEigen> => {
  const where = 'symmetricEigen'
  if (!Number.isInteger(n) || n < 0) return fail('bad-dimension', `${where}: dimension n must be a non-negative integer, got ${n}`)
  if (data.length !== n * n) {
    return fail('not-square', `${where}: a ${n}×${n} matrix needs ${n * n} entries, got ${data.length}`)
  }
  const tol = checkNumberOption(where, 'symmetryTol', options.symmetryTol ?? 1e-8, { min: 0 })
  if (E.isLeft(tol)) return tol
  let largest = 0
  for (let i = 0; i < n * n; i++) {
    const x = data[i]
    if (!Number.isFinite(x)) {
      return fail('not-finite', `${where}: entry [${Math.floor(i / n)},${i % n}] is ${x}; every entry must be finite`)
    }
    largest = Math.max(largest, Math.abs(x))
  }
  const a = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const upper = data[i * n + j]
      const lower = data[j * n + i]
      if (Math.abs(upper - lower) > tol.right * largest) {
        return fail(
          'not-symmetric',
          `${where}: matrix is not symmetric: entry [${i},${j}] = ${upper} but [${j},${i}] = ${lower} ` +
            `(difference ${Math.abs(upper - lower)} exceeds symmetryTol ${tol.right} × largest entry ${largest})`
        )
      }
      const mean = (upper + lower) / 2
      a[i * n + j] = mean
      a[j * n + i] = mean
    }
  }
  return decompose(a, n)
}

/**
 * The throwing form of {@link symmetricEigen}: throws an `Error` with the same
 * message where that returns a `Left`.
 */
export const unsafeSymmetricEigen = (matrix: Tensor, options: SymmetricEigenOptions = {}): SymmetricEigen =>
  getOrThrow(symmetricEigen(matrix, options))

// -------------------------------------------------------------------------------------
// operations
// -------------------------------------------------------------------------------------

/**
 * The matrix V·diag(f(λ))·Vᵀ, the function f applied to a symmetric matrix
 * through its eigen-decomposition, as a tensor of shape [n, n].
 *
 * @example mapEigenvalues(eig, Math.abs) // |A|, as used by the saddle-free Newton step
 * @see reconstruct, the case f = identity.
 */
export const mapEigenvalues = (eig: SymmetricEigen, f: (lambda: number, index: number) => number): Tensor => {
  const n = eig.values.length
  const out = new Float64Array(n * n)
  for (let k = 0; k < n; k++) {
    const fk = f(eig.values[k], k)
    const v = eig.vectors[k]
    for (let i = 0; i < n; i++) {
      const fvi = fk * v[i]
      if (fvi === 0) continue
      for (let j = 0; j < n; j++) out[i * n + j] += fvi * v[j]
    }
  }
  return Tensor.unsafeFromBuffer([n, n], out)
}

/** The matrix V·Λ·Vᵀ rebuilt from its decomposition (shape [n, n]). */
export const reconstruct = (eig: SymmetricEigen): Tensor => mapEigenvalues(eig, (lambda) => lambda)

// -------------------------------------------------------------------------------------
// utilities (also used by Lanczos)
// -------------------------------------------------------------------------------------

/**
 * Diagonalise the symmetric tridiagonal matrix T with diagonal `d` (length m)
 * and off-diagonal `e` (e[i] = T[i, i+1], length ≥ m − 1) by implicit QR
 * steps with Wilkinson shifts, in place: on return `d` holds the eigenvalues
 * (unsorted) and `e` is destroyed.
 *
 * Each Givens rotation G (on columns k, k+1) is also applied to every row in
 * `rows`: if `rows` are the rows of Q, they end as the rows of Q·Z where
 * T = Z·diag(d)·Zᵀ. Pass the rows of the identity to get Z itself, or only
 * its last (or first) row to get the components Lanczos needs at O(m) cost per
 * rotation.
 *
 * @returns false if some eigenvalue failed to converge in 30·m QR steps.
 */
export const tridiagonalQRInPlace = (d: Float64Array, e: Float64Array, rows: readonly Float64Array[]): boolean => {
  const m = d.length
  const eps = Number.EPSILON
  const negligible = (i: number): boolean => {
    const a = Math.abs(e[i])
    return a <= eps * (Math.abs(d[i]) + Math.abs(d[i + 1])) || a < MIN_NORMAL
  }
  let hi = m - 1
  let steps = 0
  while (hi > 0) {
    if (negligible(hi - 1)) {
      e[hi - 1] = 0
      hi--
      continue
    }
    // The unreduced block [lo, hi]: every off-diagonal inside it is significant.
    let lo = hi - 1
    while (lo > 0 && !negligible(lo - 1)) lo--
    if (lo > 0) e[lo - 1] = 0
    if (++steps > 30 * m) return false

    // Wilkinson's shift: the eigenvalue of the trailing 2×2 block nearer to its last entry.
    const delta = (d[hi - 1] - d[hi]) / 2
    const b = e[hi - 1]
    const r = hypot2(delta, b)
    const mu = d[hi] - b * (b / (delta + (delta >= 0 ? r : -r)))

    // Chase the bulge from the top of the block to the bottom.
    let x = d[lo] - mu
    let z = e[lo]
    for (let k = lo; k < hi; k++) {
      const rho = hypot2(x, z)
      const c = rho === 0 ? 1 : x / rho
      const s = rho === 0 ? 0 : z / rho
      if (k > lo) e[k - 1] = rho
      const ak = d[k]
      const bk = e[k]
      const ck = d[k + 1]
      d[k] = c * c * ak + 2 * c * s * bk + s * s * ck
      d[k + 1] = s * s * ak - 2 * c * s * bk + c * c * ck
      e[k] = c * s * (ck - ak) + (c * c - s * s) * bk
      if (k < hi - 1) {
        z = s * e[k + 1]
        e[k + 1] = c * e[k + 1]
        x = e[k]
      }
      for (const row of rows) {
        const p = row[k]
        const q = row[k + 1]
        row[k] = c * p + s * q
        row[k + 1] = c * q - s * p
      }
    }
  }
  return true
}

/**
 * Make a vector's sign deterministic, in place: the first component whose
 * magnitude is within a factor 1 − 1e-6 of the largest becomes positive (the
 * tolerance keeps the choice stable when two components tie up to rounding).
 */
export const canonicalSignInPlace = (v: Float64Array): void => {
  let largest = 0
  for (let i = 0; i < v.length; i++) largest = Math.max(largest, Math.abs(v[i]))
  for (let i = 0; i < v.length; i++) {
    if (Math.abs(v[i]) >= largest * (1 - 1e-6)) {
      if (v[i] < 0) for (let j = 0; j < v.length; j++) v[j] = -v[j]
      return
    }
  }
}

// -------------------------------------------------------------------------------------
// internal
// -------------------------------------------------------------------------------------

/** The smallest positive normal double: below it an off-diagonal is rounding noise whatever the diagonal. */
const MIN_NORMAL = 2.2250738585072014e-308

/** Decompose the symmetric matrix `a` (row-major, owned: it is overwritten). */
const decompose = (a: Float64Array, n: number): E.Either<CurvatureError, SymmetricEigen> => {
  if (n === 2) return E.right(decompose2(a[0], a[1], a[3]))
  const q = householderTridiagonaliseInPlace(a, n)
  const d = new Float64Array(n)
  const e = new Float64Array(Math.max(n, 1))
  for (let i = 0; i < n; i++) d[i] = a[i * n + i]
  for (let i = 0; i + 1 < n; i++) e[i] = a[i * n + i + 1]
  if (!tridiagonalQRInPlace(d, e, q)) {
    return fail('no-convergence', `symmetricEigen: the QR iteration did not converge in ${30 * n} steps (n = ${n})`)
  }
  const order = ascendingOrder(d)
  const values = new Float64Array(n)
  const vectors: Float64Array[] = []
  for (let k = 0; k < n; k++) {
    const j = order[k]
    values[k] = d[j]
    const v = new Float64Array(n)
    for (let i = 0; i < n; i++) v[i] = q[i][j]
    canonicalSignInPlace(v)
    vectors.push(v)
  }
  return E.right({ values, vectors })
}

/**
 * The 2×2 case [[a, b], [b, c]] by one exact Jacobi rotation (Golub & Van
 * Loan, Algorithm 8.5.1): t = tan θ is the smaller root of t² + 2τt − 1 = 0,
 * τ = (c − a)/2b, giving eigenvalues a − tb and c + tb with eigenvectors
 * (cos θ, −sin θ) and (sin θ, cos θ); the smaller-magnitude eigenvalue is
 * then recomputed as det/(the larger), which avoids the cancellation in
 * a − tb (at Rosenbrock's minimum: 0.39936076748763305, correct to the last digit).
 */
const decompose2 = (a: number, b: number, c: number): SymmetricEigen => {
  let cs = 1
  let sn = 0
  let first = a
  let second = c
  if (b !== 0) {
    const tau = (c - a) / (2 * b)
    const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + hypot2(1, tau))
    cs = 1 / hypot2(1, t)
    sn = t * cs
    first = a - t * b
    second = c + t * b
    // The eigenvalue of smaller magnitude again as det/(the larger one): a − tb cancels when |λ₁| ≪ |λ₂|.
    // Scaled by a power of 2 (exact) so that the products neither overflow nor underflow (|λ|max ≥ the largest entry).
    const scale = 2 ** Math.floor(Math.log2(Math.max(Math.abs(a), Math.abs(b), Math.abs(c))))
    const det = (a / scale) * (c / scale) - (b / scale) * (b / scale)
    if (Math.abs(first) < Math.abs(second)) first = det * scale * (scale / second)
    else second = det * scale * (scale / first)
  }
  const u = Float64Array.of(cs, -sn)
  const w = Float64Array.of(sn, cs)
  canonicalSignInPlace(u)
  canonicalSignInPlace(w)
  return first <= second ? { values: Float64Array.of(first, second), vectors: [u, w] } : { values: Float64Array.of(second, first), vectors: [w, u] }
}

/** Indices that sort `d` ascending (insertion sort: n is small, or the QR iteration dominates anyway). */
const ascendingOrder = (d: Float64Array): number[] => {
  const order: number[] = []
  for (let i = 0; i < d.length; i++) {
    let k = i
    while (k > 0 && d[order[k - 1]] > d[i]) k--
    order.splice(k, 0, i)
  }
  return order
}

/**
 * Reduce the symmetric matrix `a` (row-major, overwritten) to tridiagonal form
 * T = Qᵀ·A·Q by n − 2 Householder reflections P = I − β·v·vᵀ, each chosen to
 * zero a column below the sub-diagonal, and return the rows of Q = P₁⋯Pₙ₋₂.
 */
const householderTridiagonaliseInPlace = (a: Float64Array, n: number): Float64Array[] => {
  const q = Array.from({ length: n }, (_, i) => {
    const row = new Float64Array(n)
    row[i] = 1
    return row
  })
  const v = new Float64Array(n)
  const p = new Float64Array(n)
  for (let k = 0; k + 2 < n; k++) {
    // x = A[k+1.., k]; reflect it onto α·e₁ with α = −sign(x₀)·‖x‖ (no cancellation in v₀).
    const m = n - k - 1
    let scale = 0
    for (let i = 0; i < m; i++) scale = Math.max(scale, Math.abs(a[(k + 1 + i) * n + k]))
    if (scale === 0) continue
    // Work with x/scale so that squares neither overflow nor underflow; v may have any length.
    let sumSquares = 0
    for (let i = 0; i < m; i++) {
      v[i] = a[(k + 1 + i) * n + k] / scale
      sumSquares += v[i] * v[i]
    }
    const unitAlpha = (v[0] > 0 ? -1 : 1) * Math.sqrt(sumSquares)
    const alpha = unitAlpha * scale
    v[0] -= unitAlpha
    let vv = 0
    for (let i = 0; i < m; i++) vv += v[i] * v[i]
    if (vv === 0) continue
    const beta = 2 / vv

    // A₂₂ ← P·A₂₂·P = A₂₂ − v·wᵀ − w·vᵀ with p = β·A₂₂·v, w = p − (β·vᵀp/2)·v.
    let vp = 0
    for (let i = 0; i < m; i++) {
      let s = 0
      const rowOffset = (k + 1 + i) * n + k + 1
      for (let j = 0; j < m; j++) s += a[rowOffset + j] * v[j]
      p[i] = beta * s
      vp += v[i] * p[i]
    }
    const half = (beta * vp) / 2
    for (let i = 0; i < m; i++) p[i] -= half * v[i]
    for (let i = 0; i < m; i++) {
      const rowOffset = (k + 1 + i) * n + k + 1
      for (let j = 0; j < m; j++) a[rowOffset + j] -= v[i] * p[j] + p[i] * v[j]
    }
    a[(k + 1) * n + k] = alpha
    a[k * n + k + 1] = alpha
    for (let i = 1; i < m; i++) {
      a[(k + 1 + i) * n + k] = 0
      a[k * n + k + 1 + i] = 0
    }

    // Q ← Q·P: each row r of Q becomes r − β·(r·v)·vᵀ on columns k+1...
    for (const row of q) {
      let s = 0
      for (let j = 0; j < m; j++) s += row[k + 1 + j] * v[j]
      if (s === 0) continue
      s *= beta
      for (let j = 0; j < m; j++) row[k + 1 + j] -= s * v[j]
    }
  }
  return q
}
