/**
 * Laws of the optimizer algebra (DESIGN.md, "Contract: the optimizer
 * algebra"): a pass-through stage changes no number wherever it stands in a
 * chain, nested chains and the `withX(inner)` sugar equal the flat `chain`
 * bit for bit, `toSpec` round-trips through the JSON spec, and line-search
 * terminals decrease f with Armijo's condition at every accepted step. Every
 * run steps along a smooth objective with the step context (value and
 * objective), as the drivers do, so terminals that need it work.
 */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import { decodeOptimizerSpec, optimizerFromSpec } from '../src/io/spec.js'
import { type Stage, chain, toSpec } from '../src/optim/chain.js'
import {
  withAdaGrad,
  withClip,
  withClipByGlobalNorm,
  withDecoupledWeightDecay,
  withEwma,
  withMomentum,
  withRMS,
  withWeightDecay
} from '../src/optim/combinators.js'
import type { StepContext } from '../src/optim/Optimizer.js'
import * as stages from '../src/optim/stages.js'
import { sgd } from '../src/optim/terminals.js'
import type { TensorTree } from '../src/tensor/Tree.js'
import { identical } from './approx.js'
import { type TreeConstraints, tensorTreeArb, uniformDouble } from './arbitraries.js'
import { addTrees, diffSnapshots, dotTrees, mapTree, normOf, snapshot, valuesOf } from './internal.js'
import { type Law, type LawParameters, type Verdict, assertLaws, expectVerdict, fails, holds, law } from './law.js'
import type { AnyOptimizer } from './optimizer.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** An objective as the step context carries it: params ↦ [f, ∇f]. */
export type Objective = NonNullable<StepContext['objective']>

/** How chains are built: `chain` itself, or an implementation under test. */
export type Compose = (...items: readonly unknown[]) => AnyOptimizer

/** The stages of a chain, outermost first, and its terminal. */
export interface ChainParts {
  /** The stages in `chain` order, outermost first (possibly none). */
  readonly stages: readonly Stage[]
  /** The terminal that turns the direction d into the update, e.g. `sgd(lr)`. */
  readonly terminal: AnyOptimizer
}

/** A built-in stage with its `withX(inner)` sugar, for the nesting and spec laws. */
export interface BuiltinStage {
  /** The stage and its hyper-parameters as text, e.g. `clip(0.5)`, for reports. */
  readonly label: string
  /** The stage, for `chain(...)`. */
  readonly stage: Stage
  /** The same stage in its `withX(inner, options)` form, with the same hyper-parameters. */
  readonly wrap: (inner: AnyOptimizer) => AnyOptimizer
}

/** A random chain of built-in stages ending in `sgd(lr)`. */
export interface BuiltinChain {
  /** The stages, outermost first (0 to `maxStages` of them from `builtinChainArb`). */
  readonly stages: readonly BuiltinStage[]
  /** The learning rate of the `sgd` terminal (in [0.01, 0.3] from `builtinChainArb`). */
  readonly lr: number
}

/** `toSpec` and its decoder: the library's, or an implementation under test. */
export interface SpecCodec {
  /** The optimizer's JSON spec; it may throw (a stage without a JSON form), and the round-trip law then fails with the error. */
  readonly toSpec: (optimizer: AnyOptimizer) => unknown
  /** Parsed JSON back to an optimizer, or `Left` with the decoding errors. */
  readonly fromSpec: (json: unknown) => E.Either<readonly string[], AnyOptimizer>
}

