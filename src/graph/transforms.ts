/**
 * Function transforms: `grad`, `valueAndGrad`, `vjp`, `jvp`, `hvp`,
 * `hessian`, `jacobian` and `jit`. Each takes a plain function over symbolic
 * tensors and returns a function over tensors. The function is traced once per
 * input signature (tree structure and shapes), the derivative graph is built
 * from the traced graph, simplified and compiled, and the result is cached;
 * later calls with the same signature only run the compiled code.
 *
 * Derivatives are taken with respect to the first argument (a tensor or a tree
 * of tensors); further arguments are data, traced as inputs too, so a loss of
 * (params, batch) is compiled once for all batches of one shape. Tensors a
 * function closes over are constants of its graph, fixed at the first trace.
 */
import { showShape } from '../tensor/Shape.js'
import { Tensor } from '../tensor/Tensor.js'
import {
  type Flat, type Structure, type TensorTree, type Tree, describe, flattenTensors, joinLeaves, leafOffsets, setOwn,
  signatureOf, unflatten
} from '../tensor/Tree.js'
import { compileGraph } from '../eval/compile.js'
import { interpret } from '../eval/interpret.js'
import { Builder, GraphError, inputNode, scalarConstant, withBuilder } from './build.js'
import { type Graph, jvpGraph, topoOrder, vjpGraph } from './Graph.js'
import { constant, lift, reshape, slice, stack } from './ops.js'
import { Sym, type SymLike } from './Sym.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A tree (nested arrays and records) of symbolic tensors: the symbolic form of a parameter tree. */
export type SymTree = Tree<Sym>

/** The concrete counterpart of a symbolic tree: each `Sym` leaf becomes a `Tensor`. */
export type Concrete<P> = P extends Sym
  ? Tensor
  : P extends readonly unknown[]
    ? { readonly [K in keyof P]: Concrete<P[K]> }
    : P extends object
      ? { readonly [K in keyof P]: Concrete<P[K]> }
      : never

/** The concrete counterparts of a function's data arguments, one `Concrete` each. */
export type ConcreteArgs<R extends readonly unknown[]> = { readonly [K in keyof R]: Concrete<R[K]> }

/** A function written with graph ops, of a first argument and optional data. */
export type SymFunction<P, R extends readonly unknown[]> = (x: P, ...rest: R) => SymLike

/** Graphs above this many nodes are interpreted rather than compiled (huge sources compile slowly). */
const COMPILE_LIMIT = 20_000

// -------------------------------------------------------------------------------------
// tracing
// -------------------------------------------------------------------------------------

/** A traced function: its graph, and which inputs are the first (differentiated) argument. */
export interface Trace {
  /** Inputs: the leaves of every argument, in order; outputs: the function's value. */
  readonly graph: Graph
  /** How many leading inputs belong to the first argument. */
  readonly primalCount: number
  /** The first argument as traced, flattened: its tree structure, leaf paths and tensors. */
  readonly primal: Flat<Tensor>
}

const flattenArg = (what: string, arg: unknown, position: number): Flat<Tensor> => {
  try {
    return flattenTensors(arg as TensorTree)
  } catch (e) {
    throw new GraphError(`${what}: argument ${position + 1}: ${(e as Error).message}`)
  }
}

/**
 * Trace `f` at arguments of these shapes: one input node per leaf of each
 * argument, the function called on symbolic trees of the same structure.
 */
const traceAt = (what: string, f: (...args: never[]) => unknown, args: readonly unknown[]): Trace => {
  const flats = args.map((a, i) => flattenArg(what, a, i))
  return withBuilder(new Builder(), () => {
    let k = 0
    const inputs: Sym[] = []
    const symArgs = flats.map((flat) => {
      const leaves = flat.leaves.map((t) => {
        const node = inputNode(k++, t.shape)
        inputs.push(node)
        return node
      })
      return unflatten(flat.structure, leaves)
    })
    const result = (f as (...xs: unknown[]) => unknown)(...symArgs)
    if (!(result instanceof Sym) && typeof result !== 'number' && !(result instanceof Tensor)) {
      throw new GraphError(`${what}: the function must return a symbolic tensor built with graph ops, it returned ${describe(result)}`)
    }
    return { graph: { inputs, outputs: [lift(result as SymLike)] }, primalCount: flats[0]?.leaves.length ?? 0, primal: flats[0] }
  })
}

