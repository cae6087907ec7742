/**
 * The compiler: turns a graph into one JavaScript function with fused loops.
 * It runs in two halves. The plan (`plan.ts`, a value) says which nodes get
 * a buffer, which read another's in place, which live in locals and which
 * are inlined. The emitter here reads the plan and writes the code: every
 * inlined node is a `const` in the loop of the buffer that uses it, read at
 * whatever index that loop needs (shifted for a slice, clamped and masked for
 * a pad outside a one-axis loop's interior, permuted for a transpose,
 * dropped for a broadcast), and each elementwise op's code comes from the op
 * table (`graph/primitives.ts`). So a chain of elementwise ops, slices and
 * sums becomes a single pass over memory.
 *
 * The generated source holds numeric literals and internal names only: no
 * text that came from a user ever reaches it.
 */
import { foreignInput, type Graph } from '../graph/Graph.js'
import { GraphError } from '../graph/build.js'
import { isElementwiseOp, literal, numeric, scalarFunctions } from '../graph/primitives.js'
import type { Sym } from '../graph/Sym.js'
import { stridesOf } from '../tensor/Shape.js'
import { Tensor } from '../tensor/Tensor.js'
import { CodeGenerationRefusedError, generatedFunction } from './codegen.js'
import { WHOLE_ARRAY_MIN, arrayFunctions } from './arrays.js'
import { interpret } from './interpret.js'
import { matmulKernels } from './matmul.js'
import { type Plan, matmulOperand, planGraph, squeezeCompatible } from './plan.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A compiled graph: input tensors (anything with a `data` buffer) in, fresh output buffers out. */
export type CompiledGraph = (inputs: readonly { readonly data: Float64Array }[]) => Float64Array[]

/** A position in a node: one index expression per axis, and the flat one when it is known. */
interface Index {
  readonly dims: readonly string[]
  readonly flat?: string
  /** In a one-axis loop over i: the index is i + shift (or a clamped form of it that only masked reads see). */
  readonly shift?: number
}

/** A carried node in the loop being written: the names of its values at shifts lo, lo + 1, … */
interface Window {
  readonly lo: number
  readonly names: (string | undefined)[]
}

export { literal, planGraph, type Plan }

// -------------------------------------------------------------------------------------
// code generation
// -------------------------------------------------------------------------------------

class Emitter {
  readonly lines: string[] = []
  private readonly cse = new Map<string, string>()
  private temps = 0

  /**
   * `interior`, in the interior of a one-axis loop over that variable: every
   * shifted index is in bounds, so it is written `i + shift`, unclamped, and
   * pads need no mask.
   */
  constructor(
    private readonly prefix: string,
    readonly windows: ReadonlyMap<Sym, Window> = new Map(),
    readonly interior?: string
  ) {}

