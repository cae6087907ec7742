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

/**
 * Make a constant node from a tensor or a number (a number is a scalar,
 * shape []). A constant's derivative is zero.
 */
export const constant = (value: Tensor | number): Sym =>
  typeof value === 'number' ? scalarConstant(value) : constantNode(value)

/**
 * Lift a number or tensor to a constant node; a node passes through
 * unchanged. Every op calls this on its arguments, so you rarely need to.
 */
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

/** Negate elementwise: −x; a double negation cancels to x itself. */
export const neg: (x: SymLike) => Sym = unary('neg')
/** Exponentiate elementwise: eˣ; its derivative is the output itself. */
export const exp: (x: SymLike) => Sym = unary('exp')
/** Take the natural logarithm elementwise: log x (NaN below 0, −∞ at 0); derivative 1/x. */
export const log: (x: SymLike) => Sym = unary('log')
/** Take the sine elementwise (radians); derivative cos x. */
export const sin: (x: SymLike) => Sym = unary('sin')
/** Take the cosine elementwise (radians); derivative −sin x. */
export const cos: (x: SymLike) => Sym = unary('cos')
/** Take the tangent elementwise (radians); derivative 1 + tan²x. */
export const tan: (x: SymLike) => Sym = unary('tan')
/** Take the square root elementwise: √x (NaN below 0); derivative 1/(2√x), ∞ at 0. */
export const sqrt: (x: SymLike) => Sym = unary('sqrt')
/** Take the hyperbolic tangent elementwise; derivative 1 − tanh²x. */
export const tanh: (x: SymLike) => Sym = unary('tanh')
/** Apply the logistic function elementwise: σ(x) = 1/(1+e^−x), computed without overflow; derivative σ(1 − σ). */
export const sigmoid: (x: SymLike) => Sym = unary('sigmoid')
/** Take the absolute value elementwise: |x|; derivative sign(x), so 0 at x = 0 (as PyTorch). */
export const abs: (x: SymLike) => Sym = unary('abs')
/** Take the sign elementwise: −1, 0 or 1 (NaN stays NaN); its derivative is zero everywhere, 0 included. */
export const sign: (x: SymLike) => Sym = unary('sign')
/** Take the arctangent elementwise; derivative 1/(1 + x²). */
export const atan: (x: SymLike) => Sym = unary('atan')
/** Take the arcsine elementwise (NaN outside [−1, 1]); derivative 1/√(1 − x²), ∞ at ±1. */
export const asin: (x: SymLike) => Sym = unary('asin')
/** Take the arccosine elementwise (NaN outside [−1, 1]); derivative −1/√(1 − x²), −∞ at ±1. */
export const acos: (x: SymLike) => Sym = unary('acos')
/** Take the hyperbolic sine elementwise; derivative cosh x. */
export const sinh: (x: SymLike) => Sym = unary('sinh')
/** Take the hyperbolic cosine elementwise; derivative sinh x. */
export const cosh: (x: SymLike) => Sym = unary('cosh')
/** Take the inverse hyperbolic sine elementwise; derivative 1/√(x² + 1). */
export const asinh: (x: SymLike) => Sym = unary('asinh')
/** Compute log(1 + x) elementwise, accurate near x = 0; derivative 1/(1 + x). */
export const log1p: (x: SymLike) => Sym = unary('log1p')
/** Compute eˣ − 1 elementwise, accurate near x = 0; derivative eˣ. */
export const expm1: (x: SymLike) => Sym = unary('expm1')
/**
 * Apply the error function elementwise: erf(x) = 2/√π ∫₀ˣ e^(−t²) dt, one
 * implementation (within 2 ulp) for every evaluator; derivative 2/√π·e^(−x²).
 */
export const erf: (x: SymLike) => Sym = unary('erf')

/**
 * Block the derivative: the value passes, the derivative is zero: in reverse and forward mode, at
 * every order (`grad`, `jvp`, `hvp`, `hessian` all see a constant).
 * @example sub(x, stopGradient(mean(x))) // centred x; the mean's gradient is dropped
 */
