/**
 * The operations of the graph. Primitive ops are built here with their shape
 * checks; derived ops are one-line identities on primitives. Every function
 * accepts a symbolic tensor, a tensor or a plain number wherever a tensor is
 * expected, and binary ops broadcast as NumPy does.
 */
import { type Shape, broadcastShapes, normaliseAxis, shapeEquals, showShape, sizeOf } from '../tensor/Shape.js'
import { Tensor } from '../tensor/Tensor.js'
import { GraphError, constantNode, constantValue, make, scalarConstant } from './build.js'
import { type BinaryOp, type CustomRule, Sym, type SymLike, type TernaryOp, type UnaryOp } from './Sym.js'

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** A constant node holding a tensor or a number. */
export const constant = (value: Tensor | number): Sym =>
  typeof value === 'number' ? scalarConstant(value) : constantNode(value)

/** Lift a number or tensor to a node; nodes pass through. */
export const lift = (x: SymLike): Sym => {
  if (x instanceof Sym) return x
  if (typeof x === 'number') return scalarConstant(x)
  if (x instanceof Tensor) return constantNode(x)
  throw new GraphError(`expected a symbolic tensor, a tensor or a number, got ${x === null ? 'null' : typeof x}`)
}

// -------------------------------------------------------------------------------------
// elementwise
// -------------------------------------------------------------------------------------

const unary = (op: UnaryOp) => (x: SymLike): Sym => {
  const a = lift(x)
  if (op === 'neg' && a.op === 'neg') return a.inputs[0]
  return make(op, [a], a.shape)
}

export const neg: (x: SymLike) => Sym = unary('neg')
export const exp: (x: SymLike) => Sym = unary('exp')
export const log: (x: SymLike) => Sym = unary('log')
export const sin: (x: SymLike) => Sym = unary('sin')
export const cos: (x: SymLike) => Sym = unary('cos')
export const tan: (x: SymLike) => Sym = unary('tan')
export const sqrt: (x: SymLike) => Sym = unary('sqrt')
export const tanh: (x: SymLike) => Sym = unary('tanh')
/** σ(x) = 1/(1+e^−x), computed without overflow. */
export const sigmoid: (x: SymLike) => Sym = unary('sigmoid')
export const abs: (x: SymLike) => Sym = unary('abs')
/** −1, 0 or 1; its derivative is zero. */
export const sign: (x: SymLike) => Sym = unary('sign')
export const atan: (x: SymLike) => Sym = unary('atan')
export const asin: (x: SymLike) => Sym = unary('asin')
export const acos: (x: SymLike) => Sym = unary('acos')
export const sinh: (x: SymLike) => Sym = unary('sinh')
export const cosh: (x: SymLike) => Sym = unary('cosh')
export const asinh: (x: SymLike) => Sym = unary('asinh')
/** log(1 + x), accurate near x = 0. */
export const log1p: (x: SymLike) => Sym = unary('log1p')
/** eˣ − 1, accurate near x = 0. */
export const expm1: (x: SymLike) => Sym = unary('expm1')
/** The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt; one implementation (within 2 ulp) for every evaluator. */
export const erf: (x: SymLike) => Sym = unary('erf')

/**
 * The value passes, the derivative is zero: in reverse and forward mode, at
 * every order (`grad`, `jvp`, `hvp`, `hessian` all see a constant).
 */
export const stopGradient: (x: SymLike) => Sym = unary('stopgrad')

/**
 * Huber's function, elementwise: x²/2 where |x| < δ, else δ(|x| − δ/2);
 * PyTorch's `huber_loss(x, 0, reduction='none', delta=δ)`. Its derivative is
 * clip(x, −δ, δ). `delta` defaults to 1 and must be positive.
 */
export const huber = (x: SymLike, delta = 1): Sym => {
  if (!(delta > 0) || !Number.isFinite(delta)) throw new GraphError(`huber: delta must be a positive finite number, got ${delta}`)
  const a = lift(x)
  return make('huber', [a], a.shape, { delta })
}

