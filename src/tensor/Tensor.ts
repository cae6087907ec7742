/**
 * Immutable float64 n-d tensors: a shape and a row-major `Float64Array`.
 * Nothing writes a tensor's data after it is created: every operation that
 * "changes" a tensor returns a new one, so a tensor can be shared freely.
 */
import { type Shape, isValidShape, showShape, sizeOf, stridesOf } from './Shape.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Nested arrays of numbers, as written in source: `[[1, 2], [3, 4]]`. */
export type NestedArray = number | readonly NestedArray[]

/**
 * An immutable n-d array of float64 values: a `shape` and its row-major `data`.
 * Build one with {@link tensor}, {@link fromArray}, {@link zeros} and friends;
 * every op returns a new tensor and never writes into an existing one.
 *
 * @example
 * ```ts
 * const m = tensor([[1, 2], [3, 4]])   // shape [2, 2]
 * m.get(1, 0)                          // 3
 * m.toArray()                          // [[1, 2], [3, 4]]
 * ```
 */
export class Tensor {
  /** The number of elements: the product of the shape (1 for a scalar). */
  readonly size: number

  private constructor(
    /** The size along each axis; `[]` for a scalar. */
    readonly shape: Shape,
    /** Row-major values. Read only: never write into it. */
    readonly data: Float64Array
  ) {
    this.size = data.length
  }

  /**
   * Wrap a buffer without copying, in the shape of `like` (shared: it is
   * frozen). Same contract as `unsafeFromBuffer`, without re-checking a shape
   * already checked: for the hot loops of the drivers and optimizers.
   */
  static unsafeLike(like: Tensor, data: Float64Array): Tensor {
    if (like.size !== data.length) throw new RangeError(`shape ${showShape(like.shape)} needs ${like.size} values, got ${data.length}`)
    return new Tensor(like.shape, data)
  }

  /**
   * Wrap a buffer without copying. The caller hands the buffer over and must
   * never write to it again.
   */
  static unsafeFromBuffer(shape: Shape, data: Float64Array): Tensor {
    if (!isValidShape(shape)) throw new TypeError(`invalid shape ${String(shape)}`)
    if (sizeOf(shape) !== data.length) {
      throw new RangeError(`shape ${showShape(shape)} needs ${sizeOf(shape)} values, got ${data.length}`)
    }
    return new Tensor(Object.freeze(shape.slice()), data)
  }

  /**
   * Wrap without copying or checking: for the library's hot paths, whose
   * shape is already a frozen array of the right size. Never write to either.
   */
  static unsafeWrap(shape: Shape, data: Float64Array): Tensor {
    return new Tensor(shape, data)
  }

  /** The number of axes (0 for a scalar). */
  get rank(): number {
    return this.shape.length
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new RangeError(`item() needs a one-element tensor, got shape ${showShape(this.shape)}`)
    return this.data[0]
  }

  /** The element at a multi-index; negative indices count from the end. */
  get(...index: number[]): number {
    if (index.length !== this.shape.length) {
      throw new RangeError(`get: tensor of shape ${showShape(this.shape)} needs ${this.shape.length} indices, got ${index.length}`)
    }
    let flat = 0
    const strides = stridesOf(this.shape)
    for (let d = 0; d < index.length; d++) {
      const n = this.shape[d]
      const i = index[d] < 0 ? index[d] + n : index[d]
      if (!Number.isInteger(i) || i < 0 || i >= n) {
        throw new RangeError(`get: index ${index[d]} out of range for axis ${d} of size ${n} (shape ${showShape(this.shape)})`)
      }
      flat += i * strides[d]
    }
    return this.data[flat]
  }

  /** Nested arrays of plain numbers (a number for a scalar). */
  toArray(): NestedArray {
    const build = (d: number, offset: number): NestedArray => {
      if (d === this.shape.length) return this.data[offset]
      const stride = sizeOf(this.shape.slice(d + 1))
      return Array.from({ length: this.shape[d] }, (_, i) => build(d + 1, offset + i * stride))
    }
    return build(0, 0)
  }

  /** Plain numbers in row-major order. */
  toFlatArray(): number[] {
    return Array.from(this.data)
  }

