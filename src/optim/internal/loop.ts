/**
 * Per-element loops from graphs of scalar symbols. A run of elementwise stages
 * is traced once into a graph whose inputs are one element of each array (the
 * gradient, the direction, the parameter, the slots) and the per-step numbers;
 * this module turns its outputs into ONE loop over the elements of a leaf, writing each
 * output at the same index. The text of every op comes from the graph
 * compiler's op table (`numeric[op].emit`), so a stage computes exactly what the same ops
 * compute in any compiled graph. Nodes that read only per-step numbers and
 * constants are computed once, before the loop.
 */
import { generatedFunction } from '../../eval/codegen.js'
import { isElementwiseOp, literal, numeric, scalarFunctions } from '../../graph/primitives.js'
import { type Sym, topoOrder } from '../../graph/index.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** `outs[k][i] = output k at element i`, for every i < n (the engine hands it uninitialized arrays); `h` holds the per-step numbers. */
export type LoopKernel = (n: number, ins: readonly Float64Array[], h: Float64Array, outs: readonly Float64Array[]) => void

/** Σᵢ (output at element i)², for i < n. */
export type SumOfSquaresKernel = (n: number, ins: readonly Float64Array[], h: Float64Array) => number

/** Which graph inputs are arrays read per element (`ins[k]`) and which are per-step numbers (`h[k]`). */
export interface LoopInputs {
  readonly perElement: readonly Sym[]
  readonly perStep: readonly Sym[]
}

/** A rule used an op that has no meaning on one element (a matmul, a reduction over a real axis). */
export class NotPerElementError extends Error {
  constructor(readonly op: string) {
    super(`uses '${op}', which is not a per-element op`)
  }
}

// -------------------------------------------------------------------------------------
// code generation
// -------------------------------------------------------------------------------------

interface Emitted {
  readonly hoisted: readonly string[]
  readonly body: readonly string[]
  readonly loads: readonly string[]
  readonly names: ReadonlyMap<Sym, string>
}

const emit = (inputs: LoopInputs, outputs: readonly Sym[]): Emitted => {
  const order = topoOrder(outputs)
  const names = new Map<Sym, string>()
  const uniform = new Set<Sym>()
  const hoisted: string[] = []
  const body: string[] = []
  const loads: string[] = []
  const element = new Map(inputs.perElement.map((s, k) => [s, k]))
  const step = new Map(inputs.perStep.map((s, k) => [s, k]))
  for (const n of order) {
    const into = (expr: string): void => {
      const name = `t${n.id}`
      names.set(n, name)
      ;(uniform.has(n) ? hoisted : body).push(`const ${name} = ${expr};`)
    }
    if (n.op === 'input') {
      const k = element.get(n)
      if (k !== undefined) {
        names.set(n, `x${k}`)
        loads.push(`const x${k} = in${k}[i];`)
        continue
      }
      const j = step.get(n)
      if (j === undefined) throw new Error('internal: a loop input is neither per element nor per step')
      names.set(n, `h${j}`)
      uniform.add(n)
      continue
    }
    if (n.size !== 1 && !(n.op === 'concat' || (n.op === 'reshape' && n.size === 1))) throw new NotPerElementError(n.op)
    if (n.op === 'const') {
      names.set(n, literal(n.attrs.value!.data[0]))
      uniform.add(n)
      continue
    }
    if (n.inputs.every((x) => uniform.has(x))) uniform.add(n)
    if (n.op === 'reshape' || n.op === 'broadcast') {
      names.set(n, names.get(n.inputs[0])!)
      continue
    }
    if (n.op === 'concat') continue // read only by the reductions below, part by part
    if (n.op === 'max' || n.op === 'sum') {
      // a reduction over a stack of scalars: the graph compiler's own accumulation, unrolled
      const [a] = n.inputs
      const parts = a.op === 'concat' ? a.inputs : [a]
      const acc = `t${n.id}`
      const lines = [`let ${acc} = ${n.op === 'max' ? '-Infinity' : '0'};`]
      for (const p of parts) {
        const v = names.get(p)!
        lines.push(n.op === 'max' ? `if (${v} > ${acc} || ${v} !== ${v}) ${acc} = ${v};` : `${acc} += ${v};`)
      }
      names.set(n, acc)
      ;(uniform.has(n) ? hoisted : body).push(...lines)
      continue
    }
    if (!isElementwiseOp(n.op)) throw new NotPerElementError(n.op)
    into(numeric[n.op].emit(n.inputs.map((x) => names.get(x)!), n.attrs))
  }
  return { hoisted, body, loads, names }
}

/**
 * The arrays' names. `same` (for a kernel specialised to aliased arrays)
 * gives, for each slot (the inputs, then the outputs), the first slot that
 * holds the same array: that one is read once and its name shared.
 */
const header = (inputs: LoopInputs, outputs = 0, same?: readonly number[]): string[] => {
  const nIn = inputs.perElement.length
  const slotName = (j: number): string => (j < nIn ? `in${j}` : `out${j - nIn}`)
  const bind = (k: number, own: string): string => (same === undefined || same[k] === k ? own : slotName(same[k]))
  return [
    '"use strict";',
    ...inputs.perElement.map((_, k) => `const in${k} = ${bind(k, `ins[${k}]`)};`),
    ...inputs.perStep.map((_, k) => `const h${k} = h[${k}];`),
    ...Array.from({ length: outputs }, (_, k) => `const out${k} = ${bind(nIn + k, `outs[${k}]`)};`)
  ]
}

