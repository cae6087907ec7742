/**
 * The engine behind `chain`: a list of stages, outermost first, and a terminal.
 *
 * Elementwise stages are rules on scalar symbols. Each run of consecutive
 * elementwise stages (with `sgd`'s −lr·d at the end of the last run) is traced
 * into one graph and compiled into one loop per leaf (`loop.ts`), so a stage
 * costs no pass over memory of its own. Whole-tree stages (`custom`) end a run:
 * the run before them hands over the gradient and direction as trees. The step
 * count t lives once, in the terminal's state; each stateful stage adds one
 * record `{ kind, …, inner }` above the state of the stages below it.
 *
 * Plans (the runs and their compiled loops) are made on the first step, once
 * per chain, so building a chain of n stages costs O(n).
 *
 * A lone tensor stepped by a chain of runs ending in sgd (the small problems
 * the drivers race) takes `stepLone`: the same numbers and errors as the
 * general path, without trees, path maps or per-step buffers it can avoid.
 */
import { type Sym, type SymLike, lift, trace } from '../../graph/index.js'
import { Tensor, scalar } from '../../tensor/Tensor.js'
import { uninitialized } from '../../tensor/alloc.js'
import { type Flat, type TensorTree, flattenTensors, setOwn, unflatten } from '../../tensor/Tree.js'
import { type Optimizer, type StepContext, applyUpdates } from '../Optimizer.js'
import type { Schedule } from '../Schedule.js'
import { type LoopKernel, NotPerElementError, type SumOfSquaresKernel, compileLoop, compileSumOfSquares } from './loop.js'

// -------------------------------------------------------------------------------------
// model: states
// -------------------------------------------------------------------------------------

/** Per-leaf tensors of one state slot, keyed by parameter path (`''` for a lone tensor). */
export type PathMap = { readonly [path: string]: Tensor }

/** Scalar state of a stage (e.g. NAdam's running product of momentum factors). */
export type Scalars = { readonly [name: string]: number }

/** The state of a stateful elementwise stage: its slots, its scalars, then the state below it. */
export interface StageState<K extends string, S, Slots = { readonly [slot: string]: PathMap }> {
  /** The stage's name. */
  readonly kind: K
  /** Its per-element slots by name, each a tensor per parameter path. */
  readonly slots: Slots
  /** Its scalar state; `{}` for a stage that keeps none. */
  readonly scalars: Scalars
  /** The state of the stages below it, down to the terminal's. */
  readonly inner: S
}

/** The state of a whole-tree (`custom`) stage: what its `init`/`apply` return, then the state below it. */
export interface CustomState<K extends string, X, S> {
  /** The stage's name. */
  readonly kind: K
  /** What its `init` returned, as last updated by its `apply`. */
  readonly state: X
  /** The state of the stages below it, down to the terminal's. */
  readonly inner: S
}

/** The state at the bottom of a chain ending in `sgd`: the step count. */
export interface SgdState {
  /** Tags the state in a chain. */
  readonly kind: 'sgd'
  /** Steps taken: the count every schedule of the chain reads. */
  readonly count: number
}

/** The state at the bottom of a chain ending in a plain optimizer: the step count and its state. */
export interface BridgeState<S> {
  /** Tags the state in a chain. */
  readonly kind: 'bridge'
  /** Steps taken: the count every schedule of the chain reads. */
  readonly count: number
  /** The plain optimizer's own state. */
  readonly inner: S
}

/** Any state a chain can have. */
export type ChainState =
  | SgdState
  | BridgeState<unknown>
  | StageState<string, unknown>
  | CustomState<string, unknown, unknown>
  | {
      /** The name of the terminal at the bottom (`backtracking`, `lbfgs`, …). */
      readonly kind: string
      /** Steps taken. */
      readonly count: number
    }

// -------------------------------------------------------------------------------------
// model: stages
// -------------------------------------------------------------------------------------

/** The scalar symbols an elementwise rule reads, by name. */
export type RuleInputs = { readonly [name: string]: Sym }

/** An elementwise stage, as the engine runs it. */
export interface ElementwiseImpl {
  readonly type: 'elementwise'
  readonly name: string
  readonly slots: readonly string[]
  /** Starting value of a slot (default 0). */
  readonly initial?: Readonly<Record<string, number>>
  readonly initialScalars?: Scalars
  /** Names of the per-step numbers the rule reads. */
  readonly perStepNames: readonly string[]
  /** The per-step numbers at step t = count + 1 (in the order of `perStepNames`) and the next scalars. */
  readonly perStep?: (t: number, scalars: Scalars) => { readonly values: readonly number[]; readonly scalars?: Scalars }
  /** For stages that read the global norm of g as this stage sees it: the per-step numbers from Σg². */
  readonly fromSumOfSquares?: (sumOfSquares: number, t: number) => readonly number[]
  /** `{ g, d, theta, slots…, per-step… } → { d, g?, new slots… }`, all scalar symbols. */
  readonly rule: (x: RuleInputs) => unknown
  readonly info: StageInfo
}

