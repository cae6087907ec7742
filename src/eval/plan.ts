/**
 * The compiler's first half: a plan, as a value, of where each node of a
 * graph lives. A node gets a buffer (inputs, outputs, reductions, matrix
 * products and their operands, joins, and shared subexpressions too costly
 * to recompute), reads another node's buffer in place (a reshape of a
 * buffer), lives in a local (one element), or is inlined into the loop of
 * the buffer that uses it; an inlined node a one-axis loop reads at shifted
 * indices is carried across that loop's iterations. The emitter (`compile.ts`) reads the plan and
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
  /**
   * Per one-axis loop, named by the node at its root (a buffer, or what a
   * reduction or a concatenation reads): inlined nodes it reads at shifted
   * indices, carried across iterations instead of recomputed.
   */
  readonly carries: ReadonlyMap<Sym, ReadonlyMap<Sym, Carry>>
}

/**
 * An inlined node a loop over i reads at indices i + lo … i + hi: each
 * iteration computes it once, at i + hi, and keeps the last hi − lo values.
 */
export interface Carry {
  readonly lo: number
  readonly hi: number
}

/** Shared inlined subexpressions cheaper than this are recomputed rather than stored. */
const SHARE_COST = 6
/** A carried node holds at most this many earlier values. */
const MAX_CARRY = 4
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
  const carries = new Map<Sym, ReadonlyMap<Sym, Carry>>()
  for (const n of order) {
    // a one-element reduction is a local now, but still a loop
    if (!(stored.has(n) || n.op === 'sum' || n.op === 'max') || n.op === 'matmul') continue
    const roots = n.op === 'sum' || n.op === 'max' || n.op === 'concat' ? n.inputs : [n]
    for (const r of roots) {
      const found = r === n || !isBuffer(r) ? shiftedReads(r, order, stored, cost) : new Map()
      if (found.size > 0) carries.set(r, found)
    }
  }
  return { order, inputs: g.inputs, outputs: g.outputs, buffers: stored, aliases, locals, constantBuffers, carries }
}

// -------------------------------------------------------------------------------------
// shifted reads
// -------------------------------------------------------------------------------------

/**
 * The inlined nodes that the one-axis loop rooted at `root` reads at two or
 * more shifts of its index (slices and pads of one expression), with the
 * range of shifts. Reads are propagated from the root towards the inputs in
 * reverse topological order, so all of a node's reads are known when it is
 * reached; a carried node is computed once per iteration, at its highest
 * shift, and that is the only read it passes on.
 */
const shiftedReads = (root: Sym, order: readonly Sym[], stored: ReadonlySet<Sym>, cost: ReadonlyMap<Sym, number>): Map<Sym, Carry> => {
  const carried = new Map<Sym, Carry>()
  if (root.rank !== 1 || root.size <= 1 || root.inputs.length === 0) return carried
  const position = new Map(order.map((n, i) => [n, i]))
  const inlined = (n: Sym): boolean => n.rank === 1 && n.size > 1 && n.inputs.length > 0 && !stored.has(n)
  const reads = new Map<Sym, Set<number>>([[root, new Set([0])]])
  const pending = [root]
  const note = (n: Sym, shift: number): void => {
    const at = reads.get(n)
    if (at !== undefined) at.add(shift)
    else {
      reads.set(n, new Set([shift]))
      pending.push(n)
    }
  }
  while (pending.length > 0) {
    // the latest node in topological order: all its readers in this loop are done
    pending.sort((p, q) => position.get(p)! - position.get(q)!)
    const n = pending.pop()!
    let at = [...reads.get(n)!]
    const lo = Math.min(...at)
    const hi = Math.max(...at)
    if (n !== root && at.length > 1 && hi - lo <= MAX_CARRY && (cost.get(n) ?? 0) > 0) {
      carried.set(n, { lo, hi })
      at = [hi]
    }
    // a custom node reads its value, input 0; the others are there for the derivative
    const ins = n.op === 'custom' ? n.inputs.slice(0, 1) : n.inputs
    for (const s of at) {
      for (const i of ins) {
        if (!inlined(i)) continue
        if (n.op === 'slice') note(i, s + n.attrs.starts![0])
        else if (n.op === 'pad') note(i, s - n.attrs.lo![0])
        else if (isElementwiseOp(n.op) || n.op === 'custom') note(i, s)
      }
    }
  }
  return carried
}