/** Heaviside step: 1 where x > 0, else 0; its derivative is zero. */
export const step: (x: SymLike) => Sym = unary('step')
export const relu: (x: SymLike) => Sym = unary('relu')
/** softplus(x) = log(1 + eˣ), computed without overflow. */
export const softplus: (x: SymLike) => Sym = unary('softplus')
export const square: (x: SymLike) => Sym = unary('square')

/** x^c for a constant exponent c. */
export const powConst = (x: SymLike, c: number): Sym => {
  const a = lift(x)
  if (c === 0) return broadcastTo(1, a.shape) // x⁰ = 1 everywhere (Math.pow(x, 0) is 1 even for NaN)
  if (c === 1) return a
  if (c === 2) return square(a)
  return make('powc', [a], a.shape, { exponent: c })
}

/** Broadcast `x` to `shape` (NumPy rules); an error names both shapes. */
export const broadcastTo = (x: SymLike, shape: Shape): Sym => {
  const a = lift(x)
  if (shapeEquals(a.shape, shape)) return a
  const b = broadcastShapes(a.shape, shape)
  if (b === undefined || !shapeEquals(b, shape)) {
    throw new GraphError(`broadcastTo: cannot broadcast shape ${showShape(a.shape)} to ${showShape(shape)}`)
  }
  if (a.op === 'broadcast') return make('broadcast', [a.inputs[0]], shape)
  return make('broadcast', [a], shape)
}

const binary = (op: BinaryOp, x: SymLike, y: SymLike): Sym => {
  const a = lift(x)
  const b = lift(y)
  const shape = broadcastShapes(a.shape, b.shape)
  if (shape === undefined) {
    throw new GraphError(`${op}: shapes ${showShape(a.shape)} and ${showShape(b.shape)} do not broadcast`)
  }
  const ca = constantValue(a)
  const cb = constantValue(b)
  // Identities exact in IEEE arithmetic for every x, ±0 and NaN included, that keep the result's shape:
  // x + (−0), (−0) + x, x − (+0), (−0) − x = −x, x·1, 1·x, x/1, x^1. (x + 0 is not x at x = −0, nor 0 − x −x at x = 0.)
  if (shapeEquals(a.shape, shape)) {
    if (op === 'add' && Object.is(cb, -0)) return a
    if (op === 'sub' && Object.is(cb, 0)) return a
    if ((op === 'mul' || op === 'div' || op === 'pow') && cb === 1) return a
  }
  if (shapeEquals(b.shape, shape)) {
    if (op === 'add' && Object.is(ca, -0)) return b
    if (op === 'sub' && Object.is(ca, -0)) return neg(b)
    if (op === 'mul' && ca === 1) return b
  }
  if (op === 'pow' && cb !== undefined && b.size === 1) return broadcastTo(powConst(a, cb), shape)
  return make(op, [broadcastTo(a, shape), broadcastTo(b, shape)], shape)
}

export const add = (a: SymLike, b: SymLike): Sym => binary('add', a, b)
export const sub = (a: SymLike, b: SymLike): Sym => binary('sub', a, b)
export const mul = (a: SymLike, b: SymLike): Sym => binary('mul', a, b)
export const div = (a: SymLike, b: SymLike): Sym => binary('div', a, b)
/** a^b; a constant exponent becomes the cheaper `powConst`. */
export const pow = (a: SymLike, b: SymLike): Sym => binary('pow', a, b)
/** 1 where a = b, else 0; its derivative is zero (used by the derivative of max). */
export const eqMask = (a: SymLike, b: SymLike): Sym => binary('eqmask', a, b)
/** The mask a = b: 1 where it holds, else 0 (NaN equals nothing); its derivative is zero. */
export const equal: (a: SymLike, b: SymLike) => Sym = eqMask
/** The mask a ≠ b (1 where a or b is NaN). */
export const notEqual = (a: SymLike, b: SymLike): Sym => binary('notequal', a, b)
/** The mask a < b. */
export const less = (a: SymLike, b: SymLike): Sym => binary('less', a, b)
/** The mask a ≤ b. */
export const lessEqual = (a: SymLike, b: SymLike): Sym => binary('lessequal', a, b)
/** The mask a > b. */
export const greater = (a: SymLike, b: SymLike): Sym => binary('greater', a, b)
/** The mask a ≥ b. */
export const greaterEqual = (a: SymLike, b: SymLike): Sym => binary('greaterequal', a, b)