/** What a whole-tree stage's `apply` sees. */
export interface CustomArgs {
  /** The gradient, as changed by gradient-level stages above. */
  readonly g: TensorTree
  /** The direction from the stage above (g at the top). */
  readonly d: TensorTree
  /** The parameters θ the gradient was taken at. */
  readonly params: TensorTree
  /** The step number t = 1, 2, … */
  readonly step: number
  /** f(θ) from the step context; present whenever the stage `needs` it (checked before the step). */
  readonly value?: number
  /** θ ↦ [f(θ), ∇f(θ)] from the step context; present whenever the stage `needs` it. */
  readonly objective?: StepContext['objective']
}

/** A whole-tree stage, as the engine runs it. */
export interface CustomImpl {
  readonly type: 'custom'
  readonly name: string
  /** Absent for a stage without state. */
  readonly init?: (params: TensorTree) => unknown
  readonly apply: (state: never, args: CustomArgs) => readonly [unknown, { readonly d: TensorTree; readonly g?: TensorTree }]
  readonly info: StageInfo
}

/** What a terminal sees: both signals, the parameters, the step count before this step, the context. */
export interface TerminalArgs {
  readonly g: TensorTree
  readonly d: TensorTree
  readonly params: TensorTree
  readonly count: number
  readonly context: StepContext | undefined
  readonly donate: boolean
  readonly into: TensorTree | undefined
}

/** A terminal: `sgd` (fused into the last loop) or one that turns the trees into an update. */
export type TerminalImpl =
  | { readonly type: 'sgd'; readonly name: 'sgd'; readonly lr: number | Schedule; readonly info: StageInfo }
  | {
      readonly type: 'tree'
      readonly name: string
      /** The bottom state; it must hold `kind` (the name) and `count`. */
      readonly init: (params: TensorTree) => { readonly kind: string; readonly count: number }
      readonly apply: (state: never, args: TerminalArgs) => readonly [{ readonly kind: string; readonly count: number }, TensorTree]
      readonly info: StageInfo
    }

/** How a stage prints, converts back to its JSON spec stage, and shows its current hyper-parameters. */
export interface StageInfo {
  /** `ewma(β=0.9, debias)`. */
  readonly label: string
  /** The JSON pipeline stage, for built-in stages. */
  readonly spec?: unknown
  /** The hyper-parameters' values at step count `count` (schedules evaluated). */
  readonly hyperparameters?: (count: number) => Readonly<Record<string, number>>
  /** What the stage needs from the step context. */
  readonly needs?: readonly ('value' | 'objective')[]
}

export type StageImpl = ElementwiseImpl | CustomImpl

/** A chain: its stages, outermost first, and its terminal. */
export interface ChainDef {
  readonly stages: readonly StageImpl[]
  readonly terminal: TerminalImpl
}

const CHAIN: unique symbol = Symbol('descent.chain')

/** An optimizer built by `chain`; its stages let an outer `withX` extend it. */
export type ChainOptimizer<S> = Optimizer<S> & {
  /** Always present on a chain: `step`'s numbers, consuming `state` (see `Optimizer`); drivers only. */
  readonly stepDonated: NonNullable<Optimizer<S>['stepDonated']>
  /** Always present on a chain: the step with its update applied (see `Optimizer`). */
  readonly stepApplied: NonNullable<Optimizer<S>['stepApplied']>
  /** @internal the chain's stages and terminal */
  readonly [CHAIN]: ChainDef
}

/** The chain of an optimizer built by `chain`, or undefined for any other optimizer. */
export const chainOf = (optimizer: Optimizer<unknown>): ChainDef | undefined =>
  (optimizer as Partial<ChainOptimizer<unknown>>)[CHAIN]

// -------------------------------------------------------------------------------------
// errors
// -------------------------------------------------------------------------------------

/** A mistake in building or stepping a chain, naming the stage and its position (1-based, outermost first). */
export class ChainError extends Error {
  /** `'ChainError'`, so that it prints, and can be told apart, by name. */
  override readonly name = 'ChainError'
}

const where = (name: string, position: number): string => `stage '${name}' (position ${position})`

const hasState = (s: StageImpl): boolean =>
  s.type === 'custom' ? s.init !== undefined : s.slots.length > 0 || s.initialScalars !== undefined

// -------------------------------------------------------------------------------------
// plan: runs of elementwise stages, each traced and compiled once
// -------------------------------------------------------------------------------------

interface SlotRef {
  readonly stage: number
  readonly name: string
}

