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

export type UnaryOp =
  | 'neg' | 'exp' | 'log' | 'sin' | 'cos' | 'tan' | 'sqrt' | 'tanh' | 'sigmoid'
  | 'abs' | 'sign' | 'step' | 'relu' | 'softplus' | 'square' | 'powc'

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'eqmask'

export type OpName =
  | 'input' | 'const'
  | UnaryOp | BinaryOp
  | 'broadcast' | 'reshape' | 'transpose' | 'slice' | 'pad' | 'concat'
  | 'sum' | 'max'
  | 'matmul'

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
  /** slice: per-axis start (inclusive) and end (exclusive). */
  readonly starts?: readonly number[]
  readonly ends?: readonly number[]
  /** pad: zeros added before and after, per axis. */
  readonly lo?: readonly number[]
  readonly hi?: readonly number[]
  /** concat: the axis joined along. */
  readonly axis?: number
}

let nextId = 0
const NO_ATTRS: Attrs = Object.freeze({})

export class Sym {
  readonly id: number

  /** Use the op constructors in `ops.ts`; this is the raw node. */
  constructor(
    readonly op: OpName,
    readonly inputs: readonly Sym[],
    readonly shape: Shape,
    readonly attrs: Attrs = NO_ATTRS,
    /** The hash-consing key, when the node was interned (internal). */
    readonly key?: string
  ) {
    this.id = nextId++
    Object.freeze(shape)
  }

  get size(): number {
    let n = 1
    for (const d of this.shape) n *= d
    return n
  }

  get rank(): number {
    return this.shape.length
  }

  // fluent forms of the ops: `x.sub(1).square()` is `square(sub(x, 1))`
  add(b: SymLike): Sym { return ops.add(this, b) }
  sub(b: SymLike): Sym { return ops.sub(this, b) }
  mul(b: SymLike): Sym { return ops.mul(this, b) }
  div(b: SymLike): Sym { return ops.div(this, b) }
  pow(b: SymLike): Sym { return ops.pow(this, b) }
  neg(): Sym { return ops.neg(this) }
  square(): Sym { return ops.square(this) }
  sqrt(): Sym { return ops.sqrt(this) }
  exp(): Sym { return ops.exp(this) }
  log(): Sym { return ops.log(this) }
  sin(): Sym { return ops.sin(this) }
  cos(): Sym { return ops.cos(this) }
  tan(): Sym { return ops.tan(this) }
  tanh(): Sym { return ops.tanh(this) }
  sigmoid(): Sym { return ops.sigmoid(this) }
  abs(): Sym { return ops.abs(this) }
  sign(): Sym { return ops.sign(this) }
  relu(): Sym { return ops.relu(this) }
  softplus(): Sym { return ops.softplus(this) }
  sum(axes?: number | readonly number[]): Sym { return ops.sum(this, axes) }
  mean(axes?: number | readonly number[]): Sym { return ops.mean(this, axes) }
  max(axes?: number | readonly number[]): Sym { return ops.max(this, axes) }
  logsumexp(axes?: number | readonly number[]): Sym { return ops.logsumexp(this, axes) }
  matmul(b: SymLike): Sym { return ops.matmul(this, b) }
  dot(b: SymLike): Sym { return ops.dot(this, b) }
  transpose(perm?: readonly number[]): Sym { return ops.transpose(this, perm) }
  reshape(shape: readonly number[]): Sym { return ops.reshape(this, shape) }
  at(...index: number[]): Sym { return ops.at(this, ...index) }
  slice(start: number, end?: number, axis?: number): Sym { return ops.slice(this, start, end, axis) }
}

export type SymLike = Sym | number | Tensor