const cache = new Map<string, (...args: never[]) => unknown>()

const build = <F>(params: readonly string[], source: string): F => {
  const key = `${params.join(',')}\n${source}`
  let f = cache.get(key)
  if (f === undefined) {
    // the op table's code calls the library's scalar functions as F.name, as compiled graphs do
    const factory = generatedFunction<(scalars: typeof scalarFunctions) => (...args: never[]) => unknown>(
      ['F'], `return function (${params.join(', ')}) {\n${source}\n}`, "an optimizer's per-element loop"
    )
    f = factory(scalarFunctions)
    cache.set(key, f)
  }
  return f as F
}

/**
 * Elements per turn of a loop's main part. V8 checks each array (its map, its
 * length, where its data is) at every access in a loop, when the arrays are
 * parameters; within one turn it checks each array once. With 4 elements a
 * turn, and an array read and written in place named once, the donated Adam
 * step of W5 ran at the handwritten loop's speed in the phases where the
 * machine made the one-element loop 1.6× slower (`bench/optim.ts`).
 * Each element's operations and their order are unchanged: the bits are.
 */
const UNROLL = 4

/**
 * Leaves shorter than this take the plain loop, whatever their arrays' aliasing:
 * for them the checks cost nothing, finding the aliasing would cost more than
 * the loop, and the plain loop is small enough for V8 to inline into the step
 * (`minimize` on a 2-D surface steps in under a microsecond).
 */
const UNROLL_MIN = 64

/** `same[k]` = the first slot (the inputs, then the outputs) holding slot k's array. No allocation: this runs at every step. */
const firstHoldersInto = (ins: readonly Float64Array[], outs: readonly Float64Array[], same: Int32Array): void => {
  const nIn = ins.length
  const slots = nIn + outs.length
  for (let k = 0; k < slots; k++) {
    const a = k < nIn ? ins[k] : outs[k - nIn]
    let j = 0
    while (j < k && (j < nIn ? ins[j] : outs[j - nIn]) !== a) j++
    same[k] = j
  }
}

const samePattern = (a: Int32Array, b: Int32Array): boolean => {
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false
  return true
}

interface Specialised {
  /** For each slot, the first slot holding its array. */
  readonly same: Int32Array
  /** Whether no two slots hold the same array. */
  readonly distinct: boolean
  kernel?: LoopKernel
}

/**
 * One loop writing every output at each element (outputs are scalar nodes of
 * `graph`): for a short leaf, the plain loop; for a long one, `UNROLL`
 * elements a turn, with a kernel per pattern of arrays given as the same
 * object (a donated step reads and writes its state in place); each compiled
 * the first time it is needed, all computing the same bits.
 */
export const compileLoop = (inputs: LoopInputs, outputs: readonly Sym[]): LoopKernel => {
  const e = emit(inputs, outputs)
  const element = (i: string): string =>
    [`{ const i = ${i};`, ...e.loads, ...e.body, ...outputs.map((o, k) => `out${k}[i] = ${e.names.get(o)!};`), '}'].join('\n')
  const source = (same: readonly number[] | undefined, unroll: boolean): string =>
    [
      ...header(inputs, outputs.length, same),
      ...e.hoisted,
      'let i0 = 0;',
      ...(unroll ? [`for (; i0 + ${UNROLL - 1} < n; i0 += ${UNROLL}) {`, ...Array.from({ length: UNROLL }, (_, u) => element(u === 0 ? 'i0' : `i0 + ${u}`)), '}'] : []),
      'for (; i0 < n; i0++) {',
      element('i0'),
      '}'
    ].join('\n')
  const kernelOf = (p: Specialised): LoopKernel => build<LoopKernel>(['n', 'ins', 'h', 'outs'], source(p.distinct ? undefined : Array.from(p.same), true))
  const seen: Specialised[] = []
  let scratch = new Int32Array(inputs.perElement.length + outputs.length)
  let plain: LoopKernel | undefined
  return (n, ins, h, outs) => {
    // a short leaf: one kernel whatever the aliasing, which is correct for any (each element is read before it is written)
    if (n < UNROLL_MIN) return (plain ??= build<LoopKernel>(['n', 'ins', 'h', 'outs'], source(undefined, false)))(n, ins, h, outs)
    if (scratch.length !== ins.length + outs.length) scratch = new Int32Array(ins.length + outs.length)
    firstHoldersInto(ins, outs, scratch)
    let p: Specialised | undefined
    for (let k = 0; k < seen.length && p === undefined; k++) if (samePattern(seen[k].same, scratch)) p = seen[k]
    if (p === undefined) seen.push((p = { same: scratch.slice(), distinct: scratch.every((j, k) => j === k) }))
    ;(p.kernel ??= kernelOf(p))(n, ins, h, outs)
  }
}

/** One loop summing the square of `output` over the elements. */
export const compileSumOfSquares = (inputs: LoopInputs, output: Sym): SumOfSquaresKernel => {
  const e = emit(inputs, [output])
  const v = e.names.get(output)!
  const source = [
    ...header(inputs),
    ...e.hoisted,
    'let acc = 0;',
    'for (let i = 0; i < n; i++) {',
    ...e.loads,
    ...e.body,
    `acc += ${v} * ${v};`,
    '}',
    'return acc;'
  ].join('\n')
  return build<SumOfSquaresKernel>(['n', 'ins', 'h'], source)
}