/**
 * Trace `f` at arguments of these shapes, without evaluating it: the graph
 * is a value to print (`showGraph`), count, simplify or differentiate (`vjpGraph`, `jvpGraph`).
 * @example showGraph(trace((x: Sym) => x.mul(x.sin()).sum(), tensor([1])).graph, ['x']) // out = sum((x * sin(x)), axes=[0])
 */
export const trace = <P, R extends readonly unknown[]>(f: SymFunction<P, R>, x: Concrete<P>, ...rest: ConcreteArgs<R>): Trace =>
  traceAt('trace', f as never, [x, ...rest])

// -------------------------------------------------------------------------------------
// evaluation
// -------------------------------------------------------------------------------------

/** Run a graph: one tensor per graph input, in order, to the data of each output. */
export type Evaluator = (inputs: readonly Tensor[]) => Float64Array[]

/** Compile a graph to an `Evaluator`, or interpret it when it has more than 20 000 nodes (huge sources compile slowly). */
export const evaluator = (g: Graph): Evaluator => {
  if (topoOrder(g.outputs).length > COMPILE_LIMIT) {
    return (inputs) => interpret(g, inputs).map((t) => t.data)
  }
  return compileGraph(g)
}

const toTensor = (node: Sym, data: Float64Array): Tensor => Tensor.unsafeWrap(node.shape, data)

const leavesOf = (args: readonly unknown[]): { leaves: Tensor[]; key: string } => {
  // the common case, every argument a tensor, skips the tree walk
  if (args.every((a) => a instanceof Tensor)) {
    const leaves = args as Tensor[]
    let key = ''
    for (const t of leaves) key += `${t.shape.join(',')};`
    return { leaves, key }
  }
  const flats = args.map((a, i) => flattenArg('call', a, i))
  return { leaves: flats.flatMap((f) => [...f.leaves]), key: flats.map(signatureOf).join('#') }
}

/** Are the arguments tensors of exactly these shapes, in order? */
const sameShapes = (args: readonly unknown[], shapes: readonly (readonly number[])[]): boolean => {
  if (args.length !== shapes.length) return false
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    if (!(a instanceof Tensor)) return false
    const s = a.shape
    const want = shapes[i]
    if (s !== want) {
      if (s.length !== want.length) return false
      for (let d = 0; d < s.length; d++) if (s[d] !== want[d]) return false
    }
  }
  return true
}

/**
 * How many compiled signatures (input structures and shapes) each transformed
 * function keeps: the least recently used is dropped beyond this, so a
 * function called with ever new shapes uses bounded memory (an entry is a few
 * kB of compiled code); a dropped signature is traced again when it comes back.
 */
export const compileCacheLimit: number = 256

/**
 * Memoise `build` by the signature of the arguments, keeping the
 * `compileCacheLimit` most recently used. A failed build caches nothing, so a
 * bad call leaves the transform as it was.
 */
const cached = <E>(build: (args: readonly unknown[]) => E) => {
  // A Map iterates in insertion order: re-inserting on use keeps the least recent first.
  const cache = new Map<string, E>()
  // the most recent entry, which a loop calls again and again: no reordering needed for it
  let lastKey: string | undefined
  let lastEntry: E | undefined
  // …and, when its arguments were all tensors, their shapes: the same shapes again skip building the key
  let lastShapes: (readonly number[])[] | undefined
  return (args: readonly unknown[]): { entry: E; leaves: Tensor[] } => {
    if (lastShapes !== undefined && sameShapes(args, lastShapes)) return { entry: lastEntry as E, leaves: args as Tensor[] }
    const { leaves, key } = leavesOf(args)
    const shapes = leaves === args ? leaves.map((t) => t.shape) : undefined
    if (key === lastKey) {
      lastShapes = shapes
      return { entry: lastEntry as E, leaves }
    }
    let entry = cache.get(key)
    if (entry === undefined) {
      entry = build(args) // a failed build leaves the last entry, key and shapes as they were
      if (cache.size >= compileCacheLimit) cache.delete(cache.keys().next().value as string)
    } else cache.delete(key)
    cache.set(key, entry)
    lastKey = key
    lastEntry = entry
    lastShapes = shapes
    return { entry, leaves }
  }
}