/**
 * Elementwise minimum (NaN if either is NaN). At a tie each input gets half
 * the gradient, as in PyTorch's `torch.minimum`.
 */
export const minimum = (a: SymLike, b: SymLike): Sym => binary('minimum', a, b)
/** Elementwise maximum (NaN if either is NaN); at a tie each input gets half the gradient (`torch.maximum`). */
export const maximum = (a: SymLike, b: SymLike): Sym => binary('maximum', a, b)

/** The broadcast of several shapes, if they broadcast. */
const broadcastAll = (shapes: readonly Shape[]): Shape | undefined =>
  shapes.reduce<Shape | undefined>((acc, s) => (acc === undefined ? undefined : broadcastShapes(acc, s)), [])

const ternary = (op: TernaryOp, x: SymLike, y: SymLike, z: SymLike): Sym => {
  const [a, b, c] = [lift(x), lift(y), lift(z)]
  const shape = broadcastAll([a.shape, b.shape, c.shape])
  if (shape === undefined) {
    throw new GraphError(`${op}: shapes ${showShape(a.shape)}, ${showShape(b.shape)} and ${showShape(c.shape)} do not broadcast`)
  }
  return make(op, [broadcastTo(a, shape), broadcastTo(b, shape), broadcastTo(c, shape)], shape)
}

/**
 * `a` where `cond` is nonzero, else `b` (a mask from `less`, `greater`, …).
 * The gradient flows only into the branch taken, and a NaN or ∞ in the
 * derivative of the branch not taken does not reach it: the gradient of
 * where(x > 0, sqrt(x), −x) at x = −1 is −1.
 */
export const where = (cond: SymLike, a: SymLike, b: SymLike): Sym => {
  const c = lift(cond)
  const k = constantValue(c)
  const [x, y] = [lift(a), lift(b)]
  // a constant condition picks its branch, when that keeps the shape
  if (k !== undefined && !Number.isNaN(k)) {
    const picked = k !== 0 ? x : y
    const shape = broadcastAll([c.shape, x.shape, y.shape])
    if (shape !== undefined && shapeEquals(shape, picked.shape)) return picked
  }
  return ternary('where', c, x, y)
}

/**
 * min(max(x, lo), hi), as PyTorch's `clamp`: the gradient passes to x where
 * lo ≤ x ≤ hi (bounds included), to lo where x < lo and to hi where x > hi.
 */
export const clip = (x: SymLike, lo: SymLike, hi: SymLike): Sym => ternary('clip', x, lo, hi)

// -------------------------------------------------------------------------------------
// reductions
// -------------------------------------------------------------------------------------

const normaliseAxes = (name: string, x: Sym, axes: number | readonly number[] | undefined): number[] => {
  if (axes === undefined) return x.shape.map((_, i) => i)
  const list = typeof axes === 'number' ? [axes] : axes
  const out = list.map((ax) => {
    const a = normaliseAxis(ax, x.rank)
    if (a === undefined) throw new GraphError(`${name}: axis ${ax} out of range for shape ${showShape(x.shape)}`)
    return a
  })
  if (new Set(out).size !== out.length) throw new GraphError(`${name}: repeated axis in [${list.join(',')}]`)
  return out.sort((p, q) => p - q)
}

const reduce = (op: 'sum' | 'max', x: SymLike, axes?: number | readonly number[]): Sym => {
  const a = lift(x)
  const ax = normaliseAxes(op, a, axes)
  if (ax.length === 0) return a
  if (op === 'max' && ax.some((d) => a.shape[d] === 0)) {
    throw new GraphError(`max: cannot reduce an empty axis of shape ${showShape(a.shape)}`)
  }
  return make(op, [a], a.shape.filter((_, d) => !ax.includes(d)), { axes: ax })
}