interface Run {
  readonly type: 'run'
  /** Stage indices in the chain. */
  readonly stages: readonly number[]
  /** Per-element inputs, in `ins` order. */
  readonly reads: readonly ('g' | 'd' | 'theta' | SlotRef)[]
  readonly writes: readonly ('g' | 'd' | SlotRef)[]
  /** Offset of each stage's per-step numbers in h; the terminal's −lr after them. */
  readonly offsets: ReadonlyMap<number, number>
  readonly size: number
  readonly lrIndex: number | undefined
  readonly loop: LoopKernel
  /**
   * With the terminal fused (`lrIndex`): the same loop writing θ + u in place
   * of the update u, the sum `applyUpdates` computes, so stepping and
   * applying take one pass over memory. Compiled on first use.
   */
  readonly applied: (() => LoopKernel) | undefined
  /** Per stage with `fromSumOfSquares`: the pass summing the squares of g as it reaches that stage. */
  readonly norms: ReadonlyMap<number, SumOfSquaresKernel>
  /**
   * The per-step numbers' buffer of the lone-tensor path, reused step after
   * step (a small typed array costs more to allocate than a 2-D step takes);
   * `inUse` guards against a schedule that steps the same chain re-entrantly.
   */
  readonly scratch: { readonly h: Float64Array; inUse: boolean }
}

interface CustomStep {
  readonly type: 'custom'
  readonly stage: number
}

type Segment = Run | CustomStep

const planRun = (chain: ChainDef, indices: readonly number[], first: boolean, fusesSgd: boolean): Run => {
  let captured: { outputs: Map<string, Sym>; gAt: Map<number, Sym>; inputs: Map<string, Sym>; applied: Sym } | undefined
  const names: string[] = ['g', 'd', 'theta']
  const offsets = new Map<number, number>()
  let size = 0
  for (const s of indices) {
    const k = chain.stages[s] as ElementwiseImpl
    offsets.set(s, size)
    for (const slot of k.slots) names.push(`s${s}:${slot}`)
    for (const p of k.perStepNames) names.push(`h${size++}:${p}`)
  }
  const lrIndex = fusesSgd ? size++ : undefined
  if (lrIndex !== undefined) names.push(`h${lrIndex}:nlr`)
  const record: Record<string, Tensor> = {}
  names.forEach((_, i) => setOwn(record, `i${i}`, scalar(0)))

  trace((x: Record<string, Sym>) => {
    const inputs = new Map(names.map((n, i) => [n, x[`i${i}`]]))
    let g = inputs.get('g')!
    let d = first ? g : inputs.get('d')!
    const theta = inputs.get('theta')!
    const outputs = new Map<string, Sym>()
    const gAt = new Map<number, Sym>()
    for (const s of indices) {
      const k = chain.stages[s] as ElementwiseImpl
      gAt.set(s, g)
      const at = where(k.name, s + 1)
      const args: Record<string, Sym> = { g, d, theta }
      for (const slot of k.slots) setOwn(args, slot, inputs.get(`s${s}:${slot}`)!)
      const base = offsets.get(s)!
      k.perStepNames.forEach((p, j) => setOwn(args, p, inputs.get(`h${base + j}:${p}`)!))
      let result: unknown
      try {
        result = k.rule(args)
      } catch (e) {
        if (e instanceof NotPerElementError) throw new ChainError(`${at}: the rule ${e.message}`)
        throw new ChainError(`${at}: the rule threw: ${(e as Error).message}`)
      }
      const out = checkRuleResult(result, k, at)
      for (const slot of k.slots) outputs.set(`s${s}:${slot}`, out[slot])
      d = out.d
      g = out.g ?? g
    }
    if (lrIndex !== undefined) d = inputs.get(`h${lrIndex}:nlr`)!.mul(d)
    outputs.set('d', d)
    outputs.set('g', g)
    // θ + u, as applyUpdates adds them: the output of the applied loop in place of d
    captured = { outputs, gAt, inputs, applied: theta.add(d) }
    return d
  }, record as never)
  const c = captured!
  const refOf = (name: string): 'g' | 'd' | 'theta' | SlotRef => {
    if (name === 'g' || name === 'd' || name === 'theta') return name
    const [s, slot] = name.slice(1).split(':')
    return { stage: Number(s), name: slot }
  }
  const perElementNames = names.filter((n) => !n.startsWith('h'))
  const perStep = names.filter((n) => n.startsWith('h')).map((n) => c.inputs.get(n)!)
  const perElement = perElementNames.map((n) => c.inputs.get(n)!)
  const writes: ('g' | 'd' | SlotRef)[] = []
  const outSyms: Sym[] = []
  for (const [name, sym] of c.outputs) {
    if (name === 'g' && (sym === c.inputs.get('g') || fusesSgd)) continue
    writes.push(name === 'g' || name === 'd' ? name : (refOf(name) as SlotRef))
    outSyms.push(sym)
  }
  const inputs = { perElement, perStep }
  const loop = wrapNotPerElement(() => compileLoop(inputs, outSyms), chain, indices)
  let appliedLoop: LoopKernel | undefined
  const applied =
    lrIndex === undefined
      ? undefined
      : () => (appliedLoop ??= wrapNotPerElement(() => compileLoop(inputs, outSyms.map((o, i) => (writes[i] === 'd' ? c.applied : o))), chain, indices))
  const norms = new Map<number, SumOfSquaresKernel>()
  for (const s of indices) {
    const k = chain.stages[s] as ElementwiseImpl
    if (k.fromSumOfSquares !== undefined) norms.set(s, compileSumOfSquares(inputs, c.gAt.get(s)!))
  }
  return {
    type: 'run',
    stages: indices,
    reads: perElementNames.map(refOf),
    writes,
    offsets,
    size,
    lrIndex,
    loop,
    applied,
    norms,
    scratch: { h: new Float64Array(size + (lrIndex !== undefined ? 1 : 0)), inUse: false }
  }
}

