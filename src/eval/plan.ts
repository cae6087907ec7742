/**
 * The compiler's first half: a plan, as a value, of where each node of a
 * graph lives. A node gets a buffer (inputs, outputs, reductions, matrix
 * products and their operands, joins, and shared subexpressions too costly
 * to recompute), reads another node's buffer in place (a reshape of a
 * buffer), lives in a local (one element), or is inlined into the loop of
 * the buffer that uses it. The emitter (`compile.ts`) reads the plan and
 * never changes it.
 */
import { type Graph, topoOrder, useCounts } from '../graph/Graph.js'
import { isElementwiseOp, numeric } from '../graph/primitives.js'
import type { Sym } from '../graph/Sym.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export interface Plan {
  /** Every node the outputs depend on, inputs first. */
  readonly order: readonly Sym[]
  readonly inputs: readonly Sym[]
  readonly outputs: readonly Sym[]
  /** Computed nodes written into a buffer of their own. */
  readonly buffers: ReadonlySet<Sym>
  /** Reshapes that read a buffer in place: node → the node that owns the buffer. */
  readonly aliases: ReadonlyMap<Sym, Sym>
  /** One-element computed nodes held in a local variable, computed once. */
  readonly locals: ReadonlySet<Sym>
  /** Constants a kernel reads as a buffer, even of one element (other one-element constants are literals). */
  readonly constantBuffers: ReadonlySet<Sym>
}

/** Shared inlined subexpressions cheaper than this are recomputed rather than stored. */
const SHARE_COST = 6
/** Inlined expressions are cut (stored) beyond this cost, to keep loop bodies small. */
const MAX_INLINE_COST = 80
/** …and beyond this depth of ops of any kind (slices and transposes cost nothing but still nest). */
const MAX_INLINE_DEPTH = 200

/** Reshapes that only add or drop axes of size 1 map an index axis to axis. */
export const squeezeCompatible = (from: readonly number[], to: readonly number[]): boolean => {
  const a = from.filter((d) => d !== 1)
  const b = to.filter((d) => d !== 1)
  return a.length === b.length && a.every((d, i) => d === b[i])
}

/** Ops the emitter writes with a loop or a kernel of their own, never inline. */
const ownsLoop = (n: Sym): boolean => n.op === 'sum' || n.op === 'max' || n.op === 'concat' || n.op === 'matmul'

/** What a matrix-product kernel reads: the stored matrix (a transpose is read in place). */
export const matmulOperand = (x: Sym): Sym => (x.op === 'transpose' && x.rank === 2 ? x.inputs[0] : x)

// -------------------------------------------------------------------------------------
// planning
// -------------------------------------------------------------------------------------

/** Decide where every node of `g` lives. */
export const planGraph = (g: Graph): Plan => {
  const order = topoOrder(g.outputs)
  const uses = useCounts(order)
  const stored = new Set<Sym>()
  // kernels read and write whole buffers, whatever their size
  const kernelBuffers = new Set<Sym>()
  const constantBuffers = new Set<Sym>()
  const store = (n: Sym): void => {
    if (n.op !== 'input' && n.op !== 'const') stored.add(n)
  }
  for (const o of g.outputs) store(o)
  for (const n of order) {
    if (ownsLoop(n)) store(n)
    if (n.op === 'matmul' || n.op === 'concat') kernelBuffers.add(n)
    if (n.op === 'matmul') {
      for (const x of n.inputs) {
        const m = matmulOperand(x)
        store(m)
        kernelBuffers.add(m)
        if (m.op === 'const' && m.size === 1) constantBuffers.add(m)
      }
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
    // a custom node reads its value, input 0; the others are there for the derivative
    const reads = n.op === 'custom' ? n.inputs.slice(0, 1) : n.inputs
    let c = isElementwiseOp(n.op) ? numeric[n.op].cost : 0
    let d = 0
    for (const i of reads) {
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
  const outputs = new Set(g.outputs)
  // one-element nodes live in locals, not buffers, unless a kernel reads or writes them or they are returned
  for (const n of [...stored]) if (n.size === 1 && !outputs.has(n) && !kernelBuffers.has(n)) stored.delete(n)
  // a reshape of a buffer reads that buffer in place: same elements, same order
  const aliases = new Map<Sym, Sym>()
  const isBuffer = (n: Sym): boolean => n.op === 'input' || (n.op === 'const' && (n.size > 1 || constantBuffers.has(n))) || stored.has(n)
  for (const n of order) {
    if (n.op !== 'reshape' || outputs.has(n)) continue
    const owner = aliases.get(n.inputs[0]) ?? n.inputs[0]
    if (isBuffer(owner)) {
      aliases.set(n, owner)
      stored.delete(n)
    }
  }
  const locals = new Set<Sym>()
  for (const n of order) {
    if (n.size === 1 && n.inputs.length > 0 && !stored.has(n) && !aliases.has(n)) locals.add(n)
  }
  return { order, inputs: g.inputs, outputs: g.outputs, buffers: stored, aliases, locals, constantBuffers }
}
