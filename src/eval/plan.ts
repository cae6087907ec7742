/**
 * The compiler's first half: a plan, as a value, of where each node of a
 * graph lives. A node gets a buffer (inputs, outputs, reductions, matrix
 * products and their operands, joins, and shared subexpressions too costly
 * to recompute), reads another node's buffer in place (a reshape of a
 * buffer), lives in a local (one element), or is inlined into the loop of
 * the buffer that uses it. A one-axis loop carries across its iterations
 * what it reads at several shifts of its index: inlined nodes, shared ones
 * all of whose uses it holds (instead of storing them), and buffers; and it
 * has an interior, the iterations in which no read needs clamping or
 * masking. The emitter (`compile.ts`) reads the plan and never changes it.
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
   * reduction or a concatenation reads): the nodes it reads at shifted
   * indices, carried across iterations instead of recomputed or reloaded,
   * inputs first.
   */
  readonly carries: ReadonlyMap<Sym, ReadonlyMap<Sym, Carry>>
  /** Per one-axis loop, named as in `carries`: its interior. */
  readonly interiors: ReadonlyMap<Sym, Interior>
}

/**
 * A node a loop over i reads at indices i + lo … i + hi: each iteration
 * computes (or loads) it once, at i + hi, and keeps the last hi − lo values.
 */
export interface Carry {
  readonly lo: number
  readonly hi: number
}

/**
 * The iterations from ≤ i < to of a one-axis loop in which every shifted
 * read is in bounds: the loop runs them without the clamps and masks of pads
 * (the iterations before and after keep them). Empty when to ≤ from.
 */
