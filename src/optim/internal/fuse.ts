/**
 * The fusing engine behind the built-in combinators. Each built-in stage is a
 * `Kernel`: a few statements of scalar arithmetic on one element (reading the
 * gradient g, the direction d, the parameter th and its own slots, writing new
 * values). A chain of stages compiles to ONE loop per leaf (generated once per
 * chain shape with `new Function`; hyper-parameters enter as numbers in an
 * array, never as text), so composing stages costs no extra pass over memory.
 *
 * Reductions over the whole tree (the global norm of clipByGlobalNorm) run as
 * separate passes before the fused loop; the step count t lives once, in the
 * state of the chain's bottom (the terminal sgd, or the bridge to a custom
 * optimizer that has no kernel).
 */
import { Buffer } from 'node:buffer'
import { Tensor } from '../../tensor/Tensor.js'
import { type Flat, type TensorTree, flattenTensors, setOwn, unflatten } from '../../tensor/Tree.js'
import type { Optimizer } from '../Optimizer.js'
import type { Schedule } from '../Schedule.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Per-leaf tensors of one state slot, keyed by parameter path (`''` for a lone tensor). */
export type PathMap = { readonly [path: string]: Tensor }

/** Scalar state of a stage (e.g. NAdam's running product of momentum factors). */
export type Scalars = { readonly [name: string]: number }

/** The state of a stateful stage of a chain: its slots, its scalars, then the state below it. */
export interface StageState<K extends string, S> {
  readonly kind: K
  readonly slots: { readonly [slot: string]: PathMap }
  readonly scalars: Scalars
  readonly inner: S
}

/** The state at the bottom of a chain ending in `sgd`: the step count. */
export interface SgdState {
  readonly kind: 'sgd'
  readonly count: number
}

/** The state at the bottom of a chain ending in a custom optimizer: the step count and its state. */
export interface BridgeState<S> {
  readonly kind: 'bridge'
  readonly count: number
  readonly inner: S
}

/** Any state a chain of built-in stages can have. */
export type ChainState = SgdState | BridgeState<unknown> | StageState<string, unknown>

/** The state below a new stage: a chain's state as is, a custom optimizer's behind a bridge. */
export type Bottom<S> = [S] extends [ChainState] ? S : BridgeState<S>

/** One stage's per-element arithmetic. */
export interface Kernel {
  /** The stage's name; also the `kind` of its state when it has one. */
  readonly kind: string
  /** Per-element state slots, read and written as `$name` in `body`. */
  readonly slots: readonly string[]
  /** The starting value of a slot (default 0). */
  readonly initial?: Readonly<Record<string, number>>
  /** Scalar state, when the stage has some. */
  readonly initialScalars?: Scalars
  /** Names of the per-step numbers read as `#name` in `body`. */
  readonly names: readonly string[]
  /** The numbers for step t = count + 1 (in the order of `names`) and the next scalars. */
  readonly prepare?: (t: number, scalars: Scalars) => { readonly values: readonly number[]; readonly scalars?: Scalars }
  /** For stages needing the global norm of g as seen at the stage: the numbers from Σg². */
  readonly fromSumOfSquares?: (sumOfSquares: number) => readonly number[]
  /** Statements on `g`, `d`, `th`, `$local`, `#param`; must assign `d` (and `g` for gradient-level stages). */
  readonly body: string
  /** The part of `body` that changes g alone (gradient-level stages); needed by later norm passes. */
  readonly gradientBody?: string
  readonly usesTheta?: boolean
}

/** How a chain ends: `update = −lr·d`, or d handed to a custom optimizer as its gradient. */
export type Terminal =
  | { readonly kind: 'sgd'; readonly lr: number | Schedule }
  | { readonly kind: 'bridge'; readonly inner: Optimizer<unknown> }

/** A fused optimizer's description: its stages and how it ends. */
export interface Chain {
  /** Outermost first. */
  readonly stages: readonly Kernel[]
  readonly terminal: Terminal
}

const CHAIN: unique symbol = Symbol('descent.chain')

/** An optimizer built from kernels; its chain lets an outer stage fuse with it. */
export type FusedOptimizer<S> = Optimizer<S> & {
  readonly stepDonated: NonNullable<Optimizer<S>['stepDonated']>
  readonly [CHAIN]: Chain
}