  /** The values as text, `tensor([1, 2], shape=[2])`; axes longer than six show their ends around `…`. */
  toString(): string {
    return formatTensor(this)
  }
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const shapeOfNested = (value: NestedArray, path: string): number[] => {
  if (typeof value === 'number') return []
  if (!Array.isArray(value)) throw new TypeError(`tensor: expected a number or an array at ${path || 'the top'}, got ${typeof value}`)
  if (value.length === 0) return [0]
  const inner = shapeOfNested(value[0], `${path}[0]`)
  for (let i = 1; i < value.length; i++) {
    const other = shapeOfNested(value[i], `${path}[${i}]`)
    if (other.length !== inner.length || other.some((d, k) => d !== inner[k])) {
      throw new RangeError(`tensor: ragged array: ${path}[${i}] has shape ${showShape(other)}, ${path}[0] has ${showShape(inner)}`)
    }
  }
  return [value.length, ...inner]
}

/** A tensor from a number or nested arrays: `tensor([[1, 2], [3, 4]])` has shape [2,2]. */
export const tensor = (value: NestedArray | Tensor): Tensor => {
  if (value instanceof Tensor) return value
  const shape = shapeOfNested(value, '')
  const data = new Float64Array(sizeOf(shape))
  let k = 0
  const fill = (v: NestedArray): void => {
    if (typeof v === 'number') data[k++] = v
    else for (const x of v) fill(x)
  }
  fill(value)
  return Tensor.unsafeFromBuffer(shape, data)
}

/** A tensor of the given shape holding a copy of `values` (row-major). */
export const fromArray = (shape: Shape, values: ArrayLike<number>): Tensor => {
  if (sizeOf(shape) !== values.length) {
    throw new RangeError(`fromArray: shape ${showShape(shape)} needs ${sizeOf(shape)} values, got ${values.length}`)
  }
  return Tensor.unsafeFromBuffer(shape, Float64Array.from(values))
}

/** A rank-0 tensor holding `x`: `scalar(2).item()` is 2. */
export const scalar = (x: number): Tensor => Tensor.unsafeFromBuffer([], Float64Array.of(x))

/** A tensor of `shape` with every element `value`: `full([2], 7)` is [7, 7]. */
export const full = (shape: Shape, value: number): Tensor => {
  if (!isValidShape(shape)) throw new TypeError(`full: invalid shape ${String(shape)}`)
  return Tensor.unsafeFromBuffer(shape, new Float64Array(sizeOf(shape)).fill(value))
}

/** A tensor of `shape` filled with 0. */
export const zeros = (shape: Shape): Tensor => full(shape, 0)

/** A tensor of `shape` filled with 1. */
export const ones = (shape: Shape): Tensor => full(shape, 1)

/** `start, start+step, …` up to but excluding `stop`, as NumPy's arange. */
export const arange = (start: number, stop?: number, step = 1): Tensor => {
  const [lo, hi] = stop === undefined ? [0, start] : [start, stop]
  if (step === 0 || !Number.isFinite(step)) throw new RangeError(`arange: step must be finite and non-zero, got ${step}`)
  const n = Math.max(0, Math.ceil((hi - lo) / step))
  const data = new Float64Array(n)
  for (let i = 0; i < n; i++) data[i] = lo + i * step
  return Tensor.unsafeFromBuffer([n], data)
}

/** `count` evenly spaced values from `start` to `stop`, both included. */
export const linspace = (start: number, stop: number, count: number): Tensor => {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`linspace: count must be a non-negative integer, got ${count}`)
  const data = new Float64Array(count)
  const step = count > 1 ? (stop - start) / (count - 1) : 0
  for (let i = 0; i < count; i++) data[i] = start + i * step
  if (count > 1) data[count - 1] = stop
  return Tensor.unsafeFromBuffer([count], data)
}

// -------------------------------------------------------------------------------------
// utilities
// -------------------------------------------------------------------------------------

/** Shortest text that reads back to the same float64. */
export const formatNumber = (x: number): string => {
  if (Object.is(x, -0)) return '-0'
  return String(x)
}

const formatTensor = (t: Tensor): string => {
  const maxItems = 6
  const render = (d: number, offset: number, indent: string): string => {
    if (d === t.shape.length) return formatNumber(t.data[offset])
    const n = t.shape[d]
    const stride = sizeOf(t.shape.slice(d + 1))
    const idx = n > maxItems ? [0, 1, 2, -1, n - 3, n - 2, n - 1] : Array.from({ length: n }, (_, i) => i)
    const parts = idx.map((i) => (i < 0 ? '…' : render(d + 1, offset + i * stride, indent + ' ')))
    const sep = d === t.shape.length - 1 ? ', ' : `,\n${indent} `
    return `[${parts.join(sep)}]`
  }
  return `tensor(${render(0, 0, '       ')}, shape=${showShape(t.shape)})`
}
