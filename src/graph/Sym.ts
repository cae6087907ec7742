/**
 * The node of an autodiff graph, which is also the symbolic tensor a user
 * writes functions with. A node is immutable: an op, its inputs, its shape and
 * constant attributes. Nodes are hash-consed while a graph is built, so
 * identical subexpressions are one node, and ids grow with creation, so
 * sorting nodes by id is a topological order.
 */
import type { Shape } from '../tensor/Shape.js'
import type { Tensor } from '../tensor/Tensor.js'
// A cycle on purpose: the fluent methods call the op constructors, which make nodes.
import * as ops from './ops.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Ops of one input, mapping each element on its own (`powc` and `huber` carry a constant attribute). */
export type UnaryOp =
  | 'neg' | 'exp' | 'log' | 'sin' | 'cos' | 'tan' | 'sqrt' | 'tanh' | 'sigmoid'
  | 'abs' | 'sign' | 'step' | 'relu' | 'softplus' | 'square' | 'powc'
  | 'atan' | 'asin' | 'acos' | 'sinh' | 'cosh' | 'asinh' | 'log1p' | 'expm1' | 'erf' | 'huber' | 'stopgrad'

/** Ops of two inputs of one (broadcast) shape, elementwise: arithmetic, min/max and comparison masks. */
export type BinaryOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'minimum' | 'maximum'
  | 'eqmask' | 'notequal' | 'less' | 'lessequal' | 'greater' | 'greaterequal'

/** Ops of three inputs: `where(cond, a, b)` and `clip(x, lo, hi)`. */
export type TernaryOp = 'where' | 'clip'

/** Ops that map elements to elements (inputs broadcast to the output's shape): one entry each in the op tables. */
export type ElementwiseOp = UnaryOp | BinaryOp | TernaryOp

/** Ops that move, reduce or combine elements, and a user's own derivative (`custom`). */
export type StructuralOp =
  | 'broadcast' | 'reshape' | 'transpose' | 'slice' | 'pad' | 'concat' | 'sum' | 'max' | 'matmul' | 'custom'

/** Every op a node can have: graph inputs, constants, elementwise and structural ops. */
export type OpName = 'input' | 'const' | ElementwiseOp | StructuralOp

/**
 * A user's derivative for `customVjp`: the cotangents of the inputs `xs`
 * given the output `y` and its cotangent `ct`, written with graph ops.
 */
export interface CustomRule {
  /** The name shown in graphs and errors (the function's name by default). */
  readonly name: string
  /** The cotangent of each input, one per input, of its shape. */
  readonly vjp: (ct: Sym, y: Sym, xs: readonly Sym[]) => readonly Sym[]
  /** The tangent of `y` given the inputs' tangents (`undefined` for a zero); derived from `vjp` when absent. */
  readonly jvp?: (ts: readonly (Sym | undefined)[], y: Sym, xs: readonly Sym[]) => Sym | undefined
}

/** Constant attributes of a node: numbers only, never text from a user. */
export interface Attrs {
  /** input: position among the graph's inputs. */
  readonly index?: number
  /** const: the value. */
  readonly value?: Tensor
  /** powc: the constant exponent. */
  readonly exponent?: number
  /** sum, max: reduced axes (sorted). */
  readonly axes?: readonly number[]
  /** transpose: output axis d is input axis perm[d]. */
  readonly perm?: readonly number[]
  /** slice: per-axis start (inclusive). */
  readonly starts?: readonly number[]
  /** slice: per-axis end (exclusive). */
  readonly ends?: readonly number[]
  /** pad: zeros added before, per axis. */
  readonly lo?: readonly number[]
  /** pad: zeros added after, per axis. */
  readonly hi?: readonly number[]
  /** concat: the axis joined along. */
  readonly axis?: number
  /** huber: the threshold between the quadratic and the linear part. */
  readonly delta?: number
  /** custom: the user's derivative. */
  readonly rule?: CustomRule
}

let nextId = 0
const NO_ATTRS: Attrs = Object.freeze({})

/**
 * A symbolic tensor: an immutable graph node with an op, inputs, a shape and
 * constant attributes. Write functions with the op constructors or the
 * fluent methods (`x.sub(1).square()` is `square(sub(x, 1))`), then hand
 * them to `grad`, `jit`, `trace` and the other transforms.
 * @example const f = (x: Sym) => x.square().sum() // f(x) = Σ xᵢ², ∇f = 2x
 */