export const stopGradient: (x: SymLike) => Sym = unary('stopgrad')

/**
 * Apply Huber's function elementwise: x²/2 where |x| < δ, else δ(|x| − δ/2);
 * PyTorch's `huber_loss(x, 0, reduction='none', delta=δ)`. Its derivative is
 * clip(x, −δ, δ). `delta` defaults to 1 and must be positive.
 */
export const huber = (x: SymLike, delta = 1): Sym => {
  if (!(delta > 0) || !Number.isFinite(delta)) throw new GraphError(`huber: delta must be a positive finite number, got ${delta}`)
  const a = lift(x)
  return make('huber', [a], a.shape, { delta })
}

/** Apply the Heaviside step elementwise: 1 where x > 0, else 0 (0 at x = 0); its derivative is zero. */
export const step: (x: SymLike) => Sym = unary('step')
/** Rectify elementwise: max(x, 0); derivative step(x), so 0 at x = 0 (as PyTorch). */
export const relu: (x: SymLike) => Sym = unary('relu')
/** Apply softplus elementwise: log(1 + eˣ), computed without overflow; derivative σ(x). */
export const softplus: (x: SymLike) => Sym = unary('softplus')
/** Square elementwise: x²; derivative 2x. `powConst(x, 2)` becomes this node. */
export const square: (x: SymLike) => Sym = unary('square')

/**
 * Raise to a constant power elementwise: x^c; derivative c·x^(c−1).
 * c = 0 gives ones of x's shape (1 even at NaN, as `Math.pow`), c = 1 gives
 * x itself and c = 2 gives `square(x)`.
 */
export const powConst = (x: SymLike, c: number): Sym => {
  const a = lift(x)
  if (c === 0) return broadcastTo(1, a.shape) // x⁰ = 1 everywhere (Math.pow(x, 0) is 1 even for NaN)
  if (c === 1) return a
  if (c === 2) return square(a)
  return make('powc', [a], a.shape, { exponent: c })
}

/**
 * Broadcast `x` to `shape` (NumPy rules: align trailing axes; a size-1 or
 * missing axis repeats); an error names both shapes. The gradient sums back
 * over the repeated axes.
 * @example broadcastTo(tensor([1, 2]), [3, 2]) // three rows [1, 2]
 */
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

/**
 * Add elementwise: a + b, broadcasting the shapes as NumPy does (an error
 * names both shapes when they do not broadcast). The gradient of a
 * broadcast input is summed back to its own shape.
 * @example add(x, 1) // x + 1 for every element of x
 */
export const add = (a: SymLike, b: SymLike): Sym => binary('add', a, b)
/** Subtract elementwise: a − b, broadcasting as `add`; derivatives 1 and −1. */
export const sub = (a: SymLike, b: SymLike): Sym => binary('sub', a, b)
/** Multiply elementwise (not the matrix product, see `matmul`): a·b, broadcasting as `add`; derivatives b and a. */
export const mul = (a: SymLike, b: SymLike): Sym => binary('mul', a, b)
/** Divide elementwise: a / b, broadcasting as `add`; derivatives 1/b and −(a/b)/b. */
export const div = (a: SymLike, b: SymLike): Sym => binary('div', a, b)
/**
 * Raise elementwise: a^b, broadcasting as `add`; a constant scalar exponent
 * becomes the cheaper `powConst`. Derivatives follow PyTorch at the kinks:
 * ∂/∂a = b·a^(b−1) but 0 where b = 0, ∂/∂b = aᵇ·log a but 0 where a = 0
 * and b ≥ 0.
 */
