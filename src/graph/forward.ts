/**
 * The numeric forward of every op on concrete tensors: elementwise ops read
 * their scalar rule from the op table (`primitives.ts`), structural ops are
 * the index walks below. The interpreter runs them node by node and
 * constant folding runs them at build time. The matrix product's kernels
 * belong to the evaluators (`eval/matmul.ts`), which pass them in, so this
 * module, like all of `graph/`, imports nothing from `eval/`.
 */
import type { Sym } from './Sym.js'
import { type Shape, sizeOf, stridesOf } from '../tensor/Shape.js'
import { Tensor } from '../tensor/Tensor.js'
import { isElementwiseOp, numeric } from './primitives.js'

/** C (m×n) = A (m×k) · B (k×n) on row-major buffers. */
export type MatmulKernel = (a: Float64Array, b: Float64Array, c: Float64Array, m: number, k: number, n: number) => void

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
  return to.map((_, i) => (i < offset || from[i - offset] === 1 ? 0 : s[i - offset]))
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
export const forward = (node: Sym, inputs: readonly Tensor[], matmul?: MatmulKernel): Tensor => {
  const out = (data: Float64Array): Tensor => Tensor.unsafeWrap(node.shape, data)
  const a = inputs[0]
  const op = node.op
  if (isElementwiseOp(op)) return out(elementwiseForward(numeric[op].forward(node.attrs), inputs))
  switch (op) {
    case 'input':
    case 'const':
      throw new Error(`internal: forward of a ${node.op} node`)
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
    case 'matmul': {
      if (matmul === undefined) throw new Error('internal: forward of a matmul node without its kernel')
      const c = new Float64Array(sizeOf(node.shape))
      matmul(a.data, inputs[1].data, c, a.shape[0], a.shape[1], inputs[1].shape[1])
      return out(c)
    }
    case 'custom':
      // the user's function, traced as input 0; the other inputs are only there to be differentiated
      return out(a.data)
  }
}

/** Apply a scalar rule element by element to inputs of one shape. */
const elementwiseForward = (f: (a: number, b: number, c: number) => number, inputs: readonly Tensor[]): Float64Array => {
  const x = inputs[0].data
  const r = new Float64Array(x.length)
  if (inputs.length === 1) for (let i = 0; i < r.length; i++) r[i] = f(x[i], 0, 0)
  else if (inputs.length === 2) {
    const y = inputs[1].data
    for (let i = 0; i < r.length; i++) r[i] = f(x[i], y[i], 0)
  } else {
    const y = inputs[1].data
    const z = inputs[2].data
    for (let i = 0; i < r.length; i++) r[i] = f(x[i], y[i], z[i])
  }
  return r
}