/** The chain of a fused optimizer, or undefined for any other optimizer. */
export const chainOf = (optimizer: Optimizer<unknown>): Chain | undefined =>
  (optimizer as Partial<FusedOptimizer<unknown>>)[CHAIN]

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** Put `stage` above `inner`: fused with inner's chain when it has one, else above a bridge. */
export const prepend = <S>(stage: Kernel, inner: Optimizer<unknown>): FusedOptimizer<S> => {
  const chain = chainOf(inner)
  return fused(
    chain !== undefined
      ? { stages: [stage, ...chain.stages], terminal: chain.terminal }
      : { stages: [stage], terminal: { kind: 'bridge', inner } }
  )
}

/** The optimizer of a chain. */
export const fused = <S>(chain: Chain): FusedOptimizer<S> => {
  const program = compile(chain)
  const init = (params: TensorTree): S => initChain(chain, params) as S
  const step = (state: S, grad: TensorTree, params: TensorTree): readonly [S, TensorTree] =>
    stepChain(chain, program, state as ChainState, grad, params, false, undefined) as readonly [S, TensorTree]
  const stepDonated = (state: S, grad: TensorTree, params: TensorTree, into?: TensorTree): readonly [S, TensorTree] =>
    stepChain(chain, program, state as ChainState, grad, params, true, into) as readonly [S, TensorTree]
  return { init, step, stepDonated, [CHAIN]: chain }
}

// -------------------------------------------------------------------------------------
// code generation
// -------------------------------------------------------------------------------------

type LeafKernel = (
  n: number,
  g: Float64Array,
  th: Float64Array,
  out: Float64Array,
  h: Float64Array,
  ins: readonly Float64Array[],
  outs: readonly Float64Array[]
) => void

type NormPass = (n: number, g: Float64Array, th: Float64Array, h: Float64Array) => number

interface Program {
  readonly leaf: LeafKernel
  /** One pass per stage with `fromSumOfSquares` (undefined for the others). */
  readonly norms: readonly (NormPass | undefined)[]
  /** Offset of each stage's numbers in h; the terminal's −lr sits at `h[lrIndex]`. */
  readonly offsets: readonly number[]
  readonly lrIndex: number
}

const cache = new Map<string, (...args: never[]) => unknown>()

const compileCached = <F>(params: readonly string[], source: string): F => {
  const key = `${params.join(',')}\n${source}`
  let f = cache.get(key)
  if (f === undefined) {
    f = new Function(...params, source) as (...args: never[]) => unknown
    cache.set(key, f)
  }
  return f as F
}

