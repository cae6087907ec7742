/**
 * The compiler: turns a graph into one JavaScript function with fused loops.
 *
 * Plan: decide which nodes get a buffer (inputs, outputs, reductions, matrix
 * products, joins, and shared subexpressions too costly to recompute). Every
 * other node is inlined, as a `const` in the loop of the buffer that uses it,
 * read at whatever index that loop needs (shifted for a slice, clamped and
 * masked for a pad, permuted for a transpose, dropped for a broadcast). Nodes
 * of one element live in locals. So a chain of elementwise ops, slices and
 * sums becomes a single pass over memory.
 *
 * The generated source holds numeric literals and internal names only: no
 * text that came from a user ever reaches it.
 */
import { type Graph, foreignInput, topoOrder, useCounts } from '../graph/Graph.js'
import { GraphError } from '../graph/build.js'
import type { Sym } from '../graph/Sym.js'
import { stridesOf } from '../tensor/Shape.js'
import { matmulKernels } from './matmul.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A compiled graph: input tensors (anything with a `data` buffer) in, fresh output buffers out. */
export type CompiledGraph = (inputs: readonly { readonly data: Float64Array }[]) => Float64Array[]

/** A position in a node: one index expression per axis, and the flat one when it is known. */
interface Index {
  readonly dims: readonly string[]
  readonly flat?: string
}

// -------------------------------------------------------------------------------------
// literals and scalar rules
// -------------------------------------------------------------------------------------

/** A number as JavaScript source that evaluates to exactly that double. */
export const literal = (x: number): string => {
  if (Number.isNaN(x)) return 'NaN'
  if (x === Infinity) return 'Infinity'
  if (x === -Infinity) return '(-Infinity)'
  if (Object.is(x, -0)) return '(-0)'
  return x < 0 ? `(${String(x)})` : String(x)
}

const unaryJs = (op: string, a: string, exponent: number | undefined): string => {
  switch (op) {
    case 'neg': return `(-${a})`
    case 'exp': case 'log': case 'sin': case 'cos': case 'tan': case 'sqrt': case 'tanh': case 'abs': case 'sign':
      return `Math.${op}(${a})`
    case 'sigmoid': return `(1 / (1 + Math.exp(-${a})))`
    case 'step': return `(${a} > 0 ? 1 : ${a} <= 0 ? 0 : NaN)`
    case 'relu': return `(${a} > 0 ? ${a} : ${a} <= 0 ? 0 : NaN)`
    case 'softplus': return `(${a} > 0 ? ${a} + Math.log1p(Math.exp(-${a})) : Math.log1p(Math.exp(${a})))`
    case 'square': return `(${a} * ${a})`
    case 'powc': return `Math.pow(${a}, ${literal(exponent!)})`
    default: throw new Error(`internal: no JavaScript for unary op ${op}`)
  }
}

const binaryJs = (op: string, a: string, b: string): string => {
  switch (op) {
    case 'add': return `(${a} + ${b})`
    case 'sub': return `(${a} - ${b})`
    case 'mul': return `(${a} * ${b})`
    case 'div': return `(${a} / ${b})`
    case 'pow': return `Math.pow(${a}, ${b})`
    case 'eqmask': return `(${a} === ${b} ? 1 : 0)`
    default: throw new Error(`internal: no JavaScript for binary op ${op}`)
  }
}

/**
 * The JavaScript of one elementwise node applied to argument expressions: the
 * same text graph loops use, shared with the optimizer's per-element loops.
 */
export const elementwiseJs = (n: Sym, args: readonly string[]): string =>
  args.length === 1 ? unaryJs(n.op, args[0], n.attrs.exponent) : binaryJs(n.op, args[0], args[1])

const isElementwise = (n: Sym): boolean =>
  n.inputs.length > 0 && !['broadcast', 'reshape', 'transpose', 'slice', 'pad', 'concat', 'sum', 'max', 'matmul'].includes(n.op)

