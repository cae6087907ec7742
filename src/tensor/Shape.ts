/**
 * Shapes of n-d tensors: sizes, row-major strides and NumPy broadcasting.
 * A shape is a readonly array of non-negative integers; `[]` is a scalar.
 */

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The size along each axis, outermost first: `[rows, columns]`; `[]` is a scalar. */
export type Shape = readonly number[]

// -------------------------------------------------------------------------------------
// utilities
// -------------------------------------------------------------------------------------

/** Number of elements of a tensor of this shape (1 for a scalar). */
export const sizeOf = (shape: Shape): number => {
  let n = 1
  for (const d of shape) n *= d
  return n
}

/** Row-major strides: the flat distance between neighbours along each axis. */
export const stridesOf = (shape: Shape): number[] => {
  const strides = new Array<number>(shape.length)
  let s = 1
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = s
    s *= shape[d]
  }
  return strides
}

/** Whether two shapes have the same rank and the same size on every axis. */
export const shapeEquals = (a: Shape, b: Shape): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i])

/** `[2,3]` style text, used in every error message about shapes. */
export const showShape = (shape: Shape): string => `[${shape.join(',')}]`

/**
 * The NumPy broadcast of two shapes, or `undefined` when they do not broadcast:
 * align on the right; each pair of sizes must be equal or contain a 1.
 */
export const broadcastShapes = (a: Shape, b: Shape): Shape | undefined => {
  const rank = Math.max(a.length, b.length)
  const out = new Array<number>(rank)
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)]
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)]
    if (da === db || db === 1) out[i] = da
    else if (da === 1) out[i] = db
    else return undefined
  }
  return out
}

/** Whether a value is a shape: an array of non-negative integers. */
export const isValidShape = (shape: unknown): shape is Shape =>
  Array.isArray(shape) && shape.every((d) => Number.isInteger(d) && d >= 0)

/** Normalise an axis that may be negative (−1 is the last axis); `undefined` when out of range. */
export const normaliseAxis = (axis: number, rank: number): number | undefined =>
  Number.isInteger(axis) && axis >= -rank && axis < rank ? (axis < 0 ? axis + rank : axis) : undefined