/** Sum over the given axes (all by default); the reduced axes are removed. */
export const sum = (x: SymLike, axes?: number | readonly number[]): Sym => reduce('sum', x, axes)
/** Maximum over the given axes (all by default); ties share the gradient equally. */
export const max = (x: SymLike, axes?: number | readonly number[]): Sym => reduce('max', x, axes)

/** mean(x) = sum(x) / (number of reduced elements). */
export const mean = (x: SymLike, axes?: number | readonly number[]): Sym => {
  const a = lift(x)
  const s = sum(a, axes)
  return div(s, a.size / Math.max(1, s.size))
}

/** The shape `x` would have with reduced axes kept as size 1. */
const keepDims = (x: Sym, axes: readonly number[]): number[] => x.shape.map((d, i) => (axes.includes(i) ? 1 : d))

/**
 * logsumexp(x) = m + log Σ exp(x − m), m = max(x) where it is finite and 0
 * where it is ±∞, as PyTorch: stable for large x, −∞ when every element is
 * −∞, ∞ when one is ∞. The shift m is a constant to the derivative (it
 * cancels), so the gradient is softmax(x) exactly.
 */
export const logsumexp = (x: SymLike, axes?: number | readonly number[]): Sym => {
  const a = lift(x)
  const ax = normaliseAxes('logsumexp', a, axes)
  const m = max(a, ax)
  const shift = stopGradient(where(equal(abs(m), Infinity), 0, m))
  const shifted = sub(a, broadcastTo(reshape(shift, keepDims(a, ax)), a.shape))
  return add(log(sum(exp(shifted), ax)), shift)
}

const singleAxis = (name: string, a: Sym, axis: number): number => {
  const ax = normaliseAxis(axis, a.rank)
  if (ax === undefined) throw new GraphError(`${name}: axis ${axis} out of range for shape ${showShape(a.shape)}`)
  return ax
}

/** log softmax(x) = x − logsumexp(x) along `axis` (default the last). */
export const logSoftmax = (x: SymLike, axis = -1): Sym => {
  const a = lift(x)
  const ax = singleAxis('logSoftmax', a, axis)
  return sub(a, broadcastTo(reshape(logsumexp(a, ax), keepDims(a, [ax])), a.shape))
}

/** softmax(x) = exp(x − logsumexp(x)) along `axis` (default the last): non-negative, sums to 1. */
export const softmax = (x: SymLike, axis = -1): Sym => exp(logSoftmax(x, axis))

/**
 * The mean cross-entropy of logits of shape [n, classes] (or [classes] for
 * one example) against integer labels (shape [n], or a number): the mean of
 * −logSoftmax(logits)[i, label_i], PyTorch's `F.cross_entropy`. Labels may be
 * a traced input (data); constant labels are checked to be integers in range.
 */
export const crossEntropy = (logits: SymLike, labels: SymLike): Sym => {
  const z = lift(logits)
  const y = lift(labels)
  if (z.rank !== 1 && z.rank !== 2) throw new GraphError(`crossEntropy: logits must have shape [n, classes] or [classes], got ${showShape(z.shape)}`)
  const rows = z.rank === 2 ? z.shape[0] : 1
  const classes = z.shape[z.rank - 1]
  const wantLabels = z.rank === 2 ? [rows] : []
  if (!shapeEquals(y.shape, wantLabels)) {
    throw new GraphError(`crossEntropy: labels must have shape ${showShape(wantLabels)} for logits of shape ${showShape(z.shape)}, got ${showShape(y.shape)}`)
  }
  if (y.op === 'const') {
    const bad = Array.from(y.attrs.value!.data).findIndex((v) => !Number.isInteger(v) || v < 0 || v >= classes)
    if (bad >= 0) throw new GraphError(`crossEntropy: label ${bad} is ${y.attrs.value!.data[bad]}, not an integer class in 0..${classes - 1}`)
  }
  const z2 = reshape(z, [rows, classes])
  const classIds = constantNode(Tensor.unsafeFromBuffer([1, classes], Float64Array.from({ length: classes }, (_, k) => k)))
  const chosen = equal(reshape(y, [rows, 1]), classIds)
  const picked = sum(where(chosen, logSoftmax(z2, 1), 0), 1)
  return neg(div(sum(picked), rows))
}