export interface Interior {
  readonly from: number
  readonly to: number
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
  // cost: the arithmetic an inlined node recomputes (0 once stored); depth: how deep code generation recurses for it
  const cost = new Map<Sym, number>()
  const depth = new Map<Sym, number>()
  // the cost of each node's own expression, stored or not: what a loop that computes it pays
  const expression = new Map<Sym, number>()
  // nodes stored for no reason but being shared
  const shared = new Set<Sym>()
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
    expression.set(n, c)
    const tooBig = c > MAX_INLINE_COST || d > MAX_INLINE_DEPTH
    if (tooBig || ((uses.get(n) ?? 0) > 1 && c >= SHARE_COST)) {
      if (!tooBig) shared.add(n)
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

  // A shared node whose every use is in one one-axis loop that reads it at
  // several shifts is carried there instead of stored: that loop computes it
  // once per iteration either way, and a buffer only adds a pass over memory.
  // Its readers count it as free, as they did a buffer (they read a window),
  // and the loop pays for its expression once. Try every such node, then drop
  // those the resulting plan does not carry (or that make a loop too long),
  // until none is dropped: a dropped node is stored, so the set only shrinks.
  const position = new Map(order.map((n, i) => [n, i]))
  const readers = new Map<Sym, Sym[]>()
  for (const n of order) {
    for (const i of n.op === 'custom' ? n.inputs.slice(0, 1) : n.inputs) {
      const rs = readers.get(i)
      if (rs === undefined) readers.set(i, [n])
      else rs.push(n)
    }
  }
  let carriedShared = new Set([...shared].filter((n) => n.rank === 1 && n.size > 1 && stored.has(n)))
  for (;;) {
    const kept = new Set([...stored].filter((n) => !carriedShared.has(n)))
    const costOf = (n: Sym): number => (carriedShared.has(n) ? expression.get(n)! : cost.get(n) ?? 0)
    const layout = arrange(order, position, outputs, constantBuffers, kept, costOf)
    const dropped = new Set<Sym>()
    const spent = new Map<Sym, number>()
    for (const n of [...carriedShared].sort((p, q) => position.get(p)! - position.get(q)!)) {
      const roots = loopsComputing(n, readers, layout)
      const root = roots?.length === 1 ? roots[0] : undefined
      const total = root === undefined ? Infinity : (spent.get(root) ?? expression.get(root) ?? 0) + expression.get(n)!
      if (root === undefined || layout.carries.get(root)?.has(n) !== true || total > MAX_INLINE_COST) dropped.add(n)
      else spent.set(root, total)
    }
    if (dropped.size === 0) return { order, inputs: g.inputs, outputs: g.outputs, constantBuffers, ...layout }
    carriedShared = new Set([...carriedShared].filter((n) => !dropped.has(n)))
  }
}

/** What follows from the set of stored nodes: aliases, locals and the one-axis loops' carries and interiors. */
const arrange = (
  order: readonly Sym[],
  position: ReadonlyMap<Sym, number>,
  outputs: ReadonlySet<Sym>,
  constantBuffers: ReadonlySet<Sym>,
  kept: ReadonlySet<Sym>,
  costOf: (n: Sym) => number
): Pick<Plan, 'buffers' | 'aliases' | 'locals' | 'carries' | 'interiors'> => {
  const stored = new Set(kept)
  // a reshape of a buffer reads that buffer in place: same elements, same order
  const aliases = new Map<Sym, Sym>()
  const isBuffer = (n: Sym): boolean =>
    n.op === 'input' || (n.op === 'const' && (n.size > 1 || constantBuffers.has(n))) || stored.has(n) || aliases.has(n)
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
  const inlined = (n: Sym): boolean => n.rank === 1 && n.size > 1 && n.inputs.length > 0 && !isBuffer(n)
  const loaded = (n: Sym): boolean => n.rank === 1 && n.size > 1 && isBuffer(n)
  const carries = new Map<Sym, ReadonlyMap<Sym, Carry>>()
  const interiors = new Map<Sym, Interior>()
  for (const n of order) {
    // a one-element reduction is a local now, but still a loop
    if (!(stored.has(n) || n.op === 'sum' || n.op === 'max') || n.op === 'matmul') continue
    const roots = n.op === 'sum' || n.op === 'max' || n.op === 'concat' ? n.inputs : [n]
    for (const r of roots) {
      const found = r === n || inlined(r) ? oneAxisLoop(r, position, inlined, loaded, costOf) : undefined
      if (found === undefined) continue
      if (found.carried.size > 0) carries.set(r, found.carried)
      interiors.set(r, found.interior)
    }
  }
  return { buffers: stored, aliases, locals, carries, interiors }
}

/**
 * The roots of the loops that compute the inlined node `n` (buffers and
 * locals computing their own value, or the inlined input of a reduction or
 * a concatenation), found by walking up its readers; undefined if one of
 * them reads it at an index that is not a shift of a one-axis loop's.
 */
const loopsComputing = (
  n: Sym,
  readers: ReadonlyMap<Sym, readonly Sym[]>,
  layout: Pick<Plan, 'buffers' | 'aliases' | 'locals'>
): Sym[] | undefined => {
  const roots = new Set<Sym>()
  const seen = new Set<Sym>([n])
  const stack = [n]
  while (stack.length > 0) {
    const y = stack.pop()!
    for (const u of readers.get(y) ?? []) {
      if (u.op === 'sum' || u.op === 'max' || u.op === 'concat') {
        if (y.rank !== 1) return undefined
        roots.add(y)
        continue
      }
      const shifts = u.rank === 1 && (u.op === 'slice' || u.op === 'pad' || u.op === 'custom' || isElementwiseOp(u.op))
      if (!shifts || layout.aliases.has(u)) return undefined
      if (layout.buffers.has(u) || layout.locals.has(u)) roots.add(u)
      else if (!seen.has(u)) {
        seen.add(u)
        stack.push(u)
      }
    }
  }
  return [...roots]
}

// -------------------------------------------------------------------------------------
// one-axis loops
// -------------------------------------------------------------------------------------

/**
 * What the one-axis loop rooted at `root` carries and where its interior
 * is. Carried: the inlined nodes, and the buffers, it reads at two or more
 * shifts of its index (slices and pads of one expression), with the range of
 * shifts. Reads are propagated from the root towards the inputs in reverse
 * topological order, so all of a node's reads are known when it is reached;
 * a carried node is computed once per iteration, at its highest shift, and
 * that is the only read it passes on. Interior: the iterations in which
 * every pad the loop reaches, at every shift it is read at, reads inside its
 * input. There every index is the true one, i + shift (by induction from the
 * root: a slice's reads are inside its input, and so are an unmasked pad's),
 * so nothing needs clamping or masking, a carried node's highest shift
 * included.
 */
const oneAxisLoop = (
  root: Sym,
  position: ReadonlyMap<Sym, number>,
  inlined: (n: Sym) => boolean,
  loaded: (n: Sym) => boolean,
  costOf: (n: Sym) => number
): { readonly carried: ReadonlyMap<Sym, Carry>; readonly interior: Interior } | undefined => {
  if (root.rank !== 1 || root.size <= 1 || root.inputs.length === 0) return undefined
  const carried = new Map<Sym, Carry>()
  let from = 0
  let to = root.shape[0]
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
    if (n !== root && at.length > 1 && hi - lo <= MAX_CARRY && (loaded(n) || costOf(n) > 0)) {
      carried.set(n, { lo, hi })
      at = [hi]
    }
    // a buffer is read, not computed: nothing to pass on
    if (n !== root && !inlined(n)) continue
    if (n.op === 'pad' && n.inputs[0].size > 0) {
      const m = n.inputs[0].shape[0]
      const [padLo] = n.attrs.lo!
      const [padHi] = n.attrs.hi!
      for (const s of at) {
        // read at i + s − padLo, inside [0, m) where the pad has a side
        if (padLo > 0) from = Math.max(from, padLo - s)
        if (padHi > 0) to = Math.min(to, m + padLo - s)
      }
    }
    // a custom node reads its value, input 0; the others are there for the derivative
    const ins = n.op === 'custom' ? n.inputs.slice(0, 1) : n.inputs
    for (const s of at) {
      for (const i of ins) {
        if (!inlined(i) && !loaded(i)) continue
        if (n.op === 'slice') note(i, s + n.attrs.starts![0])
        else if (n.op === 'pad') note(i, s - n.attrs.lo![0])
        else if (isElementwiseOp(n.op) || n.op === 'custom') note(i, s)
      }
    }
  }
  // inputs first: a carried node computed from another reads the other's window
  const ordered = new Map([...carried].sort(([p], [q]) => position.get(p)! - position.get(q)!))
  return { carried: ordered, interior: { from, to } }
}