const wrapNotPerElement = <A>(f: () => A, chain: ChainDef, indices: readonly number[]): A => {
  try {
    return f()
  } catch (e) {
    if (!(e instanceof NotPerElementError)) throw e
    const names = indices.map((s) => where(chain.stages[s].name, s + 1)).join(', ')
    throw new ChainError(`one of ${names}: the rule ${e.message}`)
  }
}

const isSymLike = (x: unknown): x is SymLike => typeof x === 'number' || (typeof x === 'object' && x !== null && 'op' in x && 'shape' in x)

const checkRuleResult = (result: unknown, k: ElementwiseImpl, at: string): { readonly d: Sym; readonly g?: Sym } & Record<string, Sym> => {
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    throw new ChainError(`${at}: the rule must return an object { d, g?, ${k.slots.map((s) => `${s}, `).join('')}}, got ${describeValue(result)}`)
  }
  const allowed = new Set(['d', 'g', ...k.slots])
  const r = result as Record<string, unknown>
  for (const key of Object.keys(r)) {
    if (!allowed.has(key)) {
      throw new ChainError(`${at}: the rule returned an unknown key '${key}' (expected d, g${k.slots.map((s) => `, ${s}`).join('')})`)
    }
  }
  const required = ['d', ...k.slots]
  for (const key of required) {
    if (!(key in r)) throw new ChainError(`${at}: the rule returned no '${key}'${key === 'd' ? '' : ` (the new value of its slot '${key}')`}`)
  }
  const out: Record<string, Sym> = {}
  for (const key of Object.keys(r)) {
    const v = r[key]
    if (v === undefined && key === 'g') continue
    if (!isSymLike(v)) throw new ChainError(`${at}: the rule returned ${key} = ${describeValue(v)}; expected a scalar symbol or a number`)
    const sym = lift(v)
    if (sym.shape.length !== 0) {
      throw new ChainError(`${at}: the rule returned ${key} of shape [${sym.shape.join(', ')}]; a per-element rule returns scalars`)
    }
    setOwn(out, key, sym)
  }
  return out as { readonly d: Sym } & Record<string, Sym>
}

const describeValue = (x: unknown): string =>
  x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x === 'object' ? 'an object' : typeof x === 'string' ? JSON.stringify(x) : String(x)