/** A run along an objective: the parameters, values and gradients seen at each step, and the updates and states. */
export interface ObjectiveRun {
  /** params[0] is the start; params[t+1] = params[t] + updates[t] (steps + 1 trees). */
  readonly params: readonly TensorTree[]
  /** values[t] = f(params[t]), the value step t + 1 saw. */
  readonly values: readonly number[]
  /** grads[t] = ∇f(params[t]), the gradient step t + 1 saw. */
  readonly grads: readonly TensorTree[]
  /** updates[t] is what step t + 1 returned. */
  readonly updates: readonly TensorTree[]
  /** states[0] = init(start); states[t] after t steps (steps + 1 states). */
  readonly states: readonly unknown[]
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const compose: Compose = (...items) => (chain as unknown as Compose)(...items)

/** The library's `toSpec` with `decodeOptimizerSpec` and `optimizerFromSpec` (src/io/spec.ts). */
export const librarySpecCodec: SpecCodec = {
  toSpec: (optimizer) => toSpec(optimizer),
  fromSpec: (json) => pipe(decodeOptimizerSpec(json), E.map((spec) => optimizerFromSpec(spec) as AnyOptimizer))
}

/** The two pass-through stages a user writes: elementwise `({ d }) => ({ d })` and a whole-tree one. */
export const passThroughStages: readonly {
  /** The stage as its user writes it, for the law's name. */
  readonly name: string
  /** A stage that passes d (and g) through unchanged. */
  readonly stage: Stage
}[] = [
  { name: 'elementwise ({ d }) => ({ d })', stage: stages.elementwise({ name: 'passThrough', rule: ({ d }) => ({ d }) }) },
  { name: 'custom (s, { d }) => [s, { d }]', stage: stages.custom({ name: 'passThroughTree', apply: (s, { d }) => [s, { d }] }) }
]

/**
 * f(θ) = Σ ½a(θᵢ − 1)² + ¼bθᵢ⁴ over every element of the tree: smooth,
 * strongly convex for a > 0, not quadratic for b > 0.
 */
export const smoothObjective =
  (a: number, b: number): Objective =>
  (params) => {
    const xs = valuesOf(params)
    let f = 0
    for (const x of xs) f += 0.5 * a * (x - 1) * (x - 1) + 0.25 * b * x * x * x * x
    return [f, mapTree(params, (x) => a * (x - 1) + b * x * x * x)]
  }

/** Random built-in stages, with hyper-parameters away from their defaults so a dropped spec field shows. */
export const builtinStageArb: fc.Arbitrary<BuiltinStage> = fc.oneof(
  fc.record({ beta: uniformDouble(0, 0.95), dampening: fc.oneof(fc.constant(0), uniformDouble(0.1, 0.5)), nesterov: fc.boolean() }).map((o) => ({
    label: `momentum(${JSON.stringify(o)})`,
    stage: stages.momentum(o),
    wrap: (inner: AnyOptimizer) => withMomentum(inner, o) as AnyOptimizer
  })),
  fc.record({ beta: uniformDouble(0, 0.99), debias: fc.boolean() }).map((o) => ({
    label: `ewma(${JSON.stringify(o)})`,
    stage: stages.ewma(o),
    wrap: (inner: AnyOptimizer) => withEwma(inner, o) as AnyOptimizer
  })),
  fc
    .record({ rho: uniformDouble(0.5, 0.999), eps: uniformDouble(1e-6, 1e-2), centered: fc.boolean(), debias: fc.boolean(), epsInside: fc.boolean(), amsgrad: fc.boolean() })
    .map((o) => ({ label: `rms(${JSON.stringify(o)})`, stage: stages.rms(o), wrap: (inner: AnyOptimizer) => withRMS(inner, o) as AnyOptimizer })),
  fc.record({ eps: uniformDouble(1e-6, 1e-2), initialAccumulatorValue: uniformDouble(0, 1) }).map((o) => ({
    label: `adagrad(${JSON.stringify(o)})`,
    stage: stages.adagrad(o),
    wrap: (inner: AnyOptimizer) => withAdaGrad(inner, o) as AnyOptimizer
  })),
  uniformDouble(0.01, 0.2).map((lambda) => ({
    label: `weightDecay(${lambda})`,
    stage: stages.weightDecay({ lambda }),
    wrap: (inner: AnyOptimizer) => withWeightDecay(inner, { lambda }) as AnyOptimizer
  })),
  uniformDouble(0.01, 0.2).map((lambda) => ({
    label: `decoupledWeightDecay(${lambda})`,
    stage: stages.decoupledWeightDecay({ lambda }),
    wrap: (inner: AnyOptimizer) => withDecoupledWeightDecay(inner, { lambda }) as AnyOptimizer
  })),
  uniformDouble(0.1, 3).map((max) => ({
    label: `clip(${max})`,
    stage: stages.clip({ max }),
    wrap: (inner: AnyOptimizer) => withClip(inner, { max }) as AnyOptimizer
  })),
  uniformDouble(0.1, 3).map((maxNorm) => ({
    label: `clipByGlobalNorm(${maxNorm})`,
    stage: stages.clipByGlobalNorm({ maxNorm }),
    wrap: (inner: AnyOptimizer) => withClipByGlobalNorm(inner, { maxNorm }) as AnyOptimizer
  }))
)

/** Random chains of 0 to `maxStages` (default 4) built-in stages ending in `sgd(lr)`, lr in [0.01, 0.3]. */
export const builtinChainArb = (maxStages = 4): fc.Arbitrary<BuiltinChain> =>
  fc.record({ stages: fc.array(builtinStageArb, { minLength: 0, maxLength: maxStages }), lr: uniformDouble(0.01, 0.3) })

/** The parts of a built-in chain (its stages and `sgd(lr)`). */
export const partsOf = (c: BuiltinChain): ChainParts => ({ stages: c.stages.map((s) => s.stage), terminal: sgd(c.lr) })

/** A built-in chain as text, for reports. */
export const showChain = (c: BuiltinChain): string => [...c.stages.map((s) => s.label), `sgd(${c.lr})`].join(' → ')

// -------------------------------------------------------------------------------------
// utilities
// -------------------------------------------------------------------------------------

/**
 * Run `opt` from `start` along `objective` as the drivers do: each step sees
 * the gradient, the parameters and the context `{ value, objective }`, and
 * the parameters move by the update.
 */
export const runOnObjective = <S>(opt: { readonly init: (p: TensorTree) => S; readonly step: (s: S, g: TensorTree, p: TensorTree, c?: StepContext) => readonly [S, TensorTree] }, objective: Objective, start: TensorTree, steps: number): ObjectiveRun => {
  const params: TensorTree[] = [start]
  const values: number[] = []
  const grads: TensorTree[] = []
  const updates: TensorTree[] = []
  let state = opt.init(start)
  const states: unknown[] = [state]
  for (let t = 0; t < steps; t++) {
    const p = params[t]
    const [f, g] = objective(p)
    const [s, u] = opt.step(state, g, p, { value: f, objective })
    values.push(f)
    grads.push(g)
    updates.push(u)
    states.push(s)
    state = s
    params.push(addTrees(p, u))
  }
  return { params, values, grads, updates, states }
}

/**
 * `opt` steps bit for bit as `reference` along the reference's run (each is
 * stepped at the same parameters, gradients and context); with `states`, its
 * states are identical too, key for key.
 */
export const stepsIdentically = (opt: AnyOptimizer, reference: AnyOptimizer, objective: Objective, start: TensorTree, steps: number, states = false): Verdict => {
  const run = runOnObjective(reference, objective, start, steps)
  let state = opt.init(start)
  for (let t = 0; t < steps; t++) {
    if (states) {
      const ds = diffSnapshots(snapshot(run.states[t]), snapshot(state))
      if (ds !== undefined) return fails(`the state before step ${t + 1} differs: ${ds}`)
    }
    const [s, u] = opt.step(state, run.grads[t], run.params[t], { value: run.values[t], objective })
    const du = identical.explain(u, run.updates[t])
    if (du !== undefined) return fails(`update ${t + 1} differs: ${du}`)
    state = s
  }
  if (states) {
    const ds = diffSnapshots(snapshot(run.states[steps]), snapshot(state))
    if (ds !== undefined) return fails(`the state after step ${steps} differs: ${ds}`)
  }
  return holds
}

const insertAt = <T>(xs: readonly T[], position: number, x: T): T[] => [...xs.slice(0, position), x, ...xs.slice(position)]

// -------------------------------------------------------------------------------------
// predicates
// -------------------------------------------------------------------------------------

/**
 * Transparency: a stage that passes d (and g) through, inserted at `position`
 * (0 = outermost; clamped to the end) of a chain, changes no number: the
 * updates are bit-identical to the chain's without it, step after step.
 */
export const passThroughIsTransparent = (
  parts: ChainParts,
  passThrough: Stage,
  position: number,
  objective: Objective,
  start: TensorTree,
  steps: number,
  build: Compose = compose
): Verdict => {
  const at = Math.max(0, Math.min(position, parts.stages.length))
  const v = stepsIdentically(build(...insertAt(parts.stages, at, passThrough), parts.terminal), build(...parts.stages, parts.terminal), objective, start, steps)
  return v.holds ? v : fails(`with the pass-through at position ${at + 1} of ${parts.stages.length + 2}: ${v.reason}`)
}

/**
 * Associativity: `chain(a…, chain(b…, t))` (the stages split at `split`) is
 * `chain(a…, b…, t)`: the same updates and the same state, bit for bit.
 */
export const nestedChainIsFlat = (parts: ChainParts, split: number, objective: Objective, start: TensorTree, steps: number, build: Compose = compose): Verdict => {
  const at = Math.max(0, Math.min(split, parts.stages.length))
  const nested = build(...parts.stages.slice(0, at), build(...parts.stages.slice(at), parts.terminal))
  const v = stepsIdentically(nested, build(...parts.stages, parts.terminal), objective, start, steps, true)
  return v.holds ? v : fails(`chain(${at} stages, chain(${parts.stages.length - at} stages, terminal)) vs the flat chain: ${v.reason}`)
}

/**
 * The sugar is `chain`: `withA(withB(…sgd(lr)))` equals `chain(a, b, …, sgd(lr))`,
 * the same updates and the same state, bit for bit.
 */
export const nestedFormEqualsChain = (
  c: BuiltinChain,
  objective: Objective,
  start: TensorTree,
  steps: number,
  nest: (s: BuiltinStage, inner: AnyOptimizer) => AnyOptimizer = (s, inner) => s.wrap(inner),
  build: Compose = compose
): Verdict => {
  const nested = c.stages.reduceRight<AnyOptimizer>((inner, s) => nest(s, inner), sgd(c.lr))
  const v = stepsIdentically(nested, build(...partsOf(c).stages, sgd(c.lr)), objective, start, steps, true)
  return v.holds ? v : fails(`the withX form of ${showChain(c)} vs chain: ${v.reason}`)
}

/**
 * `toSpec` round-trips: the spec survives JSON text, decodes, converts back to
 * the same spec, and the decoded optimizer steps bit for bit as the original.
 */
export const specRoundTrips = (opt: AnyOptimizer, objective: Objective, start: TensorTree, steps: number, codec: SpecCodec = librarySpecCodec): Verdict => {
  let text: string
  try {
    text = JSON.stringify(codec.toSpec(opt))
  } catch (e) {
    return fails(`toSpec threw: ${String(e)}`)
  }
  const decoded = codec.fromSpec(JSON.parse(text))
  if (E.isLeft(decoded)) return fails(`the spec ${text} does not decode: ${decoded.left.join('; ')}`)
  const again = JSON.stringify(codec.toSpec(decoded.right))
  if (again !== text) return fails(`toSpec of the decoded optimizer is ${again}, the spec was ${text}`)
  const v = stepsIdentically(decoded.right, opt, objective, start, steps)
  return v.holds ? v : fails(`the optimizer decoded from ${text}: ${v.reason}`)
}

/**
 * A line search's accepted steps: at every step f(θ + u) ≤ f(θ) + c₁·⟨g, u⟩
 * (Armijo's condition with u = αp, up to rounding of f), and f strictly
 * decreases unless ‖g‖² ≤ converged·(1 + |f|) (default 1e-10: the decrease
 * still possible, about ‖g‖²/2L, is then lost in the rounding of f). A step
 * that stands still, climbs or decreases f too little fails.
 */
export const armijoAtEveryStep = (opt: AnyOptimizer, objective: Objective, start: TensorTree, steps: number, c1: number, converged = 1e-10): Verdict => {
  const run = runOnObjective(opt, objective, start, steps)
  for (let t = 0; t < steps; t++) {
    const f0 = run.values[t]
    const g = run.grads[t]
    const u = run.updates[t]
    const [f1] = objective(run.params[t + 1])
    const slope = dotTrees(g, u)
    const rounding = 1e-13 * (1 + Math.abs(f0)) + 1e-12 * Math.abs(c1 * slope)
    if (!(f1 <= f0 + c1 * slope + rounding)) {
      return fails(`step ${t + 1}: f went from ${f0} to ${f1} with ⟨g, u⟩ = ${slope}; Armijo (c₁ = ${c1}) needs f ≤ ${f0 + c1 * slope}`)
    }
    if (normOf(g) ** 2 > converged * (1 + Math.abs(f0)) && !(f1 < f0)) {
      return fails(`step ${t + 1}: f did not decrease (${f0} to ${f1}) though ‖g‖ = ${normOf(g)}`)
    }
  }
  return holds
}

// -------------------------------------------------------------------------------------
// runners
// -------------------------------------------------------------------------------------

/** Options of `algebraLaws`. */
export interface AlgebraLawOptions {
  /** Pass-through stages that must be transparent (default `passThroughStages`). */
  readonly passThrough?: readonly {
    /** Names the stage in the law's name. */
    readonly name: string
    /** A stage that must pass d (and g) through unchanged. */
    readonly stage: Stage
  }[]
  /** How chains are built (default `chain`). */
  readonly compose?: Compose
  /** How a built-in stage nests over an inner optimizer (default its `withX`). */
  readonly nest?: (s: BuiltinStage, inner: AnyOptimizer) => AnyOptimizer
  /** `toSpec` and the decoder (default the library's). */
  readonly codec?: SpecCodec
  /** The chains (default `builtinChainArb()`). */
  readonly chains?: fc.Arbitrary<BuiltinChain>
  /** Steps of each run (default 3). */
  readonly steps?: number
  /** Shapes and values of the starting parameters (default depth 2, 3 children, leaves up to 3, values in [−2, 2]). */
  readonly trees?: TreeConstraints
  /** fast-check parameters (runs, seed, path) that `checkAlgebraLaws` passes to every law; `algebraLaws` does not read them. */
  readonly fc?: LawParameters
}

/** A starting tree and a smooth objective. */
const startArb = (trees: TreeConstraints) =>
  fc.record({ start: tensorTreeArb(trees), a: uniformDouble(0.5, 3), b: uniformDouble(0, 1) })

/** The laws of `chain` over random built-in chains: transparency, associativity, the sugar, `toSpec`. */
export const algebraLaws = (options: AlgebraLawOptions = {}): readonly Law[] => {
  const build = options.compose ?? compose
  const chains = options.chains ?? builtinChainArb()
  const steps = options.steps ?? 3
  const trees = { maxDepth: 2, maxChildren: 3, maxDim: 3, min: -2, max: 2, ...options.trees }
  const points = startArb(trees)
  const laws: Law[] = (options.passThrough ?? passThroughStages).map(({ name, stage }) =>
    law('algebra', `a pass-through stage (${name}) changes no number wherever it stands in a chain`, () =>
      fc.property(chains, fc.nat({ max: 8 }), points, (c, position, { start, a, b }) =>
        expectVerdict(passThroughIsTransparent(partsOf(c), stage, position, smoothObjective(a, b), start, steps, build))
      )
    )
  )
  laws.push(
    law('algebra', 'chain(a…, chain(b…, t)) equals chain(a…, b…, t), updates and state bit for bit', () =>
      fc.property(chains, fc.nat({ max: 8 }), points, (c, split, { start, a, b }) =>
        expectVerdict(nestedChainIsFlat(partsOf(c), split, smoothObjective(a, b), start, steps, build))
      )
    ),
    law('algebra', 'the nested withX(inner) form equals chain, updates and state bit for bit', () =>
      fc.property(chains, points, (c, { start, a, b }) => expectVerdict(nestedFormEqualsChain(c, smoothObjective(a, b), start, steps, options.nest, build)))
    ),
    law('algebra', 'toSpec round-trips: the decoded spec steps bit for bit as the chain', () =>
      fc.property(chains, points, (c, { start, a, b }) =>
        expectVerdict(specRoundTrips(build(...partsOf(c).stages, sgd(c.lr)), smoothObjective(a, b), start, steps, options.codec))
      )
    )
  )
  return laws
}

/** Check `algebraLaws`; throws at the first failure with the law, the counterexample and the seed. */
export const checkAlgebraLaws = (options: AlgebraLawOptions = {}): void => assertLaws(algebraLaws(options), options.fc)

/** Options of `lineSearchLaws`. */
export interface LineSearchLawOptions {
  /** Armijo's constant the search claims (default 1e-4, as `backtracking` and `lbfgs`). */
  readonly c1?: number
  /** Steps of each run (default 6). */
  readonly steps?: number
  /** Shapes and values of the starting parameters (default depth 2, 3 children, leaves up to 3, values in [−2, 2]). */
  readonly trees?: TreeConstraints
  /** fast-check parameters (runs, seed, path) that `checkLineSearchLaws` passes on; `lineSearchLaws` does not read them. */
  readonly fc?: LawParameters
}

/**
 * The law of a line-search optimizer (`backtracking`, `lbfgs`, or a chain
 * ending in one): along random smooth objectives, every accepted step
 * satisfies Armijo's condition and decreases f.
 */
export const lineSearchLaws = (opt: AnyOptimizer, options: LineSearchLawOptions = {}): readonly Law[] => {
  const c1 = options.c1 ?? 1e-4
  const steps = options.steps ?? 6
  const trees = { maxDepth: 2, maxChildren: 3, maxDim: 3, min: -2, max: 2, ...options.trees }
  return [
    law('line search', `every accepted step decreases f and satisfies Armijo's condition (c₁ = ${c1})`, () =>
      fc.property(startArb(trees), ({ start, a, b }) => expectVerdict(armijoAtEveryStep(opt, smoothObjective(a, b), start, steps, c1)))
    )
  ]
}

/** Check `lineSearchLaws`; throws at the first failure. */
export const checkLineSearchLaws = (opt: AnyOptimizer, options: LineSearchLawOptions = {}): void => assertLaws(lineSearchLaws(opt, options), options.fc)

