/**
 * Approximate equality of numbers, tensors and trees of tensors. Floats never
 * satisfy algebra exactly, so every law compares through one of these, and a
 * failed comparison explains itself: the path, the two values, the allowance.
 */
import { type Tensor, formatNumber } from '../src/tensor/Tensor.js'
import { showShape } from '../src/tensor/Shape.js'
import { type TensorTree, flattenTensors, showStructure } from '../src/tensor/Tree.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Relative and absolute tolerance of a comparison. */
export interface Tolerance {
  /** Relative tolerance, scaled by max(|a|, |b|); ≥ 0 (`approxEq`'s default 1e-9, `identical`'s 0). */
  readonly rtol: number
  /** Absolute tolerance, added to the relative one; ≥ 0 (`approxEq`'s default 1e-12, `identical`'s 0). */
  readonly atol: number
}

/** Anything `approxEq` can compare: a number, a tensor, or a tree of tensors. */
export type Comparable = number | TensorTree

/**
 * An approximate equality with its tolerance. `explain` is the primitive: it
 * returns `undefined` when the two sides agree, otherwise a message naming the
 * first place where they differ.
 */
export interface ApproxEq extends Tolerance {
  /** `|a − b| ≤ atol + rtol·max(|a|, |b|)`; NaN equals NaN; ±∞ equals only itself. */
  readonly numbers: (a: number, b: number) => boolean
  /** Same shape and every element approximately equal. */
  readonly tensors: (a: Tensor, b: Tensor) => boolean
  /** Same structure (record keys, array lengths), same leaf shapes, leaves approximately equal. */
  readonly trees: (a: Comparable, b: Comparable) => boolean
  /** `undefined` when `a ≈ b`, else a message naming the first difference and its path. */
  readonly explain: (a: Comparable, b: Comparable) => string | undefined
}

// -------------------------------------------------------------------------------------
// internal: one comparison walk shared by every equality
// -------------------------------------------------------------------------------------

const compareWith =
  (numbers: (a: number, b: number) => boolean, allowance: (a: number, b: number) => string) =>
  (a: Comparable, b: Comparable): string | undefined => {
    if (typeof a === 'number' || typeof b === 'number') {
      if (typeof a !== 'number' || typeof b !== 'number') return `a number compared with a tree`
      return numbers(a, b) ? undefined : `${formatNumber(a)} vs ${formatNumber(b)} (${allowance(a, b)})`
    }
    const fa = flattenTensors(a)
    const fb = flattenTensors(b)
    const sa = showStructure(fa.structure)
    const sb = showStructure(fb.structure)
    if (sa !== sb) return `tree structures differ: ${sa} vs ${sb}`
    for (let k = 0; k < fa.leaves.length; k++) {
      const x = fa.leaves[k]
      const y = fb.leaves[k]
      const where = fa.paths[k] === '' ? 'the top' : fa.paths[k]
      if (x.shape.length !== y.shape.length || x.shape.some((d, i) => d !== y.shape[i])) {
        return `at ${where}: shapes differ: ${showShape(x.shape)} vs ${showShape(y.shape)}`
      }
      for (let i = 0; i < x.size; i++) {
        if (!numbers(x.data[i], y.data[i])) {
          return `at ${where}, element ${i}: ${formatNumber(x.data[i])} vs ${formatNumber(y.data[i])} (${allowance(x.data[i], y.data[i])})`
        }
      }
    }
    return undefined
  }

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** Default tolerance: loose enough for a few float64 operations, tight enough to catch a wrong formula. */
export const defaultTolerance: Tolerance = { rtol: 1e-9, atol: 1e-12 }

/**
 * An approximate equality with the given tolerance (defaults `rtol = 1e-9`, `atol = 1e-12`).
 *
 * Two numbers `a`, `b` are equal when `|a − b| ≤ atol + rtol·max(|a|, |b|)`
 * (symmetric, unlike NumPy's `isclose`). NaN handling: NaN equals NaN and
 * nothing else, so a law can demand "the same NaN pattern"; an infinity equals
 * only the same infinity. Trees are equal when their structures (record keys,
 * array lengths) and leaf shapes match exactly and every element is equal.
 *
 * @example approxEq({ rtol: 1e-6 }).numbers(1, 1 + 1e-7) // true
 * @see identical for bitwise equality (determinism laws).
 */
export const approxEq = (tolerance: Partial<Tolerance> = {}): ApproxEq => {
  const rtol = tolerance.rtol ?? defaultTolerance.rtol
  const atol = tolerance.atol ?? defaultTolerance.atol
  if (!(rtol >= 0) || !(atol >= 0)) throw new RangeError(`approxEq: tolerances must be ≥ 0, got rtol=${rtol}, atol=${atol}`)
  const numbers = (a: number, b: number): boolean => {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b)
    if (a === b) return true
    if (!Number.isFinite(a) || !Number.isFinite(b)) return false
    return Math.abs(a - b) <= atol + rtol * Math.max(Math.abs(a), Math.abs(b))
  }
  const allowance = (a: number, b: number): string =>
    `|Δ| = ${formatNumber(Math.abs(a - b))}, allowed ${formatNumber(atol + rtol * Math.max(Math.abs(a), Math.abs(b)))}`
  const explain = compareWith(numbers, allowance)
  return {
    rtol,
    atol,
    numbers,
    tensors: (a, b) => explain(a, b) === undefined,
    trees: (a, b) => explain(a, b) === undefined,
    explain
  }
}

/**
 * Bitwise equality: every element `Object.is`-equal except that all NaNs are
 * equal. Determinism laws use it: the same inputs must give the same bits.
 */
export const identical: ApproxEq = (() => {
  const numbers = (a: number, b: number): boolean => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))
  const explain = compareWith(numbers, () => 'not bitwise identical')
  return { rtol: 0, atol: 0, numbers, tensors: (a, b) => explain(a, b) === undefined, trees: (a, b) => explain(a, b) === undefined, explain }
})()

