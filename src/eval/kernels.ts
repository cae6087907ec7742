/**
 * Numeric kernels: the forward rule of every primitive op on concrete tensors.
 * The interpreter runs them node by node, constant folding runs them at build
 * time, and the compiler's output is tested against them.
 */
import type { Sym, UnaryOp } from '../graph/Sym.js'
import { type Shape, sizeOf, stridesOf } from '../tensor/Shape.js'
import { Tensor } from '../tensor/Tensor.js'
import { matmulKernels } from './matmul.js'

// -------------------------------------------------------------------------------------
// scalar rules
// -------------------------------------------------------------------------------------

/** softplus(x) = log(1 + eˣ), computed without overflow for large x. */
const softplusScalar = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)))

const unaryScalar = (op: UnaryOp, exponent = 1): ((x: number) => number) => {
  switch (op) {
    case 'neg': return (x) => -x
    case 'exp': return Math.exp
    case 'log': return Math.log
    case 'sin': return Math.sin
    case 'cos': return Math.cos
    case 'tan': return Math.tan
    case 'sqrt': return Math.sqrt
    case 'tanh': return Math.tanh
    case 'sigmoid': return (x) => 1 / (1 + Math.exp(-x))
    case 'abs': return Math.abs
    case 'sign': return Math.sign
    case 'step': return (x) => (x > 0 ? 1 : x <= 0 ? 0 : NaN)
    case 'relu': return (x) => (x > 0 ? x : x <= 0 ? 0 : NaN)
    case 'softplus': return softplusScalar
    case 'square': return (x) => x * x
    case 'powc': return (x) => Math.pow(x, exponent)
  }
}

const binaryScalar = (op: string): ((a: number, b: number) => number) => {
  switch (op) {
    case 'add': return (a, b) => a + b
    case 'sub': return (a, b) => a - b
    case 'mul': return (a, b) => a * b
    case 'div': return (a, b) => a / b
    case 'pow': return Math.pow
    case 'eqmask': return (a, b) => (a === b ? 1 : 0)
    default: throw new Error(`internal: ${op} is not a binary op`)
  }
}

// -------------------------------------------------------------------------------------
// structural kernels
// -------------------------------------------------------------------------------------

/** Visit every multi-index of `shape` in row-major order, with its flat position. */
const forEachIndex = (shape: Shape, visit: (index: number[], flat: number) => void): void => {
  const n = sizeOf(shape)
  if (n === 0) return
  const idx = new Array<number>(shape.length).fill(0)
  for (let flat = 0; flat < n; flat++) {
    visit(idx, flat)
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break
      idx[d] = 0
    }
  }
}

/** Strides to read `from` (right-aligned) while walking `to`: 0 on broadcast axes. */
const broadcastStrides = (from: Shape, to: Shape): number[] => {
  const s = stridesOf(from)
  const offset = to.length - from.length
  return to.map((d, i) => (i < offset || from[i - offset] === 1 ? 0 : s[i - offset]))
}

const gather = (src: Float64Array, shape: Shape, strides: readonly number[], base: number): Float64Array => {
  const out = new Float64Array(sizeOf(shape))
  forEachIndex(shape, (idx, flat) => {
    let j = base
    for (let d = 0; d < idx.length; d++) j += idx[d] * strides[d]
    out[flat] = src[j]
  })
  return out
}

// -------------------------------------------------------------------------------------
// the forward rule of each op
// -------------------------------------------------------------------------------------

/** Compute a node's value from its inputs' values. */
export const forward = (node: Sym, inputs: readonly Tensor[]): Tensor => {
  const out = (data: Float64Array): Tensor => Tensor.unsafeWrap(node.shape, data)
  const a = inputs[0]
  switch (node.op) {
    case 'input':
    case 'const':
      throw new Error(`internal: forward of a ${node.op} node`)
    case 'add': case 'sub': case 'mul': case 'div': case 'pow': case 'eqmask': {
      const f = binaryScalar(node.op)
      const x = a.data
      const y = inputs[1].data
      const r = new Float64Array(x.length)
      for (let i = 0; i < r.length; i++) r[i] = f(x[i], y[i])
      return out(r)
    }
    case 'broadcast':
      return out(gather(a.data, node.shape, broadcastStrides(a.shape, node.shape), 0))
    case 'reshape':
      return out(a.data)
    case 'transpose': {
      const s = stridesOf(a.shape)
      return out(gather(a.data, node.shape, node.attrs.perm!.map((p) => s[p]), 0))
    }
    case 'slice': {
      const s = stridesOf(a.shape)
      const base = node.attrs.starts!.reduce((acc, st, d) => acc + st * s[d], 0)
      return out(gather(a.data, node.shape, s, base))
    }
    case 'pad': {
      const r = new Float64Array(sizeOf(node.shape))
      const lo = node.attrs.lo!
      const os = stridesOf(node.shape)
      forEachIndex(a.shape, (idx, flat) => {
        let j = 0
        for (let d = 0; d < idx.length; d++) j += (idx[d] + lo[d]) * os[d]
        r[j] = a.data[flat]
      })
      return out(r)
    }
    case 'concat': {
      const axis = node.attrs.axis!
      const r = new Float64Array(sizeOf(node.shape))
      const os = stridesOf(node.shape)
      let offset = 0
      for (const t of inputs) {
        forEachIndex(t.shape, (idx, flat) => {
          let j = offset * os[axis]
          for (let d = 0; d < idx.length; d++) j += idx[d] * os[d]
          r[j] = t.data[flat]
        })
        offset += t.shape[axis]
      }
      return out(r)
    }
    case 'sum':
    case 'max': {
      const axes = node.attrs.axes!
      const isMax = node.op === 'max'
      const r = new Float64Array(sizeOf(node.shape)).fill(isMax ? -Infinity : 0)
      const kept = a.shape.map((_, d) => !axes.includes(d))
      const os = stridesOf(node.shape)
      forEachIndex(a.shape, (idx, flat) => {
        let j = 0
        let k = 0
        for (let d = 0; d < idx.length; d++) if (kept[d]) j += idx[d] * os[k++]
        const v = a.data[flat]
        if (isMax) r[j] = v > r[j] || Number.isNaN(v) ? v : r[j]
        else r[j] += v
      })
      return out(r)
    }
    case 'matmul':
    {
      const c = new Float64Array(sizeOf(node.shape))
      matmulKernels.mmNN(a.data, inputs[1].data, c, a.shape[0], a.shape[1], inputs[1].shape[1])
      return out(c)
    }
    default: {
      const f = unaryScalar(node.op, node.attrs.exponent)
      const x = a.data
      const r = new Float64Array(x.length)
      for (let i = 0; i < r.length; i++) r[i] = f(x[i])
      return out(r)
    }
  }
}
