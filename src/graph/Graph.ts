/**
 * A graph is a value: input nodes and output nodes of an immutable DAG.
 * This module orders, counts, prints and simplifies graphs, and holds the two
 * derivative transforms — reverse (`vjpGraph`) and forward (`jvpGraph`) —
 * which return new nodes of the same kind, so they apply to their own output.
 * Every walk is iterative: a chain of a million nodes needs no deep stack.
 */
import { formatNumber } from '../tensor/Tensor.js'
import { showShape } from '../tensor/Shape.js'
import { Builder, GraphError, make, withBuilder } from './build.js'
import {
  add, broadcastTo, concat, div, matmul, mul, neg, pad, pow, powConst, reshape, sliceAll, sub, sum, max, transpose
} from './ops.js'
import * as rules from './rules.js'
import { Sym } from './Sym.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A graph as a value: input nodes (in argument order) and output nodes, shared subexpressions once. */
export interface Graph {
  /** The `input` nodes, in the order an `Evaluator` takes their tensors. */
  readonly inputs: readonly Sym[]
  /** The nodes whose values are computed. */
  readonly outputs: readonly Sym[]
}

// -------------------------------------------------------------------------------------
// walks
// -------------------------------------------------------------------------------------

/**
 * Every node the outputs depend on, inputs before the nodes that use them.
 * A node is always made after its inputs, so ascending id is such an order.
 */
export const topoOrder = (outputs: readonly Sym[]): Sym[] => {
  const seen = new Set<Sym>()
  const stack = [...outputs]
  while (stack.length > 0) {
    const n = stack.pop()!
    if (seen.has(n)) continue
    seen.add(n)
    for (const i of n.inputs) if (!seen.has(i)) stack.push(i)
  }
  return [...seen].sort((a, b) => a.id - b.id)
}

/** Number of nodes in the graph (inputs and constants included). */
export const nodeCount = (g: Graph): number => topoOrder(g.outputs).length

/** The message for an input node that is not one of the graph's inputs. */
export const foreignInput = (n: Sym): string =>
  `the graph reads an input (x${n.attrs.index}, shape ${showShape(n.shape)}) that is not one of its inputs: ` +
  'was a symbolic tensor kept from another traced function and used here?'

/** How many times each node is used as an input by the given nodes. */
export const useCounts = (order: readonly Sym[]): Map<Sym, number> => {
  const uses = new Map<Sym, number>()
  for (const n of order) for (const i of n.inputs) uses.set(i, (uses.get(i) ?? 0) + 1)
  return uses
}

// -------------------------------------------------------------------------------------
// transforms
// -------------------------------------------------------------------------------------

/** The nodes of `order` that depend on at least one of `wrt`. */
const dependents = (order: readonly Sym[], wrt: readonly Sym[]): Set<Sym> => {
  const dep = new Set<Sym>(wrt)
  for (const n of order) {
    if (dep.has(n)) continue
    for (const i of n.inputs) {
      if (dep.has(i)) {
        dep.add(n)
        break
      }
    }
  }
  return dep
}

const zerosLike = (x: Sym): Sym => broadcastTo(0, x.shape)

/**
 * Reverse mode on graphs: the cotangents of `wrt` for an output whose
 * cotangent is `seed`. Two steps: order the graph, then sweep it backwards
 * accumulating each node's cotangent into its inputs'.
 */
export const vjpGraph = (output: Sym, wrt: readonly Sym[], seed: Sym): Sym[] => {
  if (seed.shape.length !== output.shape.length || seed.shape.some((d, i) => d !== output.shape[i])) {
    throw new GraphError(`vjp: cotangent of shape ${showShape(seed.shape)} for an output of shape ${showShape(output.shape)}`)
  }
  const order = topoOrder([output, seed])
  return withBuilder(new Builder().seed(order), () => {
    const dep = dependents(order, wrt)
    const wanted = new Set(wrt)
    const cotangent = new Map<Sym, Sym>([[output, seed]])
    for (let k = order.length - 1; k >= 0; k--) {
      const node = order[k]
      const ct = cotangent.get(node)
      if (ct === undefined || !dep.has(node) || node.inputs.length === 0) continue
      const needed = node.inputs.map((i) => dep.has(i))
      const parts = rules.vjp(node, ct, needed)
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i]
        if (part === undefined || !needed[i]) continue
        const input = node.inputs[i]
        const previous = cotangent.get(input)
        cotangent.set(input, previous === undefined ? part : add(previous, part))
      }
      // a node's cotangent is complete once the sweep passes it: let it go
      if (!wanted.has(node)) cotangent.delete(node)
    }
    return wrt.map((w) => cotangent.get(w) ?? zerosLike(w))
  })
}