const requireScalar = (what: string, out: Sym): void => {
  if (out.size !== 1) {
    throw new GraphError(`${what}: the function must return a scalar, it returned shape ${showShape(out.shape)} (use jacobian or vjp for vector outputs)`)
  }
}

const requireFirstArg = (what: string, args: readonly unknown[]): void => {
  if (args.length === 0) throw new GraphError(`${what}: needs at least the argument to differentiate with respect to`)
}

interface Entry {
  readonly run: Evaluator
  readonly outputs: readonly Sym[]
  readonly structure: Structure
}

const gradientEntry = (what: string, f: (...a: never[]) => unknown, withValue: boolean) => (args: readonly unknown[]): Entry => {
  requireFirstArg(what, args)
  const t = traceAt(what, f, args)
  const out = t.graph.outputs[0]
  requireScalar(what, out)
  const xs = t.graph.inputs.slice(0, t.primalCount)
  const scalarOut = out.rank === 0 ? out : reshape(out, [])
  const grads = vjpGraph(scalarOut, xs, scalarConstant(1))
  const outputs = withValue ? [scalarOut, ...grads] : grads
  return { run: evaluator({ inputs: t.graph.inputs, outputs }), outputs, structure: t.primal.structure }
}

// -------------------------------------------------------------------------------------
// transforms
// -------------------------------------------------------------------------------------

/**
 * Compile `f`: the returned function evaluates it through its compiled graph,
 * traced once per signature (tree structure and shapes of the arguments).
 * @example jit((x: Sym) => x.square().sum())(tensor([1, 2])) // tensor(5)
 */
export const jit = <P, R extends readonly unknown[]>(f: SymFunction<P, R>): ((x: Concrete<P>, ...rest: ConcreteArgs<R>) => Tensor) => {
  const get = cached((args) => {
    const t = traceAt('jit', f as never, args)
    return { run: evaluator(t.graph), outputs: t.graph.outputs }
  })
  return ((...args: unknown[]) => {
    const { entry, leaves } = get(args)
    return toTensor(entry.outputs[0], entry.run(leaves)[0])
  }) as never
}

/**
 * Differentiate `f` in reverse mode: the returned function gives the
 * gradient ∇f(x), a tree of the same structure and shapes as x. f must return
 * a scalar (any shape of size 1); use `jacobian` or `vjp` otherwise. Further
 * arguments are data, not differentiated.
 * @example grad((x: Sym) => x.square().sum())(tensor([1, 2])) // [2, 4]
 */
export const grad = <P, R extends readonly unknown[]>(f: SymFunction<P, R>): ((x: Concrete<P>, ...rest: ConcreteArgs<R>) => Concrete<P>) => {
  const get = cached(gradientEntry('grad', f as never, false))
  return ((...args: unknown[]) => {
    const { entry, leaves } = get(args)
    const values = entry.run(leaves)
    return unflatten(entry.structure, entry.outputs.map((o, i) => toTensor(o, values[i]))) as Concrete<P>
  }) as never
}

/**
 * Differentiate `f` keeping its value: the returned function gives
 * [f(x) as a number, ∇f(x)] from one compiled pass; f must return a scalar.
 * @example valueAndGrad((x: Sym) => x.square().sum())(tensor([1, 2])) // [5, [2, 4]]
 */
export const valueAndGrad = <P, R extends readonly unknown[]>(
  f: SymFunction<P, R>
): ((x: Concrete<P>, ...rest: ConcreteArgs<R>) => readonly [number, Concrete<P>]) => {
  const get = cached(gradientEntry('valueAndGrad', f as never, true))
  return ((...args: unknown[]) => {
    const { entry, leaves } = get(args)
    const values = entry.run(leaves)
    const grads = entry.outputs.slice(1).map((o, i) => toTensor(o, values[i + 1]))
    return [values[0][0], unflatten(entry.structure, grads) as Concrete<P>]
  }) as never
}

/**
 * Linearise `f` in reverse mode: the returned function gives the value f(x)
 * and its pullback, the map from a cotangent of the output's shape to the
 * cotangent of x (Jᵀ·ct, a tree shaped like x). f may return any shape.
 * @example const [y, pull] = vjp((x: Sym) => x.square())(tensor([1, 2])); pull(tensor([1, 0])) // [2, 0]
 */