export const pow = (a: SymLike, b: SymLike): Sym => binary('pow', a, b)
/** Compare for equality elementwise: 1 where a = b, else 0 (NaN equals nothing); its derivative is zero. The same op as `equal`, named for its use in the derivative of max. */
export const eqMask = (a: SymLike, b: SymLike): Sym => binary('eqmask', a, b)
/** Compare for equality elementwise: 1 where a = b, else 0 (NaN equals nothing), broadcasting as `add`; its derivative is zero. */
export const equal: (a: SymLike, b: SymLike) => Sym = eqMask
/** Compare elementwise: 1 where a ≠ b, else 0 (1 where a or b is NaN), broadcasting as `add`; derivative zero. */
export const notEqual = (a: SymLike, b: SymLike): Sym => binary('notequal', a, b)
/** Compare elementwise: 1 where a < b, else 0 (0 at NaN), broadcasting as `add`; derivative zero. For `where`. */
export const less = (a: SymLike, b: SymLike): Sym => binary('less', a, b)
/** Compare elementwise: 1 where a ≤ b, else 0 (0 at NaN), broadcasting as `add`; derivative zero. */
export const lessEqual = (a: SymLike, b: SymLike): Sym => binary('lessequal', a, b)
/** Compare elementwise: 1 where a > b, else 0 (0 at NaN), broadcasting as `add`; derivative zero. */
export const greater = (a: SymLike, b: SymLike): Sym => binary('greater', a, b)
/** Compare elementwise: 1 where a ≥ b, else 0 (0 at NaN), broadcasting as `add`; derivative zero. */
export const greaterEqual = (a: SymLike, b: SymLike): Sym => binary('greaterequal', a, b)

/**
 * Take the elementwise minimum, broadcasting as `add` (NaN if either is NaN). At a tie each input gets half
 * the gradient, as in PyTorch's `torch.minimum`.
 */
export const minimum = (a: SymLike, b: SymLike): Sym => binary('minimum', a, b)
/** Take the elementwise maximum, broadcasting as `add` (NaN if either is NaN); at a tie each input gets half the gradient (`torch.maximum`). */
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
 * Select elementwise: `a` where `cond` is nonzero, else `b` (a mask from
 * `less`, `greater`, …); the three shapes broadcast together.
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
 * Clamp elementwise to [lo, hi]: min(max(x, lo), hi), as PyTorch's `clamp`
 * (the three shapes broadcast together): the gradient passes to x where
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

/**
 * Sum over the given axes (all by default; negative axes count from the
 * end); the reduced axes are removed. No axes (`[]`) returns x.
 * @example sum(x, 0) // column sums of a matrix, shape [columns]
 */
export const sum = (x: SymLike, axes?: number | readonly number[]): Sym => reduce('sum', x, axes)
/**
 * Take the maximum over the given axes (all by default); the reduced axes are
 * removed, an empty axis is an error. Tied maxima share the gradient
 * equally, as PyTorch's `amax`.
 */
export const max = (x: SymLike, axes?: number | readonly number[]): Sym => reduce('max', x, axes)

/** Average over the given axes (all by default): sum(x, axes) / (number of elements reduced); the reduced axes are removed. */
export const mean = (x: SymLike, axes?: number | readonly number[]): Sym => {
  const a = lift(x)
  const s = sum(a, axes)
  return div(s, a.size / Math.max(1, s.size))
}

/** The shape `x` would have with reduced axes kept as size 1. */
const keepDims = (x: Sym, axes: readonly number[]): number[] => x.shape.map((d, i) => (axes.includes(i) ? 1 : d))

/**
 * Compute log Σ exp(x) over the given axes (all by default; they are
 * removed) as m + log Σ exp(x − m), m = max(x) where it is finite and 0
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

/** Compute log softmax along `axis` (default the last): x − logsumexp(x), stable for large x; the shape is kept. */
export const logSoftmax = (x: SymLike, axis = -1): Sym => {
  const a = lift(x)
  const ax = singleAxis('logSoftmax', a, axis)
  return sub(a, broadcastTo(reshape(logsumexp(a, ax), keepDims(a, [ax])), a.shape))
}

/** Compute softmax along `axis` (default the last): exp(x − logsumexp(x)), non-negative and summing to 1; the shape is kept. */
export const softmax = (x: SymLike, axis = -1): Sym => exp(logSoftmax(x, axis))

