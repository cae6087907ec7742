/**
 * Small dense vector helpers on `Float64Array`, internal to the curvature
 * toolkit. Functions whose name ends in `InPlace` write their first argument,
 * which must be a buffer the caller owns (never a tensor's data).
 */
import { Tensor } from '../tensor/Tensor.js'
import { type TensorTree, flattenTensors, joinLeaves, leafOffsets, unflatten } from '../tensor/Tree.js'

/** Σ aᵢbᵢ. */
export const dot = (a: Float64Array, b: Float64Array): number => {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i] * b[i]
  return s
}

/** ‖a‖₂, scaled so that huge or tiny entries neither overflow nor underflow. */
export const norm = (a: Float64Array): number => {
  let scale = 0
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i]))
  if (scale === 0 || !Number.isFinite(scale)) return scale
  let s = 0
  for (let i = 0; i < a.length; i++) {
    const t = a[i] / scale
    s += t * t
  }
  return scale * Math.sqrt(s)
}

/** y ← y + αx. */
export const axpyInPlace = (y: Float64Array, alpha: number, x: Float64Array): void => {
  for (let i = 0; i < y.length; i++) y[i] += alpha * x[i]
}

/** y ← αy. */
export const scaleInPlace = (y: Float64Array, alpha: number): void => {
  for (let i = 0; i < y.length; i++) y[i] *= alpha
}

/** ‖a − λb‖₂ without allocating. */
export const residualNorm = (a: Float64Array, lambda: number, b: Float64Array): number => {
  let s = 0
  for (let i = 0; i < a.length; i++) {
    const t = a[i] - lambda * b[i]
    s += t * t
  }
  return Math.sqrt(s)
}

/**
 * Remove from `w` its components along the orthonormal `basis`, in two
 * passes of modified Gram–Schmidt ("twice is enough": Giraud, Langou and
 * Rozložník 2005), which keeps the basis orthogonal to working precision.
 */
export const orthogonaliseInPlace = (w: Float64Array, basis: readonly Float64Array[]): void => {
  for (let pass = 0; pass < 2; pass++) {
    for (const q of basis) axpyInPlace(w, -dot(q, w), q)
  }
}

/** True when every entry is a finite number. */
export const allFinite = (a: ArrayLike<number>): boolean => {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false
  return true
}

/**
 * √(a² + b²) without overflow or underflow; V8's variadic `Math.hypot` costs
 * far more than this in the inner loop of the QR iteration.
 */
export const hypot2 = (a: number, b: number): number => {
  const x = Math.abs(a)
  const y = Math.abs(b)
  const big = x > y ? x : y
  if (big === 0 || big === Infinity) return big
  const small = x > y ? y : x
  const r = small / big
  return big * Math.sqrt(1 + r * r)
}

/**
 * Remove from `w` its components along the orthonormal `basis` by one pass of
 * classical Gram–Schmidt, repeated only when the pass cancelled most of `w`
 * (its norm fell below 1/√2 of what it was: the criterion of Daniel, Gragg,
 * Kaufman & Stewart 1976, as in ARPACK). Returns the final norm of `w`.
 */
export const reorthogonaliseInPlace = (w: Float64Array, basis: readonly Float64Array[]): number => {
  const coefficients = new Float64Array(basis.length)
  let before = norm(w)
  for (let pass = 0; pass < 3; pass++) {
    // Classical Gram–Schmidt: all projections from the same w (reads the basis once, in order).
    for (let i = 0; i < basis.length; i++) coefficients[i] = dot(basis[i], w)
    for (let i = 0; i < basis.length; i++) axpyInPlace(w, -coefficients[i], basis[i])
    const after = norm(w)
    if (after > Math.SQRT1_2 * before) return after
    before = after
  }
  return before
}

// -------------------------------------------------------------------------------------
// trees as vectors
// -------------------------------------------------------------------------------------

/** Where each leaf of a parameter tree sits in the vector of all its numbers (flatten order, row-major). */
export interface LeafLayout {
  /** The leaf's path in the tree (`''` for a lone tensor). */
  readonly path: string
  /** The leaf's shape. */
  readonly shape: readonly number[]
  /** The index of its first number in the vector. */
  readonly offset: number
}

/** The layout of a tree's leaves laid end to end. */
export const layoutOf = (tree: TensorTree): readonly LeafLayout[] => {
  const flat = flattenTensors(tree)
  const offsets = leafOffsets(flat)
  return flat.leaves.map((l, i) => ({ path: flat.paths[i], shape: l.shape, offset: offsets[i] }))
}

export { joinLeaves }

/** A vector cut into a tree shaped like `like` (the inverse of `joinLeaves`). */
export const splitLike = (like: TensorTree, v: Float64Array): TensorTree => {
  const flat = flattenTensors(like)
  let offset = 0
  return unflatten(
    flat.structure,
    flat.leaves.map((l) => {
      const t = Tensor.unsafeFromBuffer(l.shape, v.slice(offset, offset + l.size))
      offset += l.size
      return t
    })
  )
}