const planChain = (chain: ChainDef): readonly Segment[] => {
  const segments: Segment[] = []
  let pending: number[] = []
  let first = true
  const flush = (fusesSgd: boolean): void => {
    if (pending.length === 0 && !fusesSgd) return
    segments.push(planRun(chain, pending, first, fusesSgd))
    first = false
    pending = []
  }
  chain.stages.forEach((s, i) => {
    if (s.type === 'elementwise') pending.push(i)
    else {
      flush(false)
      segments.push({ type: 'custom', stage: i })
      first = false
    }
  })
  flush(chain.terminal.type === 'sgd')
  return segments
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** The optimizer of a chain (checked by the caller). Its plan is made on the first init or step. */
export const chainOptimizer = <S>(chain: ChainDef): ChainOptimizer<S> => {
  let plan: readonly Segment[] | undefined
  const planned = (): readonly Segment[] => (plan ??= planChain(chain))
  const init = (params: TensorTree): S => {
    planned()
    return initChain(chain, params) as S
  }
  // Runs only, ending in sgd: a lone tensor can skip the trees altogether (`stepLone`).
  let runsOnly: readonly Run[] | undefined | false
  const lonePlan = (): readonly Run[] | false =>
    (runsOnly ??= chain.terminal.type === 'sgd' && planned().every((seg) => seg.type === 'run') ? (planned() as readonly Run[]) : false)
  const step = (state: S, grad: TensorTree, params: TensorTree, context?: StepContext): readonly [S, TensorTree] => {
    const runs = grad instanceof Tensor && params instanceof Tensor ? lonePlan() : false
    return (runs !== false
      ? stepLone(chain, runs, state, grad as Tensor, params as Tensor, context, false, undefined)
      : stepChain(chain, planned(), state, grad, params, context, false, undefined)) as readonly [S, TensorTree]
  }
  const stepDonated = (state: S, grad: TensorTree, params: TensorTree, into?: TensorTree, context?: StepContext): readonly [S, TensorTree] => {
    const runs = grad instanceof Tensor && params instanceof Tensor ? lonePlan() : false
    return (runs !== false
      ? stepLone(chain, runs, state, grad as Tensor, params as Tensor, context, true, into)
      : stepChain(chain, planned(), state, grad, params, context, true, into)) as readonly [S, TensorTree]
  }
  const stepApplied = (state: S, grad: TensorTree, params: TensorTree, donate: boolean, context?: StepContext, into?: TensorTree): readonly [S, TensorTree] => {
    const runs = grad instanceof Tensor && params instanceof Tensor ? lonePlan() : false
    if (runs !== false) return stepLone(chain, runs, state, grad as Tensor, params as Tensor, context, donate, donate ? into : undefined, true) as readonly [S, TensorTree]
    const [s, u] = donate ? stepDonated(state, grad, params, undefined, context) : step(state, grad, params, context)
    return [s, applyUpdates(params, u)]
  }
  return { init, step, stepDonated, stepApplied, [CHAIN]: chain }
}

// -------------------------------------------------------------------------------------
// running
// -------------------------------------------------------------------------------------

const initChain = (chain: ChainDef, params: TensorTree): unknown => {
  const flat = flattenTensors(params)
  let state: unknown = chain.terminal.type === 'sgd' ? { kind: 'sgd', count: 0 } : chain.terminal.init(params)
  for (let s = chain.stages.length - 1; s >= 0; s--) {
    const k = chain.stages[s]
    if (!hasState(k)) continue
    if (k.type === 'custom') {
      state = { kind: k.name, state: k.init!(params), inner: state }
      continue
    }
    const slots: Record<string, PathMap> = {}
    for (const name of k.slots) {
      const value = k.initial?.[name] ?? 0
      const map: Record<string, Tensor> = {}
      flat.leaves.forEach((leaf, i) => {
        setOwn(map, flat.paths[i], Tensor.unsafeFromBuffer(leaf.shape, new Float64Array(leaf.size).fill(value)))
      })
      setOwn(slots, name, map)
    }
    state = { kind: k.name, slots, scalars: k.initialScalars ?? {}, inner: state }
  }
  return state
}

const samePaths = (a: Flat<Tensor>, b: Flat<Tensor>): boolean =>
  a.paths.length === b.paths.length && a.paths.every((p, i) => p === b.paths[i])

const showPath = (p: string): string => (p === '' ? 'the top' : p)

const describeState = (x: unknown): string =>
  x !== null && typeof x === 'object' && 'kind' in x ? `a state of kind '${String((x as { kind: unknown }).kind)}'` : String(x)

/** Check what a stage needs from the context before anything runs. */
const checkNeeds = (info: StageInfo, name: string, position: number, context: StepContext | undefined): void => {
  for (const need of info.needs ?? []) {
    if (context?.[need] === undefined) {
      throw new ChainError(
        `${where(name, position)} needs the ${need === 'value' ? 'value f(params)' : 'objective (params ↦ [f, ∇f])'} in the step context: ` +
          `call step(state, grad, params, { value, objective }) (minimize and train pass both)`
      )
    }
  }
}

type Leaves = readonly Tensor[]

const stepChain = (
  chain: ChainDef,
  plan: readonly Segment[],
  state: unknown,
  grad: TensorTree,
  params: TensorTree,
  context: StepContext | undefined,
  donate: boolean,
  into: TensorTree | undefined
): readonly [unknown, TensorTree] => {
  const gf = flattenTensors(grad)
  const pf = flattenTensors(params)
  if (!samePaths(gf, pf)) throw new TypeError(`optimizer step: gradient leaves [${gf.paths.join(', ')}] differ from parameter leaves [${pf.paths.join(', ')}]`)
  gf.leaves.forEach((g, j) => {
    if (pf.leaves[j].size !== g.size) {
      throw new RangeError(`optimizer step: at ${showPath(gf.paths[j])} the gradient has ${g.size} values, the parameter ${pf.leaves[j].size}`)
    }
  })
  chain.stages.forEach((k, s) => checkNeeds(k.info, k.name, s + 1, context))
  checkNeeds(chain.terminal.info, chain.terminal.name, chain.stages.length + 1, context)

  // Walk the nested state: one record per stateful stage, then the terminal's.
  const layers: unknown[] = []
  let node: unknown = state
  chain.stages.forEach((k) => {
    if (!hasState(k)) {
      layers.push(undefined)
      return
    }
    const layer = node as { kind?: unknown; inner?: unknown } | null
    if (layer === null || typeof layer !== 'object' || layer.kind !== k.name) {
      throw new TypeError(`optimizer step: expected the state of stage '${k.name}', got ${describeState(layer)}`)
    }
    layers.push(layer)
    node = layer.inner
  })
  const bottom = node as { kind?: unknown; count?: unknown } | null
  if (bottom === null || typeof bottom !== 'object' || bottom.kind !== chain.terminal.name || typeof bottom.count !== 'number') {
    throw new TypeError(`optimizer step: expected the state of '${chain.terminal.name}', got ${describeState(bottom)}`)
  }
  const count = bottom.count
  const t = count + 1
  const intoLeaves = into !== undefined ? flattenTensors(into).leaves : undefined

  let g: Leaves = gf.leaves
  let d: Leaves = gf.leaves
  let update: TensorTree | undefined
  const newLayers = layers.slice()
  for (const seg of plan) {
    if (seg.type === 'custom') {
      const k = chain.stages[seg.stage] as CustomImpl
      const layer = layers[seg.stage] as CustomState<string, unknown, unknown> | undefined
      const [next, out] = k.apply(layer?.state as never, {
        g: unflatten(gf.structure, g),
        d: unflatten(gf.structure, d),
        params,
        step: t,
        value: context?.value,
        objective: context?.objective
      })
      if (layer !== undefined) newLayers[seg.stage] = { kind: k.name, state: next, inner: undefined }
      d = leavesLike(out.d, gf, where(k.name, seg.stage + 1), 'd')
      if (out.g !== undefined) g = leavesLike(out.g, gf, where(k.name, seg.stage + 1), 'g')
      continue
    }
    const result = runSegment(chain, seg, layers, newLayers, g, d, pf.leaves, gf.paths, t, donate, intoLeaves)
    g = result.g
    d = result.d
    if (seg.lrIndex !== undefined) update = unflatten(gf.structure, d)
  }

  let rebuilt: unknown
  if (chain.terminal.type === 'sgd') {
    rebuilt = { kind: 'sgd', count: t }
  } else {
    const [b, u] = chain.terminal.apply(bottom as never, {
      g: unflatten(gf.structure, g),
      d: unflatten(gf.structure, d),
      params,
      count,
      context,
      donate,
      into
    })
    rebuilt = b
    update = u
  }
  for (let s = chain.stages.length - 1; s >= 0; s--) {
    const layer = newLayers[s] as Record<string, unknown> | undefined
    if (layer === undefined) continue
    rebuilt = { ...layer, inner: rebuilt }
  }
  return [rebuilt, update!]
}

/**
 * `stepChain` for one tensor and a chain of runs ending in sgd: the same
 * checks, errors and numbers, without flattening, path maps or keyed lookups.
 */
const stepLone = (
  chain: ChainDef,
  plan: readonly Run[],
  state: unknown,
  grad: Tensor,
  params: Tensor,
  context: StepContext | undefined,
  donate: boolean,
  into: TensorTree | undefined,
  apply = false
): readonly [unknown, TensorTree] => {
  const n = grad.size
  if (params.size !== n) throw new RangeError(`optimizer step: at the top the gradient has ${n} values, the parameter ${params.size}`)
  const stages = chain.stages
  for (let s = 0; s < stages.length; s++) checkNeeds(stages[s].info, stages[s].name, s + 1, context)
  checkNeeds(chain.terminal.info, chain.terminal.name, stages.length + 1, context)

  const layers: (StageState<string, unknown> | undefined)[] = new Array(stages.length)
  let node: unknown = state
  for (let s = 0; s < stages.length; s++) {
    const k = stages[s]
    if (!hasState(k)) continue
    const layer = node as { kind?: unknown; inner?: unknown } | null
    if (layer === null || typeof layer !== 'object' || layer.kind !== k.name) {
      throw new TypeError(`optimizer step: expected the state of stage '${k.name}', got ${describeState(layer)}`)
    }
    layers[s] = layer as StageState<string, unknown>
    node = layer.inner
  }
  const bottom = node as { kind?: unknown; count?: unknown } | null
  if (bottom === null || typeof bottom !== 'object' || bottom.kind !== chain.terminal.name || typeof bottom.count !== 'number') {
    throw new TypeError(`optimizer step: expected the state of '${chain.terminal.name}', got ${describeState(bottom)}`)
  }
  const t = bottom.count + 1
  const intoLeaf = into !== undefined ? flattenTensors(into).leaves[0] : undefined

  let g = grad
  let d = grad
  const newLayers: unknown[] = new Array(stages.length)
  const lone: LoneStep = { chain, layers, newLayers, theta: params, t, donate, intoLeaf, apply }
  for (const run of plan) {
    const result = runLone(lone, run, g, d)
    g = result.g
    d = result.d
  }
  let rebuilt: unknown = { kind: 'sgd', count: t }
  for (let s = stages.length - 1; s >= 0; s--) {
    // made by runLone this step, seen by no one yet: filled in rather than copied
    const layer = newLayers[s] as { inner: unknown } | undefined
    if (layer === undefined) continue
    layer.inner = rebuilt
    rebuilt = layer
  }
  return [rebuilt, d]
}

/** What the runs of one lone-tensor step share. */
interface LoneStep {
  readonly chain: ChainDef
  /** Each stage's state, undefined for stateless stages. */
  readonly layers: readonly (StageState<string, unknown> | undefined)[]
  /** Each stage's new state, filled in by the runs. */
  readonly newLayers: unknown[]
  /** The parameters stepped from. */
  readonly theta: Tensor
  /** The step count, 1 at the first step. */
  readonly t: number
  readonly donate: boolean
  /** With `donate`: the update (or, with `apply`, the parameters) the caller gives up. */
  readonly intoLeaf: Tensor | undefined
  /** The run ending in the terminal writes θ + u instead of u (`stepApplied`). */
  readonly apply: boolean
}

/** `runSegment` for one leaf at the top (path `''`). */
const runLone = (step: LoneStep, run: Run, g: Tensor, d: Tensor): { readonly g: Tensor; readonly d: Tensor } => {
  const scratch = run.scratch
  const reused = !scratch.inUse
  const h = reused ? scratch.h : new Float64Array(scratch.h.length)
  if (reused) {
    scratch.inUse = true
    for (let i = 0; i < h.length; i++) h[i] = 0 // as fresh, whatever a stage's perStep writes
  }
  try {
    return runLoneWith(step, run, g, d, h)
  } finally {
    if (reused) scratch.inUse = false
  }
}

const runLoneWith = (step: LoneStep, run: Run, g: Tensor, d: Tensor, h: Float64Array): { readonly g: Tensor; readonly d: Tensor } => {
  const { chain, layers, newLayers, theta, t, donate, intoLeaf, apply } = step
  const n = g.size
  // applied: the run that ends in the terminal writes θ + u, fresh parameters, instead of u
  const applied = apply && run.applied !== undefined
  const nextScalars: (Scalars | undefined)[] = new Array(chain.stages.length)
  let ins: Float64Array[] | undefined
  for (const s of run.stages) {
    const k = chain.stages[s] as ElementwiseImpl
    const offset = run.offsets.get(s)!
    if (k.perStep !== undefined) {
      const prepared = k.perStep(t, layers[s]?.scalars ?? {})
      const values = prepared.values
      if (offset + values.length > h.length) h.set(values, offset) // throws, as it always did
      for (let i = 0; i < values.length; i++) h[offset + i] = values[i]
      if (prepared.scalars !== undefined) nextScalars[s] = prepared.scalars
    }
    const norm = run.norms.get(s)
    if (norm !== undefined && k.fromSumOfSquares !== undefined) h.set(k.fromSumOfSquares(0 + norm(n, (ins ??= loneInputs(chain, run, layers, g, d, theta)), h), t), offset)
  }
  if (run.lrIndex !== undefined) {
    const lr = (chain.terminal as { readonly lr: number | Schedule }).lr
    h[run.lrIndex] = -(typeof lr === 'number' ? lr : lr(t - 1))
  }

  ins ??= loneInputs(chain, run, layers, g, d, theta)
  const writes = run.writes
  const outs: Float64Array[] = new Array(writes.length)
  const written: (Record<string, PathMap> | undefined)[] = new Array(chain.stages.length)
  let gOut: Tensor | undefined
  let dOut: Tensor | undefined
  for (let i = 0; i < writes.length; i++) {
    const w = writes[i]
    if (w === 'g') {
      const buffer = uninitialized(n)
      gOut = Tensor.unsafeLike(g, buffer)
      outs[i] = buffer
    } else if (w === 'd') {
      // applied and donated: `intoLeaf` is parameters the caller gives up, perhaps the ones stepped
      // from (each element is read before it is written), never the gradient
      const target = applied
        ? donate && intoLeaf !== undefined && intoLeaf.size === n && intoLeaf.data !== g.data
          ? Tensor.unsafeLike(theta, intoLeaf.data)
          : Tensor.unsafeLike(theta, uninitialized(n))
        : run.lrIndex !== undefined && donate && intoLeaf !== undefined && intoLeaf.size === n ? intoLeaf : Tensor.unsafeLike(g, uninitialized(n))
      dOut = target
      outs[i] = target.data
    } else {
      const old = layers[w.stage]!.slots[w.name]['']
      const fresh = donate ? old : Tensor.unsafeLike(old, uninitialized(n))
      const slots = (written[w.stage] ??= {})
      setOwn(slots, w.name, { '': fresh })
      outs[i] = fresh.data
    }
  }
  ;(applied ? run.applied!() : run.loop)(n, ins, h, outs)

  for (const s of run.stages) {
    const k = chain.stages[s] as ElementwiseImpl
    if (!hasState(k)) continue
    const layer = layers[s]!
    const slots: Record<string, PathMap> = {}
    for (const name of k.slots) setOwn(slots, name, written[s]?.[name] ?? {})
    newLayers[s] = { kind: k.name, slots, scalars: nextScalars[s] ?? layer.scalars, inner: undefined }
  }
  return { g: gOut ?? g, d: dOut! }
}

/** The per-element inputs of a run for a lone tensor, its state's slots checked. */
const loneInputs = (
  chain: ChainDef,
  run: Run,
  layers: readonly (StageState<string, unknown> | undefined)[],
  g: Tensor,
  d: Tensor,
  theta: Tensor
): Float64Array[] => {
  const reads = run.reads
  const ins: Float64Array[] = new Array(reads.length)
  for (let i = 0; i < reads.length; i++) {
    const r = reads[i]
    if (r === 'g') ins[i] = g.data
    else if (r === 'd') ins[i] = d.data
    else if (r === 'theta') ins[i] = theta.data
    else {
      const k = chain.stages[r.stage]
      const old = layers[r.stage]!.slots[r.name]?.['']
      if (old === undefined) throw new TypeError(`optimizer step: the '${k.name}' state has no '${r.name}' for parameter the top`)
      if (old.size !== g.size) throw new RangeError(`optimizer step: the '${k.name}' state '${r.name}' at the top has ${old.size} values, the parameter ${g.size}`)
      ins[i] = old.data
    }
  }
  return ins
}

const leavesLike = (tree: TensorTree, like: Flat<Tensor>, at: string, what: string): Leaves => {
  let flat: Flat<Tensor>
  try {
    flat = flattenTensors(tree)
  } catch (e) {
    throw new ChainError(`${at}: returned a ${what} that is not a tree of tensors: ${(e as Error).message}`)
  }
  if (!samePaths(flat, like)) throw new ChainError(`${at}: returned ${what} with leaves [${flat.paths.join(', ')}], expected [${like.paths.join(', ')}]`)
  flat.leaves.forEach((leaf, j) => {
    if (leaf.size !== like.leaves[j].size) {
      throw new ChainError(`${at}: returned ${what} with ${leaf.size} values at ${showPath(like.paths[j])}, expected ${like.leaves[j].size}`)
    }
  })
  return flat.leaves
}

const runSegment = (
  chain: ChainDef,
  run: Run,
  layers: readonly unknown[],
  newLayers: unknown[],
  g: Leaves,
  d: Leaves,
  theta: Leaves,
  paths: readonly string[],
  t: number,
  donate: boolean,
  intoLeaves: Leaves | undefined
): { readonly g: Leaves; readonly d: Leaves } => {
  // Per-step numbers: from t, then from global norms, in stage order.
  const h = new Float64Array(run.size + (run.lrIndex !== undefined ? 1 : 0))
  const nextScalars = new Map<number, Scalars>()
  const inputsOf = (j: number): Float64Array[] =>
    run.reads.map((r) => {
      if (r === 'g') return g[j].data
      if (r === 'd') return d[j].data
      if (r === 'theta') return theta[j].data
      const layer = layers[r.stage] as StageState<string, unknown>
      const k = chain.stages[r.stage]
      const old = layer.slots[r.name]?.[paths[j]]
      if (old === undefined) throw new TypeError(`optimizer step: the '${k.name}' state has no '${r.name}' for parameter ${showPath(paths[j])}`)
      if (old.size !== g[j].size) {
        throw new RangeError(`optimizer step: the '${k.name}' state '${r.name}' at ${showPath(paths[j])} has ${old.size} values, the parameter ${g[j].size}`)
      }
      return old.data
    })
  for (const s of run.stages) {
    const k = chain.stages[s] as ElementwiseImpl
    const offset = run.offsets.get(s)!
    if (k.perStep !== undefined) {
      const layer = layers[s] as StageState<string, unknown> | undefined
      const prepared = k.perStep(t, layer?.scalars ?? {})
      h.set(prepared.values, offset)
      if (prepared.scalars !== undefined) nextScalars.set(s, prepared.scalars)
    }
    const norm = run.norms.get(s)
    if (norm !== undefined && k.fromSumOfSquares !== undefined) {
      let sum = 0
      for (let j = 0; j < g.length; j++) sum += norm(g[j].size, inputsOf(j), h)
      h.set(k.fromSumOfSquares(sum, t), offset)
    }
  }
  if (run.lrIndex !== undefined) {
    const lr = (chain.terminal as { readonly lr: number | Schedule }).lr
    h[run.lrIndex] = -(typeof lr === 'number' ? lr : lr(t - 1))
  }

  // One loop per leaf.
  const slotMaps = new Map<string, Record<string, Tensor>>()
  const gOut: Tensor[] = []
  const dOut: Tensor[] = []
  for (let j = 0; j < g.length; j++) {
    const n = g[j].size
    const ins = inputsOf(j)
    const outs: Float64Array[] = run.writes.map((w) => {
      if (w === 'g') {
        const buffer = uninitialized(n)
        gOut.push(Tensor.unsafeFromBuffer(g[j].shape, buffer))
        return buffer
      }
      if (w === 'd') {
        const intoLeaf = run.lrIndex !== undefined && donate ? intoLeaves?.[j] : undefined
        const target = intoLeaf !== undefined && intoLeaf.size === n ? intoLeaf : Tensor.unsafeFromBuffer(g[j].shape, uninitialized(n))
        dOut.push(target)
        return target.data
      }
      const old = (layers[w.stage] as StageState<string, unknown>).slots[w.name][paths[j]]
      const key = `${w.stage}:${w.name}`
      let map = slotMaps.get(key)
      if (map === undefined) slotMaps.set(key, (map = {}))
      const fresh = donate ? old : Tensor.unsafeFromBuffer(old.shape, uninitialized(n))
      setOwn(map, paths[j], fresh)
      return fresh.data
    })
    run.loop(n, ins, h, outs)
  }

  for (const s of run.stages) {
    const k = chain.stages[s] as ElementwiseImpl
    if (!hasState(k)) continue
    const layer = layers[s] as StageState<string, unknown>
    const slots: Record<string, PathMap> = {}
    for (const name of k.slots) setOwn(slots, name, slotMaps.get(`${s}:${name}`) ?? {})
    newLayers[s] = { kind: k.name, slots, scalars: nextScalars.get(s) ?? layer.scalars, inner: undefined }
  }
  return { g: gOut.length > 0 ? gOut : g, d: dOut }
}