const EXPENSIVE = new Set(['exp', 'log', 'sin', 'cos', 'tan', 'tanh', 'sigmoid', 'softplus', 'powc', 'pow', 'sqrt'])

/** Reshapes that only add or drop axes of size 1 map an index axis to axis. */
const squeezeCompatible = (from: readonly number[], to: readonly number[]): boolean => {
  const a = from.filter((d) => d !== 1)
  const b = to.filter((d) => d !== 1)
  return a.length === b.length && a.every((d, i) => d === b[i])
}

// -------------------------------------------------------------------------------------
// plan
// -------------------------------------------------------------------------------------

/** Shared inlined subexpressions cheaper than this are recomputed rather than stored. */
const SHARE_COST = 6
/** Inlined expressions are cut (stored) beyond this cost, to keep loop bodies small. */
const MAX_INLINE_COST = 80
/** …and beyond this depth of ops of any kind (slices and transposes cost nothing but still nest). */
const MAX_INLINE_DEPTH = 200

const plan = (order: readonly Sym[], outputs: readonly Sym[]): Set<Sym> => {
  const uses = useCounts(order)
  const stored = new Set<Sym>()
  const store = (n: Sym): void => {
    if (n.op !== 'input' && n.op !== 'const') stored.add(n)
  }
  for (const o of outputs) store(o)
  for (const n of order) {
    if (n.op === 'sum' || n.op === 'max' || n.op === 'concat' || n.op === 'matmul') store(n)
    if (n.op === 'matmul') {
      for (const x of n.inputs) store(x.op === 'transpose' && x.rank === 2 ? x.inputs[0] : x)
    }
    if (n.op === 'reshape' && !squeezeCompatible(n.inputs[0].shape, n.shape)) store(n.inputs[0])
  }
  // cost: the arithmetic an inlined node recomputes; depth: how deep code generation recurses for it
  const cost = new Map<Sym, number>()
  const depth = new Map<Sym, number>()
  for (const n of order) {
    if (n.size === 1 || n.inputs.length === 0 || stored.has(n)) {
      cost.set(n, 0)
      depth.set(n, 0)
      continue
    }
    let c = isElementwise(n) ? (EXPENSIVE.has(n.op) ? 10 : 1) : 0
    let d = 0
    for (const i of n.inputs) {
      c += cost.get(i)!
      d = Math.max(d, depth.get(i)!)
    }
    d += 1
    if (c > MAX_INLINE_COST || d > MAX_INLINE_DEPTH || ((uses.get(n) ?? 0) > 1 && c >= SHARE_COST)) {
      stored.add(n)
      c = 0
      d = 0
    }
    cost.set(n, c)
    depth.set(n, d)
  }
  // one-element nodes live in locals, not buffers
  for (const n of [...stored]) if (n.size === 1 && !outputs.includes(n)) stored.delete(n)
  return stored
}

// -------------------------------------------------------------------------------------
// code generation
// -------------------------------------------------------------------------------------

class Emitter {
  readonly lines: string[] = []
  private readonly cse = new Map<string, string>()
  private temps = 0

  constructor(private readonly prefix: string) {}

  temp(key: string | undefined, expr: string): string {
    if (key !== undefined) {
      const found = this.cse.get(key)
      if (found !== undefined) return found
    }
    const name = `${this.prefix}${this.temps++}`
    this.lines.push(`const ${name} = ${expr};`)
    if (key !== undefined) this.cse.set(key, name)
    return name
  }
}