/** Forward mode on graphs: the tangents of `outputs` when `wrt[i]` moves along `tangents[i]`. */
export const jvpGraph = (outputs: readonly Sym[], wrt: readonly Sym[], tangents: readonly Sym[]): Sym[] => {
  wrt.forEach((w, i) => {
    const t = tangents[i]
    if (t.shape.length !== w.shape.length || t.shape.some((d, k) => d !== w.shape[k])) {
      throw new GraphError(`jvp: tangent ${i} has shape ${showShape(t.shape)}, its input has ${showShape(w.shape)}`)
    }
  })
  const order = topoOrder([...outputs, ...tangents])
  return withBuilder(new Builder().seed(order), () => {
    const tangent = new Map<Sym, Sym>()
    wrt.forEach((w, i) => tangent.set(w, tangents[i]))
    for (const node of order) {
      if (tangent.has(node) || node.inputs.length === 0) continue
      const ts = node.inputs.map((i) => tangent.get(i))
      if (ts.every((t) => t === undefined)) continue
      const t = rules.jvp(node, ts)
      if (t !== undefined) tangent.set(node, t)
    }
    return outputs.map((o) => tangent.get(o) ?? zerosLike(o))
  })
}

// -------------------------------------------------------------------------------------
// simplify
// -------------------------------------------------------------------------------------

/** Rebuild one node from new inputs through the op constructors (and their identities). */
const rebuild = (n: Sym, xs: readonly Sym[]): Sym => {
  const [a, b] = xs
  switch (n.op) {
    case 'input': case 'const': return n
    case 'add': return add(a, b)
    case 'sub': return sub(a, b)
    case 'mul': return mul(a, b)
    case 'div': return div(a, b)
    case 'pow': return pow(a, b)
    case 'neg': return neg(a)
    case 'powc': return powConst(a, n.attrs.exponent!)
    case 'broadcast': return broadcastTo(a, n.shape)
    case 'reshape': return reshape(a, n.shape)
    case 'transpose': return transpose(a, n.attrs.perm)
    case 'slice': return sliceAll(a, n.attrs.starts!, n.attrs.ends!)
    case 'pad': return pad(a, n.attrs.lo!, n.attrs.hi!)
    case 'concat': return concat(xs, n.attrs.axis)
    case 'sum': return sum(a, n.attrs.axes)
    case 'max': return max(a, n.attrs.axes)
    case 'matmul': return matmul(a, b)
    default: return make(n.op, xs, n.shape, n.attrs)
  }
}

/**
 * The same function with constants folded, identical subexpressions shared,
 * algebraic identities applied (x+0, x·1, −(−x), …) and dead nodes dropped.
 * The inputs are kept as they are.
 */
export const simplify = (g: Graph): Graph => {
  const order = topoOrder(g.outputs)
  return withBuilder(new Builder(), () => {
    const image = new Map<Sym, Sym>()
    for (const n of order) image.set(n, rebuild(n, n.inputs.map((i) => image.get(i)!)))
    return { inputs: g.inputs, outputs: g.outputs.map((o) => image.get(o)!) }
  })
}

// -------------------------------------------------------------------------------------
// printing
// -------------------------------------------------------------------------------------

const attrText = (n: Sym): string => {
  const a = n.attrs
  const parts: string[] = []
  if (a.exponent !== undefined) parts.push(formatNumber(a.exponent))
  if (a.axes !== undefined) parts.push(`axes=[${a.axes.join(',')}]`)
  if (a.perm !== undefined) parts.push(`perm=[${a.perm.join(',')}]`)
  if (a.starts !== undefined) parts.push(a.starts.map((s, d) => `${s}:${a.ends![d]}`).join(','))
  if (a.lo !== undefined) parts.push(`lo=[${a.lo.join(',')}]`, `hi=[${a.hi!.join(',')}]`)
  if (a.axis !== undefined) parts.push(`axis=${a.axis}`)
  if (n.op === 'broadcast' || n.op === 'reshape') parts.push(showShape(n.shape))
  return parts.length > 0 ? `, ${parts.join(', ')}` : ''
}

const INFIX: Partial<Record<string, string>> = { add: '+', sub: '-', mul: '*', div: '/', pow: '^' }

/**
 * A readable text of the graph: one `let` per shared subexpression, then the
 * outputs. Inputs are named `x0, x1, …` unless names are given.
 */
export const showGraph = (g: Graph, names?: readonly string[]): string => {
  const order = topoOrder(g.outputs)
  const uses = useCounts(order)
  for (const o of g.outputs) uses.set(o, (uses.get(o) ?? 0) + 1)
  const text = new Map<Sym, string>()
  const lets: string[] = []
  let t = 0
  for (const n of order) {
    let s: string
    if (n.op === 'input') s = names?.[n.attrs.index!] ?? `x${n.attrs.index}`
    else if (n.op === 'const') {
      const v = n.attrs.value!
      s = v.size === 1 ? formatNumber(v.data[0]) : `const${showShape(v.shape)}`
    } else {
      const args = n.inputs.map((i) => text.get(i)!)
      const infix = INFIX[n.op]
      s = infix !== undefined ? `(${args[0]} ${infix} ${args[1]})` : n.op === 'neg' ? `-${args[0]}` : `${n.op}(${args.join(', ')}${attrText(n)})`
    }
    const shared = (uses.get(n) ?? 0) > 1 && n.inputs.length > 0
    if (shared || s.length > 120) {
      const name = `t${t++}`
      lets.push(`let ${name} = ${s}`)
      s = name
    }
    text.set(n, s)
  }
  const outs = g.outputs.map((o, i) => `out${g.outputs.length > 1 ? i : ''} = ${text.get(o)}`)
  return [...lets, ...outs].join('\n')
}

export { Sym }