export class Sym {
  /** A creation counter: inputs always have smaller ids, so sorting by id is a topological order. */
  readonly id: number

  /** Use the op constructors in `ops.ts`; this is the raw node. */
  constructor(
    /** What the node computes (`'input'`, `'const'`, `'add'`, …). */
    readonly op: OpName,
    /** The operands, already broadcast to the shape an elementwise op needs. */
    readonly inputs: readonly Sym[],
    /** The output's shape (frozen). */
    readonly shape: Shape,
    /** Constant attributes: axes, exponent, constant value, … */
    readonly attrs: Attrs = NO_ATTRS,
    /** The hash-consing key, when the node was interned (internal). */
    readonly key?: string
  ) {
    this.id = nextId++
    Object.freeze(shape)
  }

  /** The number of elements: the product of the shape (1 for a scalar). */
  get size(): number {
    let n = 1
    for (const d of this.shape) n *= d
    return n
  }

  /** The number of axes (0 for a scalar). */
  get rank(): number {
    return this.shape.length
  }

  // fluent forms of the ops: `x.sub(1).square()` is `square(sub(x, 1))`
  /** Add elementwise, broadcasting: `add(this, b)`. */
  add(b: SymLike): Sym { return ops.add(this, b) }
  /** Subtract elementwise, broadcasting: `sub(this, b)`. */
  sub(b: SymLike): Sym { return ops.sub(this, b) }
  /** Multiply elementwise, broadcasting (not `matmul`): `mul(this, b)`. */
  mul(b: SymLike): Sym { return ops.mul(this, b) }
  /** Divide elementwise, broadcasting: `div(this, b)`. */
  div(b: SymLike): Sym { return ops.div(this, b) }
  /** Raise elementwise to the power b, broadcasting (PyTorch's derivative masks at 0): `pow(this, b)`. */
  pow(b: SymLike): Sym { return ops.pow(this, b) }
  /** Negate: `neg(this)`. */
  neg(): Sym { return ops.neg(this) }
  /** Square elementwise: `square(this)`. */
  square(): Sym { return ops.square(this) }
  /** Take the square root elementwise: `sqrt(this)`. */
  sqrt(): Sym { return ops.sqrt(this) }
  /** Exponentiate elementwise: `exp(this)`. */
  exp(): Sym { return ops.exp(this) }
  /** Take the natural logarithm elementwise: `log(this)`. */
  log(): Sym { return ops.log(this) }
  /** Take the sine elementwise: `sin(this)`. */
  sin(): Sym { return ops.sin(this) }
  /** Take the cosine elementwise: `cos(this)`. */
  cos(): Sym { return ops.cos(this) }
  /** Take the tangent elementwise: `tan(this)`. */
  tan(): Sym { return ops.tan(this) }
  /** Take the hyperbolic tangent elementwise: `tanh(this)`. */
  tanh(): Sym { return ops.tanh(this) }
  /** Apply σ(x) = 1/(1+e^−x) elementwise: `sigmoid(this)`. */
  sigmoid(): Sym { return ops.sigmoid(this) }
  /** Take |x| elementwise (derivative 0 at 0): `abs(this)`. */
  abs(): Sym { return ops.abs(this) }
  /** Apply max(x, 0) elementwise (derivative 0 at 0): `relu(this)`. */
  relu(): Sym { return ops.relu(this) }
  /** Take the sign elementwise (derivative zero): `sign(this)`. */
  sign(): Sym { return ops.sign(this) }
  /** Take the arctangent elementwise: `atan(this)`. */
  atan(): Sym { return ops.atan(this) }
  /** Take the arcsine elementwise: `asin(this)`. */
  asin(): Sym { return ops.asin(this) }
  /** Take the arccosine elementwise: `acos(this)`. */
  acos(): Sym { return ops.acos(this) }
  /** Take the hyperbolic sine elementwise: `sinh(this)`. */
  sinh(): Sym { return ops.sinh(this) }
  /** Take the hyperbolic cosine elementwise: `cosh(this)`. */
  cosh(): Sym { return ops.cosh(this) }
  /** Take the inverse hyperbolic sine elementwise: `asinh(this)`. */
  asinh(): Sym { return ops.asinh(this) }
  /** Compute log(1 + x) elementwise, accurate near 0: `log1p(this)`. */
  log1p(): Sym { return ops.log1p(this) }
  /** Compute eˣ − 1 elementwise, accurate near 0: `expm1(this)`. */
  expm1(): Sym { return ops.expm1(this) }
  /** Apply the error function elementwise: `erf(this)`. */
  erf(): Sym { return ops.erf(this) }
  /** Apply Huber's function elementwise (`delta` defaults to 1): `huber(this, delta)`. */
  huber(delta?: number): Sym { return ops.huber(this, delta) }
  /** Keep the value, drop the derivative: `stopGradient(this)`. */
  stopGradient(): Sym { return ops.stopGradient(this) }
  /** Take the elementwise minimum (ties share the gradient): `minimum(this, b)`. */
  minimum(b: SymLike): Sym { return ops.minimum(this, b) }
  /** Take the elementwise maximum (ties share the gradient): `maximum(this, b)`. */
  maximum(b: SymLike): Sym { return ops.maximum(this, b) }
  /** Clamp elementwise to [lo, hi]: `clip(this, lo, hi)`. */
  clip(lo: SymLike, hi: SymLike): Sym { return ops.clip(this, lo, hi) }
  /** Compare: 1 where x < b, else 0: `less(this, b)`. */
  less(b: SymLike): Sym { return ops.less(this, b) }
  /** Compare: 1 where x ≤ b, else 0: `lessEqual(this, b)`. */
  lessEqual(b: SymLike): Sym { return ops.lessEqual(this, b) }
  /** Compare: 1 where x > b, else 0: `greater(this, b)`. */
  greater(b: SymLike): Sym { return ops.greater(this, b) }
  /** Compare: 1 where x ≥ b, else 0: `greaterEqual(this, b)`. */
  greaterEqual(b: SymLike): Sym { return ops.greaterEqual(this, b) }
  /** Compare: 1 where x = b, else 0: `equal(this, b)`. */
  equal(b: SymLike): Sym { return ops.equal(this, b) }
  /** Compare: 1 where x ≠ b, else 0: `notEqual(this, b)`. */
  notEqual(b: SymLike): Sym { return ops.notEqual(this, b) }
  /** Compute softmax along `axis` (default the last): `softmax(this, axis)`. */
  softmax(axis?: number): Sym { return ops.softmax(this, axis) }
  /** Compute log softmax along `axis` (default the last): `logSoftmax(this, axis)`. */
  logSoftmax(axis?: number): Sym { return ops.logSoftmax(this, axis) }
  /** Apply log(1 + eˣ) elementwise: `softplus(this)`. */
  softplus(): Sym { return ops.softplus(this) }
  /** Sum over `axes` (all by default), removing them: `sum(this, axes)`. */
  sum(axes?: number | readonly number[]): Sym { return ops.sum(this, axes) }
  /** Average over `axes` (all by default), removing them: `mean(this, axes)`. */
  mean(axes?: number | readonly number[]): Sym { return ops.mean(this, axes) }
  /** Take the maximum over `axes` (all by default), removing them: `max(this, axes)`. */
  max(axes?: number | readonly number[]): Sym { return ops.max(this, axes) }
  /** Compute log Σ exp over `axes` (all by default), stably: `logsumexp(this, axes)`. */
  logsumexp(axes?: number | readonly number[]): Sym { return ops.logsumexp(this, axes) }
  /** Multiply matrices (or a matrix and a vector): `matmul(this, b)`. */
  matmul(b: SymLike): Sym { return ops.matmul(this, b) }
  /** Take the inner product with a tensor of the same shape: `dot(this, b)`. */
  dot(b: SymLike): Sym { return ops.dot(this, b) }
  /** Permute axes (reverse them by default): `transpose(this, perm)`. */
  transpose(perm?: readonly number[]): Sym { return ops.transpose(this, perm) }
  /** Reshape to a shape of the same size (one −1 allowed): `reshape(this, shape)`. */
  reshape(shape: readonly number[]): Sym { return ops.reshape(this, shape) }
  /** Pick the element at a multi-index, as a scalar: `at(this, ...index)`. */
  at(...index: number[]): Sym { return ops.at(this, ...index) }
  /** Slice `start` to `end` along `axis` (default 0): `slice(this, start, end, axis)`. */
  slice(start: number, end?: number, axis?: number): Sym { return ops.slice(this, start, end, axis) }
}

/** What every op accepts as an operand: a node, or a tensor or number lifted to a constant. */
export type SymLike = Sym | number | Tensor