/** Compile a graph to a function. Throws only on internal errors. */
export const compileGraph = (g: Graph): CompiledGraph => {
  const order = topoOrder(g.outputs)
  const stored = plan(order, g.outputs)
  const consts: Float64Array[] = []
  const prelude: string[] = []
  const body: string[] = []
  const name = new Map<Sym, string>()
  const outputSet = new Set(g.outputs)

  const alias = new Map<Sym, Sym>()
  const isBuffer = (n: Sym): boolean =>
    n.op === 'input' || (n.op === 'const' && n.size > 1) || stored.has(n) || alias.has(n)

  g.inputs.forEach((n, i) => name.set(n, `in${i}`))
  for (const n of order) {
    if (n.op === 'const') {
      if (n.size === 1) name.set(n, literal(n.attrs.value!.data[0]))
      else {
        name.set(n, `c${consts.length}`)
        prelude.push(`const c${consts.length} = consts[${consts.length}];`)
        consts.push(n.attrs.value!.data)
      }
    } else if (n.op === 'input') {
      if (!name.has(n)) throw new GraphError(foreignInput(n))
    } else if (n.op === 'reshape' && !outputSet.has(n) && isBuffer(alias.get(n.inputs[0]) ?? n.inputs[0])) {
      // a reshape of a buffer reads that buffer in place: same elements, same order
      alias.set(n, alias.get(n.inputs[0]) ?? n.inputs[0])
      stored.delete(n)
      name.set(n, name.get(n.inputs[0])!)
    } else if (stored.has(n)) {
      const b = `b${n.id}`
      name.set(n, b)
      if (outputSet.has(n)) body.push(`const ${b} = new Float64Array(${n.size});`)
      else prelude.push(`const ${b} = new Float64Array(${n.size});`)
    }
  }

  const flatOf = (idx: Index, shape: readonly number[]): string => {
    if (idx.flat !== undefined) return idx.flat
    const strides = stridesOf(shape)
    const terms = idx.dims.map((e, d) => (shape[d] === 1 || e === '0' ? '' : strides[d] === 1 ? e : `${e} * ${strides[d]}`)).filter((t) => t !== '')
    return terms.length === 0 ? '0' : terms.join(' + ')
  }

  const unravel = (flat: string, shape: readonly number[]): string[] => {
    const strides = stridesOf(shape)
    return shape.map((d, k) => (d === 1 ? '0' : `(Math.floor(${flat} / ${strides[k]}) % ${d})`))
  }

  /** The value of node `n` at `idx`, emitting temporaries into `em`. */
  const gen = (n: Sym, idx: Index, em: Emitter): string => {
    const known = name.get(n)
    if (isBuffer(n)) return n.size === 1 ? `${known}[0]` : `${known}[${flatOf(idx, n.shape)}]`
    if (known !== undefined) return known // a literal or a local
    const key = `${n.id}@${idx.flat ?? idx.dims.join(',')}`
    const [a] = n.inputs
    switch (n.op) {
      case 'broadcast': {
        const offset = n.rank - a.rank
        return gen(a, { dims: a.shape.map((d, k) => (d === 1 ? '0' : idx.dims[k + offset])) }, em)
      }
      case 'reshape': {
        if (squeezeCompatible(a.shape, n.shape) && idx.dims.length === n.rank) {
          const kept = n.shape.map((d, k) => (d === 1 ? undefined : idx.dims[k])).filter((e): e is string => e !== undefined)
          let k = 0
          return gen(a, { dims: a.shape.map((d) => (d === 1 ? '0' : kept[k++])), flat: idx.flat }, em)
        }
        const flat = flatOf(idx, n.shape)
        return gen(a, { dims: unravel(flat, a.shape), flat }, em)
      }
      case 'transpose': {
        const perm = n.attrs.perm!
        const dims = new Array<string>(a.rank)
        perm.forEach((p, d) => {
          dims[p] = idx.dims[d]
        })
        return gen(a, { dims }, em)
      }
      case 'slice': {
        const starts = n.attrs.starts!
        return gen(a, { dims: idx.dims.map((e, d) => (starts[d] === 0 ? e : `(${e} + ${starts[d]})`)) }, em)
      }
      case 'pad': {
        const lo = n.attrs.lo!
        const hi = n.attrs.hi!
        const conds: string[] = []
        const dims = idx.dims.map((e, d) => {
          if (lo[d] === 0 && hi[d] === 0) return e
          const m = a.shape[d]
          if (m === 0) {
            conds.push('false')
            return '0'
          }
          const q = lo[d] === 0 ? e : em.temp(`q${e}-${lo[d]}`, `${e} - ${lo[d]}`)
          // read in bounds always (a typed array read out of bounds is slow), keep only valid reads
          if (lo[d] > 0) conds.push(`${q} >= 0`)
          if (hi[d] > 0) conds.push(`${q} < ${m}`)
          const clamped = lo[d] > 0 && hi[d] > 0 ? `(${q} < 0 ? 0 : ${q} > ${m - 1} ? ${m - 1} : ${q})`
            : lo[d] > 0 ? `(${q} < 0 ? 0 : ${q})` : `(${q} > ${m - 1} ? ${m - 1} : ${q})`
          return em.temp(`qc${e}-${lo[d]}-${hi[d]}-${m}`, clamped)
        })
        const inner = a.size === 0 ? '0' : gen(a, { dims }, em)
        return em.temp(key, `(${conds.join(' && ')} ? ${inner} : 0)`)
      }
      default: {
        if (!isElementwise(n)) throw new Error(`internal: ${n.op} node ${n.id} was not given a buffer`)
        const args = n.inputs.map((x) => gen(x, idx, em))
        const expr = args.length === 1 ? unaryJs(n.op, args[0], n.attrs.exponent) : binaryJs(n.op, args[0], args[1])
        return em.temp(key, expr)
      }
    }
  }

  /** `for` loops over `shape`, with index variables and a flat counter. */
  const loop = (shape: readonly number[], inner: (idx: Index, em: Emitter) => string[], tag: string): string[] => {
    const vars = shape.map((_, d) => `${tag}${d}`)
    const em = new Emitter(`t${tag}_`)
    const flat = shape.length === 1 ? vars[0] : `${tag}f`
    const tail = inner({ dims: vars, flat }, em)
    const out: string[] = []
    if (shape.length !== 1) out.push(`let ${flat} = 0;`)
    shape.forEach((d, k) => out.push(`for (let ${vars[k]} = 0; ${vars[k]} < ${d}; ${vars[k]}++) {`))
    out.push(...em.lines, ...tail)
    if (shape.length !== 1) out.push(`${flat}++;`)
    shape.forEach(() => out.push('}'))
    return [`{`, ...out, `}`]
  }

  const localScalar = new Set<Sym>()
  for (const n of order) {
    if (n.inputs.length === 0 || alias.has(n)) continue
    const target = name.get(n)
    if (n.op === 'matmul') {
      const [a, b] = n.inputs
      const aT = a.op === 'transpose'
      const bT = b.op === 'transpose'
      const an = name.get(aT ? a.inputs[0] : a)!
      const bn = name.get(bT ? b.inputs[0] : b)!
      const kernel = `mm${aT ? 'T' : 'N'}${bT ? 'T' : 'N'}`
      body.push(`${kernel}(${an}, ${bn}, ${target}, ${a.shape[0]}, ${a.shape[1]}, ${b.shape[1]});`)
      continue
    }
    if (n.op === 'sum' || n.op === 'max') {
      const [a] = n.inputs
      const axes = n.attrs.axes!
      const isMax = n.op === 'max'
      const init = isMax ? '-Infinity' : '0'
      if (n.size === 1) {
        const acc = `s${n.id}`
        body.push(`let ${acc} = ${init};`)
        if (a.size > 0) {
          body.push(...loop(a.shape, (idx, em) => {
            const v = gen(a, idx, em)
            return [isMax ? `if (${v} > ${acc} || ${v} !== ${v}) ${acc} = ${v};` : `${acc} += ${v};`]
          }, `r${n.id}_`))
        }
        if (stored.has(n)) body.push(`${target}[0] = ${acc};`)
        else {
          name.set(n, acc)
          localScalar.add(n)
        }
        continue
      }
      body.push(`${target}.fill(${init});`)
      const outStrides = stridesOf(n.shape)
      const kept = a.shape.map((_, d) => d).filter((d) => !axes.includes(d))
      body.push(...loop(a.shape, (idx, em) => {
        const v = gen(a, idx, em)
        const o = kept.map((d, k) => (outStrides[k] === 1 ? idx.dims[d] : `${idx.dims[d]} * ${outStrides[k]}`)).join(' + ') || '0'
        const cell = `${target}[${o}]`
        return isMax ? [`const m_ = ${v};`, `if (m_ > ${cell} || m_ !== m_) ${cell} = m_;`] : [`${cell} += ${v};`]
      }, `r${n.id}_`))
      continue
    }
    if (n.op === 'concat') {
      const axis = n.attrs.axis!
      const strides = stridesOf(n.shape)
      let offset = 0
      n.inputs.forEach((part, k) => {
        const base = offset
        offset += part.shape[axis]
        if (part.size === 0) return
        body.push(...loop(part.shape, (idx, em) => {
          const v = gen(part, idx, em)
          const o = idx.dims.map((e, d) => `${d === axis && base > 0 ? `(${e} + ${base})` : e} * ${strides[d]}`).join(' + ')
          return [`${target}[${o}] = ${v};`]
        }, `k${n.id}_${k}_`))
      })
      continue
    }
    if (stored.has(n)) {
      if (n.size === 0) continue
      body.push(...loop(n.shape, (idx, em) => {
        const v = genTop(n, idx, em)
        return [`${target}[${idx.flat}] = ${v};`]
      }, `l${n.id}_`))
      continue
    }
    if (n.size === 1) {
      // a one-element node: computed once, into a local
      const em = new Emitter(`u${n.id}_`)
      const v = genTop(n, { dims: n.shape.map(() => '0'), flat: '0' }, em)
      body.push(...em.lines, `const s${n.id} = ${v};`)
      name.set(n, `s${n.id}`)
      localScalar.add(n)
    }
  }

  /** Generate a stored node's own op (not a read of its buffer) at `idx`. */
  function genTop(n: Sym, idx: Index, em: Emitter): string {
    const saved = name.get(n)
    const wasStored = stored.delete(n)
    name.delete(n)
    try {
      return gen(n, idx, em)
    } finally {
      if (saved !== undefined) name.set(n, saved)
      if (wasStored) stored.add(n)
    }
  }

  const results = g.outputs.map((o) => {
    const nm = name.get(o)!
    if (stored.has(o)) return nm
    if (o.op === 'input' || (o.op === 'const' && o.size > 1)) return `${nm}.slice()`
    return `Float64Array.of(${nm})`
  })
  // an output listed twice must not hand out one buffer twice
  const seenOut = new Set<string>()
  const fresh = results.map((r) => {
    const dup = seenOut.has(r)
    seenOut.add(r)
    return dup ? `${r}.slice()` : r
  })

  const unpack = g.inputs.map((_, i) => `const in${i} = ins[${i}].data;`)
  const source = [
    '"use strict";',
    'const { mmNN, mmNT, mmTN, mmTT } = kernels;',
    ...prelude,
    'return function compiled(ins) {',
    ...unpack,
    ...body,
    `return [${fresh.join(', ')}];`,
    '};'
  ].join('\n')
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function('consts', 'kernels', source) as (c: Float64Array[], k: typeof matmulKernels) => CompiledGraph
  const compiled = factory(consts, matmulKernels)
  Object.defineProperty(compiled, 'source', { value: source })
  return compiled
}

/** The generated source of a compiled graph (for tests and the curious). */
export const sourceOf = (c: CompiledGraph): string => (c as unknown as { source: string }).source