const rename = (code: string, stage: number): string =>
  code.replace(/\$([A-Za-z_]\w*)/g, `s${stage}_$1`).replace(/#([A-Za-z_]\w*)/g, `c${stage}_$1`)

const compile = (chain: Chain): Program => {
  const offsets: number[] = []
  let next = 0
  const constants: string[] = []
  chain.stages.forEach((k, s) => {
    offsets.push(next)
    k.names.forEach((name) => constants.push(`const c${s}_${name} = h[${next++}];`))
  })
  const lrIndex = next
  const usesTheta = chain.stages.some((k) => k.usesTheta === true)
  const loadTheta = usesTheta ? 'const th = thIn[i];' : ''

  let slot = 0
  const slotViews: string[] = []
  const stageCode = chain.stages.map((k, s) => {
    const loads = k.slots.map((name) => {
      slotViews.push(`const in${s}_${name} = ins[${slot}], out${s}_${name} = outs[${slot}];`)
      slot++
      return `let s${s}_${name} = in${s}_${name}[i];`
    })
    const stores = k.slots.map((name) => `out${s}_${name}[i] = s${s}_${name};`)
    return `{ ${loads.join(' ')} ${rename(k.body, s)} ${stores.join(' ')} }`
  })
  const last = chain.terminal.kind === 'sgd' ? `out[i] = nlr * d;` : `out[i] = d;`
  const leafSource = [
    '"use strict";',
    ...constants,
    `const nlr = h[${lrIndex}];`,
    ...slotViews,
    'for (let i = 0; i < n; i++) {',
    `let g = gIn[i]; let d = g; ${loadTheta}`,
    ...stageCode,
    last,
    '}'
  ].join('\n')
  const leaf = compileCached<LeafKernel>(['n', 'gIn', 'thIn', 'out', 'h', 'ins', 'outs'], leafSource)

  const norms = chain.stages.map((k, s) => {
    if (k.fromSumOfSquares === undefined) return undefined
    const above = chain.stages
      .slice(0, s)
      .map((a, j) => (a.gradientBody !== undefined ? `{ ${rename(a.gradientBody, j)} }` : ''))
      .join('\n')
    const source = [
      '"use strict";',
      ...constants.slice(0, offsets[s]),
      'let acc = 0;',
      'for (let i = 0; i < n; i++) {',
      `let g = gIn[i]; ${loadTheta}`,
      above,
      'acc += g * g;',
      '}',
      'return acc;'
    ].join('\n')
    return compileCached<NormPass>(['n', 'gIn', 'thIn', 'h'], source)
  })
  return { leaf, norms, offsets, lrIndex }
}

// -------------------------------------------------------------------------------------
// running
// -------------------------------------------------------------------------------------

/**
 * A fresh buffer whose contents are NOT zeroed: every element is written by
 * the fused loop before anyone reads it. Small buffers are zeroed (it costs
 * nothing) and never come from Node's shared pool.
 */
export const allocUninitialised = (n: number): Float64Array => {
  if (n < 256) return new Float64Array(n)
  const bytes = Buffer.allocUnsafeSlow(n * 8)
  if (bytes.byteOffset % 8 !== 0) return new Float64Array(n)
  return new Float64Array(bytes.buffer, bytes.byteOffset, n)
}

const isStateful = (k: Kernel): boolean => k.slots.length > 0 || k.initialScalars !== undefined

const initChain = (chain: Chain, params: TensorTree): ChainState => {
  const flat = flattenTensors(params)
  let state: ChainState =
    chain.terminal.kind === 'sgd'
      ? { kind: 'sgd', count: 0 }
      : { kind: 'bridge', count: 0, inner: chain.terminal.inner.init(params) }
  for (let s = chain.stages.length - 1; s >= 0; s--) {
    const k = chain.stages[s]
    if (!isStateful(k)) continue
    const slots: Record<string, PathMap> = {}
    for (const name of k.slots) {
      const value = k.initial?.[name] ?? 0
      const map: Record<string, Tensor> = {}
      flat.leaves.forEach((leaf, i) => {
        setOwn(map, flat.paths[i], Tensor.unsafeFromBuffer(leaf.shape, new Float64Array(leaf.size).fill(value)))
      })
      slots[name] = map
    }
    state = { kind: k.kind, slots, scalars: k.initialScalars ?? {}, inner: state }
  }
  return state
}

const samePaths = (a: Flat<Tensor>, b: Flat<Tensor>): boolean =>
  a.paths.length === b.paths.length && a.paths.every((p, i) => p === b.paths[i])

const showPath = (p: string): string => (p === '' ? 'the top' : p)

const stepChain = (
  chain: Chain,
  program: Program,
  state: ChainState,
  grad: TensorTree,
  params: TensorTree,
  donate: boolean,
  into: TensorTree | undefined
): readonly [ChainState, TensorTree] => {
  const gf = flattenTensors(grad)
  const pf = flattenTensors(params)
  if (!samePaths(gf, pf)) throw new TypeError(`optimizer step: gradient leaves [${gf.paths.join(', ')}] differ from parameter leaves [${pf.paths.join(', ')}]`)
  const intoLeaves = into !== undefined ? flattenTensors(into).leaves : undefined

  // Walk the nested state: one record per stateful stage, then the bottom.
  const stageStates: (StageState<string, unknown> | undefined)[] = []
  let node: unknown = state
  for (const k of chain.stages) {
    if (!isStateful(k)) {
      stageStates.push(undefined)
      continue
    }
    const s = node as StageState<string, unknown>
    if (s === null || typeof s !== 'object' || s.kind !== k.kind) {
      throw new TypeError(`optimizer step: expected the state of stage '${k.kind}', got ${describeState(s)}`)
    }
    stageStates.push(s)
    node = s.inner
  }
  const bottom = node as SgdState | BridgeState<unknown>
  if (bottom === null || typeof bottom !== 'object' || bottom.kind !== chain.terminal.kind) {
    throw new TypeError(`optimizer step: expected the state of '${chain.terminal.kind}', got ${describeState(bottom)}`)
  }
  const count = bottom.count
  const t = count + 1

  // Per-step numbers: from t, then from global norms in stage order.
  const h = new Float64Array(program.lrIndex + 1)
  const nextScalars: (Scalars | undefined)[] = []
  chain.stages.forEach((k, s) => {
    if (k.prepare !== undefined) {
      const prepared = k.prepare(t, stageStates[s]?.scalars ?? {})
      h.set(prepared.values, program.offsets[s])
      nextScalars.push(prepared.scalars)
    } else nextScalars.push(undefined)
    const norm = program.norms[s]
    if (norm !== undefined && k.fromSumOfSquares !== undefined) {
      let sum = 0
      for (let j = 0; j < gf.leaves.length; j++) {
        sum += norm(gf.leaves[j].size, gf.leaves[j].data, pf.leaves[j].data, h)
      }
      h.set(k.fromSumOfSquares(sum), program.offsets[s])
    }
  })
  if (chain.terminal.kind === 'sgd') {
    const lr = chain.terminal.lr
    h[program.lrIndex] = -(typeof lr === 'number' ? lr : lr(count))
  }

  // One fused loop per leaf.
  const newSlots: Record<string, Tensor>[][] = chain.stages.map((k) => k.slots.map(() => ({})))
  const outs: Tensor[] = []
  for (let j = 0; j < gf.leaves.length; j++) {
    const g = gf.leaves[j]
    const th = pf.leaves[j]
    const path = gf.paths[j]
    const n = g.size
    if (th.size !== n) throw new RangeError(`optimizer step: at ${showPath(path)} the gradient has ${n} values, the parameter ${th.size}`)
    const ins: Float64Array[] = []
    const slotOuts: Float64Array[] = []
    chain.stages.forEach((k, s) => {
      const ss = stageStates[s]
      k.slots.forEach((name, q) => {
        const old = ss?.slots[name]?.[path]
        if (old === undefined) throw new TypeError(`optimizer step: the '${k.kind}' state has no '${name}' for parameter ${showPath(path)}`)
        if (old.size !== n) throw new RangeError(`optimizer step: the '${k.kind}' state '${name}' at ${showPath(path)} has ${old.size} values, the parameter ${n}`)
        const buffer = donate ? old.data : allocUninitialised(n)
        ins.push(old.data)
        slotOuts.push(buffer)
        setOwn(newSlots[s][q], path, donate ? old : Tensor.unsafeFromBuffer(old.shape, buffer))
      })
    })
    const intoLeaf = intoLeaves?.[j]
    const out =
      donate && chain.terminal.kind === 'sgd' && intoLeaf !== undefined && intoLeaf.size === n ? intoLeaf : undefined
    const outData = out !== undefined ? out.data : allocUninitialised(n)
    program.leaf(n, g.data, th.data, outData, h, ins, slotOuts)
    outs.push(out ?? Tensor.unsafeFromBuffer(g.shape, outData))
  }

  // Rebuild the state, bottom first.
  let update: TensorTree
  let rebuilt: ChainState
  const outTree = unflatten(gf.structure, outs)
  if (chain.terminal.kind === 'sgd') {
    update = outTree
    rebuilt = { kind: 'sgd', count: t }
  } else {
    const inner = chain.terminal.inner
    const b = bottom as BridgeState<unknown>
    const [innerState, innerUpdate] =
      donate && inner.stepDonated !== undefined ? inner.stepDonated(b.inner, outTree, params, into) : inner.step(b.inner, outTree, params)
    update = innerUpdate
    rebuilt = { kind: 'bridge', count: t, inner: innerState }
  }
  for (let s = chain.stages.length - 1; s >= 0; s--) {
    const k = chain.stages[s]
    const ss = stageStates[s]
    if (ss === undefined) continue
    const slots: Record<string, PathMap> = {}
    k.slots.forEach((name, q) => {
      slots[name] = newSlots[s][q]
    })
    rebuilt = { kind: k.kind, slots, scalars: nextScalars[s] ?? ss.scalars, inner: rebuilt }
  }
  return [rebuilt, update]
}

const describeState = (x: unknown): string =>
  x !== null && typeof x === 'object' && 'kind' in x ? `a state of kind '${String((x as { kind: unknown }).kind)}'` : String(x)