/**
 * Compute the mean cross-entropy (a scalar) of logits of shape [n, classes] (or [classes] for
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

/**
 * Reshape: the same elements, in row-major order, in a new shape of the same
 * size; one dimension may be −1 and is inferred.
 * @example reshape(x, [-1]) // flatten
 */
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

/** Permute axes: output axis d is input axis perm[d]; by default reverse them (the matrix transpose for rank 2). */
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

/**
 * Slice elements `start` (inclusive) to `end` (exclusive, default the end)
 * along `axis` (default 0); negative values count from the end. The axis is
 * kept; the gradient is zero-padded back.
 * @example slice(x, -2) // the last two rows
 */
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

/** Slice every axis at once: per-axis `starts` (inclusive) and `ends` (exclusive), which the caller has checked; the primitive under `slice` and `at`. */
export const sliceAll = (a: Sym, starts: readonly number[], ends: readonly number[]): Sym => {
  if (starts.every((s, d) => s === 0 && ends[d] === a.shape[d])) return a
  return make('slice', [a], starts.map((s, d) => ends[d] - s), { starts, ends })
}

/** Pad with zeros: `lo[d]` before and `hi[d]` after along each axis d (one non-negative integer per axis); the gradient is the slice back. */
export const pad = (x: SymLike, lo: readonly number[], hi: readonly number[]): Sym => {
  const a = lift(x)
  if (lo.length !== a.rank || hi.length !== a.rank || [...lo, ...hi].some((v) => !Number.isInteger(v) || v < 0)) {
    throw new GraphError(`pad: need ${a.rank} non-negative widths before and after for shape ${showShape(a.shape)}`)
  }
  if ([...lo, ...hi].every((v) => v === 0)) return a
  return make('pad', [a], a.shape.map((d, i) => d + lo[i] + hi[i]), { lo, hi })
}

/**
 * Pick the single element at a multi-index (one index per axis), as a
 * scalar; negative indices count from the end.
 * @example at(m, 0, -1) // top-right element of a matrix
 */
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

/** Concatenate tensors along an existing `axis` (default 0); the other axes must match. */
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

/** Stack tensors of one shape along a new `axis` (default 0): n tensors of shape s give shape [n, ...s] for axis 0. */
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

/**
 * Multiply matrices: [n, k]×[k, m] → [n, m], matrix×vector [n, k]×[k] → [n]
 * and vector×matrix [k]×[k, m] → [m]. No broadcasting or batching; use
 * `dot` for two vectors.
 */
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

/** Take the inner product ⟨a, b⟩ = Σ aᵢbᵢ, a scalar, of two vectors (or any two tensors of one shape; no broadcasting). */
export const dot = (x: SymLike, y: SymLike): Sym => {
  const a = lift(x)
  const b = lift(y)
  if (!shapeEquals(a.shape, b.shape)) {
    throw new GraphError(`dot: shapes ${showShape(a.shape)} and ${showShape(b.shape)} differ`)
  }
  return sum(mul(a, b))
}

/** Take the outer product of two vectors: outer(a, b)ᵢⱼ = aᵢbⱼ, shape [n, m] (reshape(a,[n,1]) · reshape(b,[1,m]) broadcast). */
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
  /** The nodes the function was applied to. */
  readonly inputs: readonly Sym[]
  /** The function's value, f(...inputs). */
  readonly output: Sym
  /** The cotangent of the output, of the output's shape. */
  readonly cotangent: Sym
}

/** A custom forward-mode rule's arguments: the inputs' tangents (`undefined` where zero). */
export interface CustomJvpArgs {
  /** The nodes the function was applied to. */
  readonly inputs: readonly Sym[]
  /** The function's value, f(...inputs). */
  readonly output: Sym
  /** One tangent per input, of its shape; `undefined` for an input that does not depend on the perturbed variables. */
  readonly tangents: readonly (Sym | undefined)[]
}

/**
 * Define a function with a derivative of your choosing: `f` gives the value, `vjp`
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