export const vjp = <P, R extends readonly unknown[]>(
  f: SymFunction<P, R>
): ((x: Concrete<P>, ...rest: ConcreteArgs<R>) => readonly [Tensor, (cotangent: Tensor) => Concrete<P>]) => {
  const getValue = cached((args) => {
    requireFirstArg('vjp', args)
    const t = traceAt('vjp', f as never, args)
    const out = t.graph.outputs[0]
    const seed = withBuilder(new Builder(), () => inputNode(t.graph.inputs.length, out.shape))
    const grads = vjpGraph(out, t.graph.inputs.slice(0, t.primalCount), seed)
    return {
      value: { run: evaluator(t.graph), out },
      pullback: { run: evaluator({ inputs: [...t.graph.inputs, seed], outputs: grads }), outputs: grads },
      structure: t.primal.structure
    }
  })
  return ((...args: unknown[]) => {
    const { entry, leaves } = getValue(args)
    const value = toTensor(entry.value.out, entry.value.run(leaves)[0])
    const pullback = (ct: Tensor): Concrete<P> => {
      if (!(ct instanceof Tensor) || ct.shape.length !== value.shape.length || ct.shape.some((d, i) => d !== value.shape[i])) {
        throw new GraphError(`vjp: the cotangent must be a tensor of the output's shape ${showShape(value.shape)}, got ${describe(ct)}`)
      }
      const values = entry.pullback.run([...leaves, ct])
      return unflatten(entry.structure, entry.pullback.outputs.map((o, i) => toTensor(o, values[i]))) as Concrete<P>
    }
    return [value, pullback]
  }) as never
}

/**
 * Differentiate `f` in forward mode: the returned function of (x, t, ...data)
 * gives f(x) and the directional derivative J·t, of f's shape, for a tangent
 * t of x's structure and shapes.
 * @example jvp((x: Sym) => x.square().sum())(tensor([1, 2]), tensor([1, 0])) // [5, 2]
 */
export const jvp = <P, R extends readonly unknown[]>(
  f: SymFunction<P, R>
): ((x: Concrete<P>, tangent: Concrete<P>, ...rest: ConcreteArgs<R>) => readonly [Tensor, Tensor]) => {
  const get = cached((args) => {
    requireFirstArg('jvp', args)
    const [x, t, ...rest] = args
    checkSameTree('jvp', 'tangent', x, t)
    const tr = traceAt('jvp', f as never, [x, ...rest])
    const n = tr.primalCount
    const xs = tr.graph.inputs.slice(0, n)
    const data = tr.graph.inputs.slice(n)
    const ts = withBuilder(new Builder(), () => xs.map((xi, i) => inputNode(tr.graph.inputs.length + i, xi.shape)))
    const out = tr.graph.outputs[0]
    const [tangentOut] = jvpGraph([out], xs, ts)
    const outputs = [out, tangentOut]
    return { run: evaluator({ inputs: [...xs, ...data, ...ts], outputs }), outputs, n }
  })
  return ((...args: unknown[]) => {
    const { entry, leaves } = get(args)
    const n = entry.n
    // leaves come as x, t, data: reorder to x, data, t
    const ordered = [...leaves.slice(0, n), ...leaves.slice(2 * n), ...leaves.slice(n, 2 * n)]
    const values = entry.run(ordered)
    return [toTensor(entry.outputs[0], values[0]), toTensor(entry.outputs[1], values[1])]
  }) as never
}

const checkSameTree = (what: string, name: string, x: unknown, v: unknown): void => {
  const fx = flattenArg(what, x, 0)
  const fv = flattenArg(what, v, 1)
  if (signatureOf(fx) !== signatureOf(fv)) {
    throw new GraphError(`${what}: the ${name} must have the structure and shapes of x: ${signatureOf(fv)} vs ${signatureOf(fx)}`)
  }
}

/** How a Hessian-vector product is built: forward-over-reverse (default) or reverse-over-reverse. */
export type HvpMode = 'forward-over-reverse' | 'reverse-over-reverse'