// -------------------------------------------------------------------------------------
// structure
// -------------------------------------------------------------------------------------

/** The same elements in a new shape of the same size; one dimension may be −1. */
export const reshape = (x: SymLike, shape: readonly number[]): Sym => {
  const a = lift(x)
  const unknown = shape.filter((d) => d === -1).length
  let target = shape.slice()
  if (unknown > 1 || shape.some((d) => !Number.isInteger(d) || d < -1)) {
    throw new GraphError(`reshape: invalid target shape ${showShape(shape)}`)
  }
  if (unknown === 1) {
    const known = sizeOf(shape.filter((d) => d !== -1))
    target = shape.map((d) => (d === -1 ? (known === 0 ? 0 : a.size / known) : d))
  }
  if (sizeOf(target) !== a.size || !target.every(Number.isInteger)) {
    throw new GraphError(`reshape: cannot reshape ${showShape(a.shape)} (${a.size} elements) to ${showShape(shape)}`)
  }
  if (shapeEquals(target, a.shape)) return a
  const inner = a.op === 'reshape' ? a.inputs[0] : a
  if (shapeEquals(target, inner.shape)) return inner
  return make('reshape', [inner], target)
}

/** Permute axes; by default reverse them (the matrix transpose for rank 2). */
export const transpose = (x: SymLike, perm?: readonly number[]): Sym => {
  const a = lift(x)
  const p = perm ?? a.shape.map((_, i) => a.rank - 1 - i)
  if (p.length !== a.rank || [...p].sort((u, v) => u - v).some((v, i) => v !== i)) {
    throw new GraphError(`transpose: [${p.join(',')}] is not a permutation of the ${a.rank} axes of shape ${showShape(a.shape)}`)
  }
  if (p.every((v, i) => v === i)) return a
  if (a.op === 'transpose') {
    const q = a.attrs.perm!
    return transpose(a.inputs[0], p.map((v) => q[v]))
  }
  return make('transpose', [a], p.map((v) => a.shape[v]), { perm: p })
}

/** Elements `start` (inclusive) to `end` (exclusive) along `axis`; negative values count from the end. */
export const slice = (x: SymLike, start: number, end?: number, axis = 0): Sym => {
  const a = lift(x)
  const ax = normaliseAxis(axis, a.rank)
  if (ax === undefined) throw new GraphError(`slice: axis ${axis} out of range for shape ${showShape(a.shape)}`)
  const n = a.shape[ax]
  const resolve = (i: number): number => (i < 0 ? i + n : i)
  const s = resolve(start)
  const e = end === undefined ? n : resolve(end)
  if (!Number.isInteger(s) || !Number.isInteger(e) || s < 0 || e > n || s > e) {
    throw new GraphError(`slice: range ${start}:${end ?? ''} out of bounds for axis ${ax} of size ${n} (shape ${showShape(a.shape)})`)
  }
  return sliceAll(a, a.shape.map((_, d) => (d === ax ? s : 0)), a.shape.map((m, d) => (d === ax ? e : m)))
}

/** The primitive slice: per-axis starts and ends, already checked. */
export const sliceAll = (a: Sym, starts: readonly number[], ends: readonly number[]): Sym => {
  if (starts.every((s, d) => s === 0 && ends[d] === a.shape[d])) return a
  return make('slice', [a], starts.map((s, d) => ends[d] - s), { starts, ends })
}

