/**
 * `chain(...stages, terminal)`: the one way optimizers compose, the JSON
 * pipeline as code (the same list, the same order, outermost first). Stages see
 * the gradient g and the direction d (see DESIGN.md, "Optimizer semantics");
 * the terminal turns d into the update. Also `describe` (the chain as text),
 * `toSpec` (back to the JSON pipeline) and `hyperparameters` (the current value
 * of every hyper-parameter, schedules evaluated at the state's step count).
 */
import type { Optimizer } from './Optimizer.js'
import {
  type BridgeState,
  type ChainDef,
  ChainError,
  type ChainOptimizer,
  type CustomState,
  type StageImpl,
  type StageState,
  type TerminalImpl,
  chainOf,
  chainOptimizer
} from './internal/engine.js'

export { ChainError }

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

const STAGE: unique symbol = Symbol('descent.stage')
declare const LAYER: unique symbol

/** A stage that adds no state. */
export interface NoState {
  /** A type-level brand: such a stage adds nothing to the chain's state. */
  readonly noState: true
}

/** A stage whose state is per-element slots (`{ kind, slots, scalars, inner }`). */
export interface SlotsLayer<K extends string, Slots> {
  /** The stage's name, the `kind` of its state. */
  readonly kind: K
  /** The per-parameter slot maps (`MomentumSlots`, …). */
  readonly slots: Slots
}

/** A whole-tree stage whose state is whatever its `init` returns (`{ kind, state, inner }`). */
export interface TreeLayer<K extends string, X> {
  /** The stage's name, the `kind` of its state. */
  readonly kind: K
  /** What the stage's `init` returned, as last updated. */
  readonly state: X
}

/**
 * One stage of a chain. `L` says what it adds to the chain's state (at the
 * type level only): `NoState`, a `SlotsLayer` or a `TreeLayer`.
 */
export interface Stage<L = unknown> {
  /** @internal how the chain runs the stage */
  readonly [STAGE]: StageImpl
  /** Type-level only (never set): what the stage adds to the chain's state. */
  readonly [LAYER]?: L
}

/** The state a stage with layer `L` puts above the state `S` below it. */
export type LayerState<L, S> =
  L extends SlotsLayer<infer K, infer Slots> ? StageState<K, S, Slots> : L extends TreeLayer<infer K, infer X> ? CustomState<K, X, S> : S

/** The state of stages `Ss` (outermost first) above the state `S`. */
export type ChainStateOf<Ss extends readonly unknown[], S> = Ss extends readonly [infer H, ...infer R]
  ? LayerState<H extends Stage<infer L> ? L : never, ChainStateOf<R, S>>
  : S

/** Wrap a stage's engine form. */
export const makeStage = <L>(impl: StageImpl): Stage<L> => Object.freeze({ [STAGE]: impl }) as Stage<L>

/** Whether `x` is a stage. */
export const isStage = (x: unknown): x is Stage => typeof x === 'object' && x !== null && STAGE in x

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** The optimizer of a terminal alone (`sgd(lr)`, `lbfgs()`): a chain with no stages. */
export const terminalOptimizer = <S>(terminal: TerminalImpl): ChainOptimizer<S> => chainOptimizer<S>({ stages: [], terminal })

const bridge = (inner: Optimizer<unknown>): TerminalImpl => ({
  type: 'tree',
  name: 'bridge',
  init: (params) => ({ kind: 'bridge', count: 0, inner: inner.init(params) }) as BridgeState<unknown>,
  apply: (state: BridgeState<unknown>, a) => {
    const [s, u] =
      a.donate && inner.stepDonated !== undefined
        ? inner.stepDonated(state.inner, a.d, a.params, a.into, a.context)
        : inner.step(state.inner, a.d, a.params, a.context)
    return [{ kind: 'bridge', count: state.count + 1, inner: s } as BridgeState<unknown>, u]
  },
  info: { label: 'optimizer' }
})

/**
 * Compose stages, outermost first, ending in a terminal: `sgd(lr)`,
 * `backtracking()`, `lbfgs()`, or any chain (its stages follow these, so
 * `chain(a, chain(b, sgd(1)))` is `chain(a, b, sgd(1))`). A plain optimizer
 * last receives the direction d as its gradient, behind a `bridge` state that
 * keeps the step count.
 *
 * The state is inferred: `chain(ewma(o), rms(o), sgd(lr))` has state
 * `StageState<'ewma', StageState<'rms', SgdState>>`; stateless stages add nothing.
 * @example chain(stages.ewma({ beta: 0.9, debias: true }), stages.rms({ rho: 0.999, debias: true }), sgd(1e-3)) // = adam({ lr: 1e-3 })
 */
export function chain<const Ss extends readonly Stage[], S>(...items: readonly [...Ss, ChainOptimizer<S>]): ChainOptimizer<ChainStateOf<Ss, S>>
export function chain<const Ss extends readonly Stage[], S>(...items: readonly [...Ss, Optimizer<S>]): ChainOptimizer<ChainStateOf<Ss, BridgeState<S>>>
// biome-ignore lint/suspicious/noExplicitAny: the overloads above give the state type
export function chain(...items: readonly unknown[]): ChainOptimizer<any> {
  return chainOptimizer(chainDefOf(items))
}