/** The graph of H·v for the traced function's Hessian H, v an input of the graph. */
const hvpGraph = (tr: Trace, vs: readonly Sym[], mode: HvpMode): Sym[] => {
  const xs = tr.graph.inputs.slice(0, tr.primalCount)
  const out = tr.graph.outputs[0]
  const scalarOut = out.rank === 0 ? out : reshape(out, [])
  const grads = vjpGraph(scalarOut, xs, scalarConstant(1))
  if (mode === 'forward-over-reverse') return jvpGraph(grads, xs, vs)
  return withBuilder(new Builder().seed(topoOrder(grads)), () => {
    let inner: Sym | undefined
    grads.forEach((g, i) => {
      const term = g.mul(vs[i]).sum()
      inner = inner === undefined ? term : inner.add(term)
    })
    return vjpGraph(inner ?? scalarConstant(0), xs, scalarConstant(1))
  })
}

/**
 * Build the Hessian-vector product: the returned function of (x, v, ...data)
 * gives ∇²f(x)·v without forming the Hessian, a tree shaped like x; f must
 * return a scalar and v have x's structure and shapes. `options.mode`
 * defaults to forward-over-reverse; reverse-over-reverse measures the same
 * here (on W3, where both compile to nearly the same loop, and on W6's
 * products).
 * @example hvp((x: Sym) => x.pow(3).sum())(tensor([1, 2]), tensor([1, 1])) // [6, 12]
 */
export const hvp = <P, R extends readonly unknown[]>(
  f: SymFunction<P, R>,
  options: { readonly mode?: HvpMode } = {}
): ((x: Concrete<P>, v: Concrete<P>, ...rest: ConcreteArgs<R>) => Concrete<P>) => {
  const mode = options.mode ?? 'forward-over-reverse'
  const get = cached((args) => {
    requireFirstArg('hvp', args)
    const [x, v, ...rest] = args
    checkSameTree('hvp', 'vector', x, v)
    const tr = traceAt('hvp', f as never, [x, ...rest])
    requireScalar('hvp', tr.graph.outputs[0])
    const n = tr.primalCount
    const xs = tr.graph.inputs.slice(0, n)
    const vs = withBuilder(new Builder(), () => xs.map((xi, i) => inputNode(tr.graph.inputs.length + i, xi.shape)))
    const outputs = hvpGraph(tr, vs, mode)
    return { run: evaluator({ inputs: [...tr.graph.inputs, ...vs], outputs }), outputs, n, structure: tr.primal.structure }
  })
  return ((...args: unknown[]) => {
    const { entry, leaves } = get(args)
    const n = entry.n
    const ordered = [...leaves.slice(0, n), ...leaves.slice(2 * n), ...leaves.slice(n, 2 * n)]
    const values = entry.run(ordered)
    return unflatten(entry.structure, entry.outputs.map((o, i) => toTensor(o, values[i]))) as Concrete<P>
  }) as never
}

/** Inputs up to this size get their whole Hessian as one graph; larger ones, one HVP per column. */
const SYMBOLIC_HESSIAN_LIMIT = 16

/**
 * A matrix over the leaves of a parameter tree: `flat` over the leaves laid
 * end to end (flatten order, each leaf row-major), and the same numbers cut
 * into blocks keyed by leaf path (`Tree.pathOf`).
 */
export interface TreeHessian {
  /** Shape [n, n], n the number of parameters. */
  readonly flat: Tensor
  /** The leaf paths (`Tree.pathOf`), in flatten order: the keys of `blocks`. */
  readonly paths: readonly string[]
  /** `blocks[p][q]` = ∂²f/∂p∂q, of shape [...shape of p, ...shape of q]. */
  readonly blocks: Readonly<Record<string, Readonly<Record<string, Tensor>>>>
}

/** The Jacobian of a function of a tree: `flat` of shape [...o, n], and `blocks[p]` of shape [...o, ...shape of p]. */
export interface TreeJacobian {
  /** Shape [...o, n], n the number of parameters laid end to end in flatten order. */
  readonly flat: Tensor
  /** The leaf paths (`Tree.pathOf`), in flatten order: the keys of `blocks`. */
  readonly paths: readonly string[]
  /** `blocks[p]` = ∂f/∂p, of shape [...o, ...shape of p]. */
  readonly blocks: Readonly<Record<string, Tensor>>
}

/** f of a tree as a function of one vector holding the tree's leaves end to end. */
const onFlatVector =
  (f: (...args: never[]) => unknown, flat: Flat<Tensor>) =>
  (v: Sym, ...rest: unknown[]): SymLike => {
    let offset = 0
    const leaves = flat.leaves.map((l) => {
      const part = reshape(slice(v, offset, offset + l.size), l.shape)
      offset += l.size
      return part
    })
    return (f as (...xs: unknown[]) => SymLike)(unflatten(flat.structure, leaves), ...rest)
  }

