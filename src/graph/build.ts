/**
 * Building nodes: hash-consing (identical subexpressions become one node),
 * constant folding and a few algebraic identities, applied as each node is
 * made. Every op constructor goes through `make`, so every graph — traced,
 * differentiated or simplified — is built the same way.
 */
import { type Shape, sizeOf } from '../tensor/Shape.js'
import { Tensor } from '../tensor/Tensor.js'
import { forward } from './forward.js'
import { type Attrs, type OpName, Sym } from './Sym.js'

// -------------------------------------------------------------------------------------
// errors
// -------------------------------------------------------------------------------------

/** A mistake in a traced program: a shape mismatch, a bad axis, an index out of range. */
export class GraphError extends Error {
  /** Always `'GraphError'`, so the class survives in messages and logs. */
  override readonly name = 'GraphError'
}

// -------------------------------------------------------------------------------------
// the builder: where new nodes are interned
// -------------------------------------------------------------------------------------

/** Constants up to this many elements are folded at build time. */
const FOLD_LIMIT = 4096

export class Builder {
  private readonly table = new Map<string, Sym>()

  /** Make `nodes` known, so that rebuilding one of them returns it. */
  seed(nodes: Iterable<Sym>): this {
    for (const n of nodes) {
      const key = nodeKey(n)
      if (key !== undefined && !this.table.has(key)) this.table.set(key, n)
    }
    return this
  }

  intern(op: OpName, inputs: readonly Sym[], shape: Shape, attrs: Attrs): Sym {
    const key = keyOf(op, inputs, shape, attrs)
    if (key === undefined) return new Sym(op, inputs, shape, attrs)
    const found = this.table.get(key)
    if (found !== undefined) return found
    const node = new Sym(op, inputs, shape, attrs, key)
    this.table.set(key, node)
    return node
  }
}

let current: Builder | undefined

/** Run `f` with new nodes interned in `builder`. */
export const withBuilder = <A>(builder: Builder, f: () => A): A => {
  const previous = current
  current = builder
  try {
    return f()
  } finally {
    current = previous
  }
}

const objectIds = new WeakMap<object, number>()
let nextObjectId = 0
/** A number naming an object (a constant's tensor, a custom rule) in hash-consing keys. */
const objectId = (t: object): number => {
  let id = objectIds.get(t)
  if (id === undefined) {
    id = nextObjectId++
    objectIds.set(t, id)
  }
  return id
}

const nodeKey = (n: Sym): string | undefined => n.key ?? keyOf(n.op, n.inputs, n.shape, n.attrs)

/** A number as text that tells −0 from 0 (the key of a scalar constant). */
const numberKey = (x: number): string => (Object.is(x, -0) ? '-0' : String(x))

const keyOf = (op: OpName, inputs: readonly Sym[], shape: Shape, attrs: Attrs): string | undefined => {
  if (op === 'input') return undefined
  if (op === 'const') {
    const v = attrs.value!
    return v.size === 1 ? `c${v.shape.length}:${numberKey(v.data[0])}` : `C:${objectId(v)}`
  }
  let key = op
  for (const i of inputs) key += `,${i.id}`
  if (attrs.exponent !== undefined) key += `|e${numberKey(attrs.exponent)}`
  if (attrs.axes !== undefined) key += `|a${attrs.axes.join(' ')}`
  if (attrs.perm !== undefined) key += `|p${attrs.perm.join(' ')}`
  if (attrs.starts !== undefined) key += `|s${attrs.starts.join(' ')}:${attrs.ends!.join(' ')}`
  if (attrs.lo !== undefined) key += `|l${attrs.lo.join(' ')}:${attrs.hi!.join(' ')}`
  if (attrs.axis !== undefined) key += `|x${attrs.axis}`
  if (attrs.delta !== undefined) key += `|d${numberKey(attrs.delta)}`
  if (attrs.rule !== undefined) key += `|r${objectId(attrs.rule)}`
  // reshape and broadcast are told apart by their target shape alone; other ops' shapes follow from their inputs
  return op === 'reshape' || op === 'broadcast' ? `${key}|${shape.join(' ')}` : key
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** The one way nodes are made: fold constants, then intern. */
export const make = (op: OpName, inputs: readonly Sym[], shape: Shape, attrs: Attrs = {}): Sym => {
  // Folding a broadcast or a pad would only spell out a bigger constant than it reads;
  // a matrix product's kernels belong to the evaluators, which compute it at run time.
  const expands = op === 'broadcast' || op === 'pad' || op === 'matmul'
  if (!expands && op !== 'const' && op !== 'input' && inputs.length > 0 && sizeOf(shape) <= FOLD_LIMIT && inputs.every(isConst)) {
    const value = forward(new Sym(op, inputs, shape, attrs), inputs.map((i) => i.attrs.value!))
    return constantNode(value)
  }
  return current === undefined ? new Sym(op, inputs, shape, attrs) : current.intern(op, inputs, shape, attrs)
}

export const constantNode = (value: Tensor): Sym => make('const', [], value.shape, { value })

export const inputNode = (index: number, shape: Shape): Sym => make('input', [], shape, { index })

export const isConst = (s: Sym): boolean => s.op === 'const'

/** The value of a constant node whose elements all equal one number, if it is one. */
export const constantValue = (s: Sym): number | undefined => {
  if (s.op === 'const') {
    const d = s.attrs.value!.data
    if (d.length === 0) return undefined
    const v = d[0]
    for (let i = 1; i < d.length; i++) if (!Object.is(d[i], v)) return undefined
    return v
  }
  if (s.op === 'broadcast') return constantValue(s.inputs[0])
  return undefined
}

const SCALAR: Shape = Object.freeze([])

export const scalarConstant = (x: number): Sym => constantNode(Tensor.unsafeWrap(SCALAR, Float64Array.of(x)))