const chainDefOf = (items: readonly unknown[]): ChainDef => {
  if (items.length === 0) throw new ChainError('chain: needs at least a terminal (sgd(lr), backtracking(), lbfgs())')
  const stages: StageImpl[] = []
  items.slice(0, -1).forEach((x, i) => {
    if (isStage(x)) stages.push(x[STAGE])
    else if (isOptimizer(x)) {
      const name = chainOf(x as Optimizer<unknown>)?.terminal.name ?? 'an optimizer'
      throw new ChainError(`chain: item ${i + 1} ('${name}') is a terminal, so nothing may follow it; it must be the last of the ${items.length} items`)
    } else throw new ChainError(`chain: item ${i + 1} is not a stage (got ${typeof x})`)
  })
  const last = items[items.length - 1]
  if (isStage(last)) {
    throw new ChainError(`chain: the last item ('${last[STAGE].name}', position ${items.length}) is a stage; a chain ends in a terminal (sgd(lr), backtracking(), lbfgs())`)
  }
  if (!isOptimizer(last)) throw new ChainError(`chain: the last item is not an optimizer (got ${typeof last})`)
  const inner = chainOf(last as Optimizer<unknown>)
  if (inner !== undefined) return { stages: [...stages, ...inner.stages], terminal: inner.terminal }
  return { stages, terminal: bridge(last as Optimizer<unknown>) }
}

const isOptimizer = (x: unknown): boolean =>
  typeof x === 'object' && x !== null && typeof (x as Optimizer<unknown>).init === 'function' && typeof (x as Optimizer<unknown>).step === 'function'

/** Put one stage above an optimizer: the `withX(inner, o)` sugar, `chain(stage, inner)`. */
export const prepend = <L, S>(stage: Stage<L>, inner: Optimizer<S>): ChainOptimizer<LayerState<L, unknown>> =>
  chain(stage, inner as ChainOptimizer<unknown>) as unknown as ChainOptimizer<LayerState<L, unknown>>

// -------------------------------------------------------------------------------------
// utilities
// -------------------------------------------------------------------------------------

const defOf = (optimizer: Optimizer<unknown>, who: string): ChainDef => {
  const def = chainOf(optimizer)
  if (def === undefined) throw new ChainError(`${who}: the optimizer was not built by chain (or a withX, an alias, sgd)`)
  return def
}

/**
 * The chain as text, outermost first:
 * `ewma(β=0.9, debias) → rms(ρ=0.999, ε=1e-8, debias) → sgd(lr=0.001)`.
 */
export const describe = <S>(optimizer: Optimizer<S>): string => {
  const def = defOf(optimizer as Optimizer<unknown>, 'describe')
  return [...def.stages.map((s) => s.info.label), def.terminal.info.label].join(' → ')
}

/**
 * The JSON pipeline of a chain of built-in stages (outermost first, the
 * terminal last), which `optimizerFromSpec` turns back into an optimizer with
 * the same steps. Throws a `ChainError` naming the first stage that has no
 * JSON form (a user stage, a schedule given as a function).
 */
export const toSpec = <S>(optimizer: Optimizer<S>): readonly unknown[] => {
  const def = defOf(optimizer as Optimizer<unknown>, 'toSpec')
  const all = [...def.stages.map((s) => s.info), def.terminal.info]
  const names = [...def.stages.map((s) => s.name), def.terminal.name]
  return all.map((info, i) => {
    if (info.spec === undefined) {
      throw new ChainError(`toSpec: stage '${names[i]}' (position ${i + 1}) has no JSON form (a user stage, or a hyper-parameter given as a function)`)
    }
    return info.spec
  })
}

/**
 * The current hyper-parameters of each stage (schedules evaluated at the step
 * count held in `state`), outermost first: what the next step will use.
 * @example hyperparameters(opt, state) // [{ stage: 'ewma', values: { beta: 0.9 } }, …, { stage: 'sgd', values: { lr: 0.001 } }]
 */
export const hyperparameters = <S>(
  optimizer: Optimizer<S>,
  state: S
): readonly {
  /** The stage's name (`bridge` for a plain optimizer at the end of the chain). */
  readonly stage: string
  /** Its hyper-parameters by name, schedules evaluated; `{}` for a stage that reports none (user stages). */
  readonly values: Readonly<Record<string, number>>
}[] => {
  const def = defOf(optimizer as Optimizer<unknown>, 'hyperparameters')
  let node: unknown = state
  while (node !== null && typeof node === 'object' && 'inner' in node && !('count' in node)) node = (node as { inner: unknown }).inner
  const count = (node as { count?: unknown } | null)?.count
  if (typeof count !== 'number') throw new ChainError('hyperparameters: the state holds no step count (is it this optimizer’s state?)')
  return [...def.stages, def.terminal].map((s) => ({ stage: s.name, values: s.info.hyperparameters?.(count) ?? {} }))
}