/** Zeros added before (`lo`) and after (`hi`) along each axis. */
export const pad = (x: SymLike, lo: readonly number[], hi: readonly number[]): Sym => {
  const a = lift(x)
  if (lo.length !== a.rank || hi.length !== a.rank || [...lo, ...hi].some((v) => !Number.isInteger(v) || v < 0)) {
    throw new GraphError(`pad: need ${a.rank} non-negative widths before and after for shape ${showShape(a.shape)}`)
  }
  if ([...lo, ...hi].every((v) => v === 0)) return a
  return make('pad', [a], a.shape.map((d, i) => d + lo[i] + hi[i]), { lo, hi })
}

/** The single element at a multi-index, as a scalar; negative indices count from the end. */
export const at = (x: SymLike, ...index: number[]): Sym => {
  const a = lift(x)
  if (index.length !== a.rank) {
    throw new GraphError(`at: shape ${showShape(a.shape)} needs ${a.rank} indices, got ${index.length}`)
  }
  const idx = index.map((i, d) => {
    const n = a.shape[d]
    const j = i < 0 ? i + n : i
    if (!Number.isInteger(j) || j < 0 || j >= n) {
      throw new GraphError(`at: index ${i} out of range for axis ${d} of size ${n} (shape ${showShape(a.shape)})`)
    }
    return j
  })
  return reshape(sliceAll(a, idx, idx.map((j) => j + 1)), [])
}

/** Join tensors along an existing axis; other axes must match. */
export const concat = (xs: readonly SymLike[], axis = 0): Sym => {
  const parts = xs.map(lift)
  if (parts.length === 0) throw new GraphError('concat: needs at least one tensor')
  const first = parts[0]
  const ax = normaliseAxis(axis, first.rank)
  if (ax === undefined) throw new GraphError(`concat: axis ${axis} out of range for shape ${showShape(first.shape)}`)
  parts.forEach((p, k) => {
    if (p.rank !== first.rank || p.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
      throw new GraphError(`concat: tensor ${k} has shape ${showShape(p.shape)}, incompatible with ${showShape(first.shape)} along axis ${ax}`)
    }
  })
  const kept = parts.filter((p) => p.shape[ax] > 0)
  if (kept.length === 1) return kept[0]
  const shape = first.shape.map((d, i) => (i === ax ? parts.reduce((acc, p) => acc + p.shape[ax], 0) : d))
  return make('concat', kept.length === 0 ? [first] : kept, shape, { axis: ax })
}

/** Join tensors of one shape along a new axis. */
export const stack = (xs: readonly SymLike[], axis = 0): Sym => {
  const parts = xs.map(lift)
  if (parts.length === 0) throw new GraphError('stack: needs at least one tensor')
  const ax = normaliseAxis(axis, parts[0].rank + 1)
  if (ax === undefined) throw new GraphError(`stack: axis ${axis} out of range for rank ${parts[0].rank + 1}`)
  parts.forEach((p, k) => {
    if (!shapeEquals(p.shape, parts[0].shape)) {
      throw new GraphError(`stack: tensor ${k} has shape ${showShape(p.shape)}, tensor 0 has ${showShape(parts[0].shape)}`)
    }
  })
  const expanded = parts.map((p) => reshape(p, [...p.shape.slice(0, ax), 1, ...p.shape.slice(ax)]))
  return concat(expanded, ax)
}

// -------------------------------------------------------------------------------------
// linear algebra
// -------------------------------------------------------------------------------------

/** Matrix product: matrix×matrix, matrix×vector, vector×matrix. */
export const matmul = (x: SymLike, y: SymLike): Sym => {
  const a = lift(x)
  const b = lift(y)
  if (a.rank < 1 || a.rank > 2 || b.rank < 1 || b.rank > 2 || (a.rank === 1 && b.rank === 1)) {
    throw new GraphError(`matmul: needs matrices or a matrix and a vector, got shapes ${showShape(a.shape)} and ${showShape(b.shape)} (use dot for two vectors)`)
  }
  const a2 = a.rank === 1 ? reshape(a, [1, a.shape[0]]) : a
  const b2 = b.rank === 1 ? reshape(b, [b.shape[0], 1]) : b
  if (a2.shape[1] !== b2.shape[0]) {
    throw new GraphError(`matmul: inner dimensions differ: shapes ${showShape(a.shape)} and ${showShape(b.shape)}`)
  }
  const c = make('matmul', [a2, b2], [a2.shape[0], b2.shape[1]])
  if (a.rank === 1) return reshape(c, [b2.shape[1]])
  if (b.rank === 1) return reshape(c, [a2.shape[0]])
  return c
}