const leavesEndToEnd = (flat: Flat<Tensor>): Tensor => {
  const data = joinLeaves(unflatten(flat.structure, flat.leaves) as TensorTree)
  return Tensor.unsafeFromBuffer([data.length], data)
}

/** Columns `[from, from + width)` of each of `rows` rows of a row-major matrix with `n` columns. */
const columnBlock = (data: Float64Array, rows: number, n: number, from: number, width: number, shape: readonly number[]): Tensor => {
  const out = new Float64Array(rows * width)
  for (let r = 0; r < rows; r++) out.set(data.subarray(r * n + from, r * n + from + width), r * width)
  return Tensor.unsafeFromBuffer(shape, out)
}

const treeHessian = (flat: Flat<Tensor>, h: Tensor): TreeHessian => {
  const n = h.shape[0]
  const offsets = leafOffsets(flat)
  const blocks: Record<string, Record<string, Tensor>> = {}
  flat.leaves.forEach((p, i) => {
    const row: Record<string, Tensor> = {}
    const rows = h.data.subarray(offsets[i] * n, (offsets[i] + p.size) * n)
    flat.leaves.forEach((q, j) => setOwn(row, flat.paths[j], columnBlock(rows, p.size, n, offsets[j], q.size, [...p.shape, ...q.shape])))
    setOwn(blocks, flat.paths[i], row)
  })
  return { flat: h, paths: flat.paths, blocks }
}

/**
 * Compute the dense Hessian ∇²f(x) of a scalar f. Of one tensor x of shape s: a tensor of shape
 * [...s, ...s]. Of a tree of tensors: a `TreeHessian`, the [n, n] matrix over
 * all parameters and its blocks by leaf path. For small inputs, meant for toy
 * functions and curvature analysis; for large ones use `hvp`.
 * @example hessian((p: { a: Sym; b: Sym }) => p.a.mul(p.b).sum())({ a: tensor([1]), b: tensor([2]) }).blocks.a.b // [[1]]
 */
export function hessian<R extends readonly unknown[]>(f: SymFunction<Sym, R>): (x: Tensor, ...rest: ConcreteArgs<R>) => Tensor
export function hessian<P, R extends readonly unknown[]>(f: SymFunction<P, R>): (x: Concrete<P>, ...rest: ConcreteArgs<R>) => TreeHessian
export function hessian<R extends readonly unknown[]>(f: SymFunction<Sym, R>): (x: Tensor, ...rest: ConcreteArgs<R>) => Tensor | TreeHessian {
  const ofTensor = tensorHessian(f)
  const ofTree = cached((args) => {
    const flat = flattenArg('hessian', args[0], 0)
    return { flat, h: tensorHessian(onFlatVector(f as never, flat) as never) as (x: Tensor, ...rest: unknown[]) => Tensor }
  })
  return ((x: unknown, ...rest: unknown[]) => {
    if (x instanceof Tensor) return (ofTensor as (...a: unknown[]) => Tensor)(x, ...rest)
    const { entry } = ofTree([x, ...rest])
    const flat = flattenArg('hessian', x, 0)
    return treeHessian(flat, entry.h(leavesEndToEnd(flat), ...rest))
  }) as never
}