  /** In the interior: the index i + shift. */
  at(shift: number): string {
    const i = this.interior!
    return shift === 0 ? i : shift > 0 ? `(${i} + ${shift})` : `(${i} - ${-shift})`
  }

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

/** Set once this environment has refused generated code: from then on graphs are interpreted. */
let refused = false

/**
 * Compile a graph to a function. Where generated code is refused (a
 * Content-Security-Policy without 'unsafe-eval'), the function interprets the
 * graph instead: the same numbers, bit for bit, more slowly. Throws only on
 * internal errors.
 */
export const compileGraph = (g: Graph): CompiledGraph => {
  if (!refused) {
    try {
      return emit(planGraph(g))
    } catch (e) {
      if (!(e instanceof CodeGenerationRefusedError)) throw e
      refused = true
    }
  }
  return interpreted(g)
}

/** The interpreter behind a compiled graph's signature (fresh output buffers, as compiled code returns). */
const interpreted = (g: Graph): CompiledGraph => (inputs) =>
  interpret(g, inputs.map((x, i) => Tensor.unsafeWrap(g.inputs[i].shape, x.data))).map((t) => t.data.slice())

/** Write the code a plan describes. */
const emit = (plan: Plan): CompiledGraph => {
  const { order, buffers, aliases, locals, constantBuffers, carries, interiors } = plan
  const consts: Float64Array[] = []
  const prelude: string[] = []
  const body: string[] = []
  const outputSet = new Set(plan.outputs)

  const isBuffer = (n: Sym): boolean =>
    n.op === 'input' || (n.op === 'const' && (n.size > 1 || constantBuffers.has(n))) || buffers.has(n) || aliases.has(n)

  // names: in<i> for inputs, c<k> for constant buffers, b<id> for buffers, s<id> for locals, literals
  const name = new Map<Sym, string>()
  plan.inputs.forEach((n, i) => name.set(n, `in${i}`))
  for (const n of order) {
    if (n.op === 'const') {
      if (!isBuffer(n)) name.set(n, literal(n.attrs.value!.data[0]))
      else {
        name.set(n, `c${consts.length}`)
        prelude.push(`const c${consts.length} = consts[${consts.length}];`)
        consts.push(n.attrs.value!.data)
      }
    } else if (n.op === 'input') {
      if (!name.has(n)) throw new GraphError(foreignInput(n))
    } else if (aliases.has(n)) {
      name.set(n, name.get(aliases.get(n)!)!)
    } else if (buffers.has(n)) {
      const b = `b${n.id}`
      name.set(n, b)
      if (outputSet.has(n)) body.push(`const ${b} = new Float64Array(${n.size});`)
      else prelude.push(`const ${b} = new Float64Array(${n.size});`)
    } else if (locals.has(n)) {
      name.set(n, `s${n.id}`)
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

  /**
   * The value of node `n` at `idx`, emitting temporaries into `em`: its
   * value in the loop's carried window (a node or a buffer), a read of its
   * buffer or local, or (for an inlined node, or with `own` for the node a
   * loop is computing) its op applied to its inputs' values.
   */
  const gen = (n: Sym, idx: Index, em: Emitter, own = false): string => {
    const known = name.get(n)
    const w = idx.shift === undefined ? undefined : em.windows.get(n)
    const carried = w?.names[idx.shift! - w.lo]
    if (carried !== undefined) return carried
    if (!own) {
      if (isBuffer(n)) {
        // each element once per body: the engine does not merge repeated typed-array reads
        const read = n.size === 1 ? `${known}[0]` : `${known}[${flatOf(idx, n.shape)}]`
        return em.temp(read, read)
      }
      if (known !== undefined) return known // a literal or a local
    }
    const key = `${n.id}@${idx.flat ?? idx.dims.join(',')}`
    const [a] = n.inputs
    const shifted = (by: number): number | undefined => (idx.shift === undefined ? undefined : idx.shift + by)
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
        if (em.interior !== undefined && idx.shift !== undefined) {
          const shift = idx.shift + starts[0]
          return gen(a, { dims: [em.at(shift)], shift }, em)
        }
        return gen(a, { dims: idx.dims.map((e, d) => (starts[d] === 0 ? e : `(${e} + ${starts[d]})`)), shift: shifted(starts[0]) }, em)
      }
      case 'pad': {
        const lo = n.attrs.lo!
        const hi = n.attrs.hi!
        if (em.interior !== undefined && idx.shift !== undefined) {
          if (a.size === 0) return '0'
          const shift = idx.shift - lo[0]
          return gen(a, { dims: [em.at(shift)], shift }, em)
        }
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
        const inner = a.size === 0 ? '0' : gen(a, { dims, shift: shifted(-lo[0]) }, em)
        return em.temp(key, `(${conds.join(' && ')} ? ${inner} : 0)`)
      }
      case 'custom':
        return gen(a, idx, em)
      default: {
        if (!isElementwiseOp(n.op)) throw new Error(`internal: ${n.op} node ${n.id} was not given a buffer`)
        const args = n.inputs.map((x) => gen(x, idx, em))
        return em.temp(key, numeric[n.op].emit(args, n.attrs))
      }
    }
  }

  /**
   * `for` loops over `shape`, with index variables and a flat counter; a
   * one-axis loop is written by `oneAxisLoop`.
   */
  const loop = (shape: readonly number[], inner: (idx: Index, em: Emitter) => string[], tag: string, root?: Sym): string[] => {
    if (shape.length === 1) return oneAxisLoop(shape[0], inner, tag, root)
    const vars = shape.map((_, d) => `${tag}${d}`)
    const em = new Emitter(`t${tag}_`)
    const flat = `${tag}f`
    const out = [`let ${flat} = 0;`]
    shape.forEach((d, k) => out.push(`for (let ${vars[k]} = 0; ${vars[k]} < ${d}; ${vars[k]}++) {`))
    const tail = inner({ dims: vars, flat }, em)
    out.push(...em.lines, ...tail, `${flat}++;`)
    shape.forEach(() => out.push('}'))
    return [`{`, ...out, `}`]
  }

  /**
   * A loop over i < `size` for the plan's one-axis loop `root`. It computes
   * each carried node once per iteration, at its highest shift, and keeps the
   * earlier values in `let`s that start with the values before index 0 and
   * move down a place at the end of each iteration. The interior iterations
   * run a body without clamps or masks; the few before and after it run one
   * with them (its index clamped into range: an out-of-range read only ever
   * reaches a pad's masked branch), and the carried values flow through all
   * three loops.
   */
  const oneAxisLoop = (size: number, inner: (idx: Index, em: Emitter) => string[], tag: string, root?: Sym): string[] => {
    const i = `${tag}0`
    const carried = root === undefined ? undefined : carries.get(root)
    /** i + s, clamped into [0, last] where the loop reaches beyond. */
    const clamped = (s: number, last: number): string => {
      const e = s === 0 ? i : s > 0 ? `${i} + ${s}` : `${i} - ${-s}`
      const high = size - 1 + s > last
      return s < 0 && high ? `(${e} < 0 ? 0 : ${e} > ${last} ? ${last} : ${e})`
        : s < 0 ? `(${e} < 0 ? 0 : ${e})` : high ? `(${e} > ${last} ? ${last} : ${e})` : e
    }
    const out: string[] = []
    const start = new Emitter(`t${tag}i_`)
    const windowNames = new Map<Sym, string[]>()
    for (const [n, { lo, hi }] of carried ?? []) {
      const last = n.shape[0] - 1
      const names = Array.from({ length: hi - lo }, (_, j) => `w${tag}${n.id}_${j}`)
      for (const [j, nm] of names.entries()) {
        const at = String(Math.min(Math.max(lo + j, 0), last))
        const v = gen(n, { dims: [at], flat: at }, start)
        out.push(...start.lines.splice(0), `let ${nm} = ${v};`)
      }
      windowNames.set(n, names)
    }
    const body = (interior: boolean): string[] => {
      const windows = new Map<Sym, Window>()
      const em = new Emitter(interior ? `t${tag}x_` : `t${tag}_`, windows, interior ? i : undefined)
      const moves: string[] = []
      for (const [n, { lo, hi }] of carried ?? []) {
        const index = interior ? em.at(hi) : em.temp(undefined, clamped(hi, n.shape[0] - 1))
        // a const even when it is another window's name: the moves below overwrite those
        const lead = em.temp(undefined, gen(n, { dims: [index], flat: index, shift: hi }, em))
        const names = windowNames.get(n)!
        windows.set(n, { lo, names: [...names, lead] })
        names.forEach((nm, j) => moves.push(`${nm} = ${j + 1 < names.length ? names[j + 1] : lead};`))
      }
      const tail = inner({ dims: [i], flat: i, shift: 0 }, em)
      return [...em.lines, ...tail, ...moves]
    }
    const range = (first: number, end: number, lines: readonly string[]): string[] =>
      end > first ? [`for (let ${i} = ${first}; ${i} < ${end}; ${i}++) {`, ...lines, '}'] : []
    const interior = root === undefined ? undefined : interiors.get(root)
    const from = Math.min(Math.max(interior?.from ?? size, 0), size)
    const to = Math.min(Math.max(interior?.to ?? 0, from), size)
    if (from === 0 && to === size) out.push(...range(0, size, body(true)))
    else if (from === to) out.push(...range(0, size, body(false)))
    else {
      const edge = body(false)
      out.push(...range(0, from, edge), ...range(from, to, body(true)), ...range(to, size, edge))
    }
    return [`{`, ...out, `}`]
  }

  for (const n of order) {
    if (n.inputs.length === 0 || aliases.has(n)) continue
    const target = name.get(n)
    if (n.op === 'matmul') {
      const [a, b] = n.inputs
      const aT = a !== matmulOperand(a)
      const bT = b !== matmulOperand(b)
      const an = name.get(matmulOperand(a))!
      const bn = name.get(matmulOperand(b))!
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
        // a local reduction accumulates in its own name; a stored one copies the total into its buffer
        const acc = buffers.has(n) ? `s${n.id}` : target!
        body.push(`let ${acc} = ${init};`)
        if (a.size > 0) {
          body.push(...loop(a.shape, (idx, em) => {
            const v = gen(a, idx, em)
            return [isMax ? `if (${v} > ${acc} || ${v} !== ${v}) ${acc} = ${v};` : `${acc} += ${v};`]
          }, `r${n.id}_`, isBuffer(a) ? undefined : a))
        }
        if (buffers.has(n)) body.push(`${target}[0] = ${acc};`)
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
        }, `k${n.id}_${k}_`, isBuffer(part) ? undefined : part))
      })
      continue
    }
    if (buffers.has(n)) {
      if (n.size === 0) continue
      // a stored tanh of many elements: the loop writes its argument, then tanh runs over the whole buffer (SIMD where it can)
      const whole = n.op === 'tanh' && n.size >= WHOLE_ARRAY_MIN
      const [arg] = n.inputs
      if (whole && isBuffer(arg)) {
        body.push(`A.tanh(${name.get(arg)!}, ${target}, ${n.size});`)
        continue
      }
      body.push(...loop(n.shape, (idx, em) => {
        const v = whole ? gen(arg, idx, em) : gen(n, idx, em, true)
        return [`${target}[${idx.flat}] = ${v};`]
      }, `l${n.id}_`, n))
      if (whole) body.push(`A.tanh(${target}, ${target}, ${n.size});`)
      continue
    }
    if (locals.has(n)) {
      const em = new Emitter(`u${n.id}_`)
      const v = gen(n, { dims: n.shape.map(() => '0'), flat: '0' }, em, true)
      body.push(...em.lines, `const ${target} = ${v};`)
    }
  }

  const results = plan.outputs.map((o) => {
    const nm = name.get(o)!
    if (buffers.has(o)) return nm
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

  const unpack = plan.inputs.map((_, i) => `const in${i} = ins[${i}].data;`)
  const source = [
    '"use strict";',
    'const { mmNN, mmNT, mmTN, mmTT } = kernels;',
    'const F = scalars;',
    'const A = arrays;',
    ...prelude,
    'return function compiled(ins) {',
    ...unpack,
    ...body,
    `return [${fresh.join(', ')}];`,
    '};'
  ].join('\n')
  const factory = generatedFunction<(c: Float64Array[], k: typeof matmulKernels, f: typeof scalarFunctions, a: typeof arrayFunctions) => CompiledGraph>(
    ['consts', 'kernels', 'scalars', 'arrays'], source, 'a graph'
  )
  const compiled = factory(consts, matmulKernels, scalarFunctions, arrayFunctions)
  Object.defineProperty(compiled, 'source', { value: source })
  return compiled
}

/** The generated source of a compiled graph (for tests and the curious). */
export const sourceOf = (c: CompiledGraph): string => (c as unknown as { source: string }).source