/** ⟨a, b⟩ = Σ aᵢbᵢ for two vectors (or any two tensors of one shape). */
export const dot = (x: SymLike, y: SymLike): Sym => {
  const a = lift(x)
  const b = lift(y)
  if (!shapeEquals(a.shape, b.shape)) {
    throw new GraphError(`dot: shapes ${showShape(a.shape)} and ${showShape(b.shape)} differ`)
  }
  return sum(mul(a, b))
}

/** outer(a, b)ᵢⱼ = aᵢbⱼ = reshape(a,[n,1]) · reshape(b,[1,m]) broadcast. */
export const outer = (x: SymLike, y: SymLike): Sym => {
  const a = lift(x)
  const b = lift(y)
  if (a.rank !== 1 || b.rank !== 1) throw new GraphError(`outer: needs two vectors, got shapes ${showShape(a.shape)} and ${showShape(b.shape)}`)
  return mul(reshape(a, [a.size, 1]), reshape(b, [1, b.size]))
}

// -------------------------------------------------------------------------------------
// custom derivatives
// -------------------------------------------------------------------------------------

/** What a custom derivative rule receives: the inputs, the output and the output's cotangent. */
export interface CustomVjpArgs {
  readonly inputs: readonly Sym[]
  readonly output: Sym
  readonly cotangent: Sym
}

/** A custom forward-mode rule's arguments: the inputs' tangents (`undefined` where zero). */
export interface CustomJvpArgs {
  readonly inputs: readonly Sym[]
  readonly output: Sym
  readonly tangents: readonly (Sym | undefined)[]
}

/**
 * A function with a derivative of your choosing: `f` gives the value, `vjp`
 * the cotangent of each input from the output's cotangent (one `SymLike`
 * per input, or one for a function of one input), written with graph ops so
 * that it can be differentiated again. `grad`, `vjp`, `hvp` and `hessian`
 * use it. Forward mode (`jvp`, and `hvp`/`hessian` through f itself) uses
 * `options.jvp` when given; otherwise it transposes the vjp rule, which must
 * then be linear in the cotangent (every true vjp is): an error says so when
 * it is not. A straight-through estimator:
 * @example const ste = customVjp((x: Sym) => x.sign(), ({ cotangent }) => cotangent)
 */
export const customVjp = <A extends readonly Sym[]>(
  f: (...xs: A) => SymLike,
  vjp: (args: CustomVjpArgs) => SymLike | readonly SymLike[],
  options: { readonly name?: string; readonly jvp?: (args: CustomJvpArgs) => SymLike | undefined } = {}
): ((...xs: { readonly [K in keyof A]: SymLike }) => Sym) => {
  const name = options.name ?? (f.name !== '' ? f.name : 'customVjp')
  const rule: CustomRule = {
    name,
    vjp: (cotangent, output, inputs) => {
      const r = vjp({ inputs, output, cotangent })
      const parts = Array.isArray(r) ? (r as readonly SymLike[]) : [r as SymLike]
      if (parts.length !== inputs.length) {
        throw new GraphError(`customVjp ${name}: the rule returned ${parts.length} cotangents for ${inputs.length} inputs`)
      }
      return parts.map((p, i) => broadcastTo(p, inputs[i].shape))
    },
    jvp: options.jvp === undefined ? undefined : (tangents, output, inputs) => {
      const t = options.jvp!({ inputs, output, tangents })
      return t === undefined ? undefined : broadcastTo(t, output.shape)
    }
  }
  return (...xs) => {
    const inputs = xs.map(lift)
    const y = lift(f(...(inputs as unknown as A)))
    return make('custom', [y, ...inputs], y.shape, { rule })
  }
}