const tensorHessian = <R extends readonly unknown[]>(
  f: SymFunction<Sym, R>
): ((x: Tensor, ...rest: ConcreteArgs<R>) => Tensor) => {
  const get = cached((args) => {
    requireFirstArg('hessian', args)
    if (!(args[0] instanceof Tensor)) throw new GraphError(`hessian: x must be a tensor, got ${describe(args[0])}`)
    const tr = traceAt('hessian', f as never, args)
    requireScalar('hessian', tr.graph.outputs[0])
    const x = tr.graph.inputs[0]
    const n = x.size
    if (n <= SYMBOLIC_HESSIAN_LIMIT) {
      const columns = Array.from({ length: n }, (_, i) => {
        const e = new Float64Array(n)
        e[i] = 1
        return hvpGraph(tr, [constant(Tensor.unsafeFromBuffer(x.shape, e))], 'forward-over-reverse')[0]
      })
      const h = withBuilder(new Builder(), () => reshape(n === 0 ? constant(Tensor.unsafeFromBuffer([0], new Float64Array(0))) : stack(columns), [...x.shape, ...x.shape]))
      return { kind: 'symbolic' as const, run: evaluator({ inputs: tr.graph.inputs, outputs: [h] }), shape: [...x.shape, ...x.shape], n }
    }
    const v = withBuilder(new Builder(), () => inputNode(tr.graph.inputs.length, x.shape))
    const outputs = hvpGraph(tr, [v], 'forward-over-reverse')
    return { kind: 'columns' as const, run: evaluator({ inputs: [...tr.graph.inputs, v], outputs }), shape: [...x.shape, ...x.shape], n }
  })
  return ((...args: unknown[]) => {
    const { entry, leaves } = get(args)
    if (entry.kind === 'symbolic') return Tensor.unsafeFromBuffer(entry.shape, entry.run(leaves)[0])
    const n = entry.n
    const h = new Float64Array(n * n)
    for (let i = 0; i < n; i++) {
      const e = new Float64Array(n)
      e[i] = 1
      const col = entry.run([...leaves, Tensor.unsafeFromBuffer(leaves[0].shape, e)])[0]
      for (let j = 0; j < n; j++) h[j * n + i] = col[j]
    }
    return Tensor.unsafeFromBuffer(entry.shape, h)
  }) as never
}

/**
 * Compute the dense Jacobian of `f`, whose output has shape o, one pullback
 * per output element. Of one tensor (shape s): a
 * tensor of shape [...o, ...s], row i the pullback of the i-th unit cotangent.
 * Of a tree of tensors: a `TreeJacobian`, [...o, n] over all parameters and
 * its blocks [...o, ...shape of p] by leaf path p.
 */
export function jacobian<R extends readonly unknown[]>(f: SymFunction<Sym, R>): (x: Tensor, ...rest: ConcreteArgs<R>) => Tensor
export function jacobian<P, R extends readonly unknown[]>(f: SymFunction<P, R>): (x: Concrete<P>, ...rest: ConcreteArgs<R>) => TreeJacobian
export function jacobian<R extends readonly unknown[]>(f: SymFunction<Sym, R>): (x: Tensor, ...rest: ConcreteArgs<R>) => Tensor | TreeJacobian {
  const pull = vjp(f as never) as unknown as (...a: unknown[]) => readonly [Tensor, (ct: Tensor) => TensorTree]
  return ((x: unknown, ...rest: unknown[]) => {
    const flat = x instanceof Tensor ? undefined : flattenArg('jacobian', x, 0)
    const [value, pullback] = pull(x, ...rest)
    const m = value.size
    const n = flat === undefined ? (x as Tensor).size : flat.leaves.reduce((k, l) => k + l.size, 0)
    const out = new Float64Array(m * n)
    for (let i = 0; i < m; i++) {
      const e = new Float64Array(m)
      e[i] = 1
      const row = pullback(Tensor.unsafeFromBuffer(value.shape, e))
      out.set(row instanceof Tensor ? row.data : joinLeaves(row), i * n)
    }
    if (flat === undefined) return Tensor.unsafeFromBuffer([...value.shape, ...(x as Tensor).shape], out)
    const offsets = leafOffsets(flat)
    const blocks: Record<string, Tensor> = {}
    flat.leaves.forEach((l, j) => setOwn(blocks, flat.paths[j], columnBlock(out, m, n, offsets[j], l.size, [...value.shape, ...l.shape])))
    return { flat: Tensor.unsafeFromBuffer([...value.shape, n], out), paths: flat.paths, blocks }
  }) as never
}

/**
 * Differentiate symbolically: the gradient as a graph-to-graph function of a scalar f, for use inside a traced
 * function: `symGrad(f)(x)` is a symbolic tensor, so derivatives nest —
 * `grad(x => symGrad(f)(x).sum())` is a second derivative, and so on.
 */
export const symGrad = (f: (x: Sym) => SymLike): ((x: Sym) => Sym) => (x) => {
  const out = lift(f(x))
  requireScalar('symGrad', out)
  return vjpGraph(out.rank === 0 ? out : reshape(out, []), [x], scalarConstant(1))[0]
}
