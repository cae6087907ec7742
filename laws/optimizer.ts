/**
 * Laws of optimizers, generic over any `Optimizer<S>`: pure predicates grouped
 * by subject (purity, structure, composition, scaling, averages, momentum,
 * descent on quadratics, adaptive rates, minibatches), and the runners
 * `checkOptimizerLaws` and `checkDescentLaws` that check them with fast-check.
 * Each predicate takes the optimizer under test and an approximate equality,
 * and returns a `Verdict` whose reason names what broke and where.
 */
import fc from 'fast-check'
import { chain } from '../src/optim/chain.js'
import type { Optimizer } from '../src/optim/Optimizer.js'
import { fromArray, scalar, zeros } from '../src/tensor/Tensor.js'
import { type TensorTree, flattenTensors, signatureOf } from '../src/tensor/Tree.js'
import {
  type ChainParts,
  nestedChainIsFlat,
  passThroughIsTransparent,
  passThroughStages,
  smoothObjective,
  specRoundTrips,
  stepsIdentically
} from './algebra.js'
import { type ApproxEq, approxEq, identical } from './approx.js'
import {
  type ParamsAndGrads,
  type Quadratic,
  type TreeConstraints,
  independentParamsAndGradsArb,
  quadraticArb,
  tensorOfShape,
  tensorTreeArb,
  treeLike,
  uniformDouble
} from './arbitraries.js'
import { addTrees, diffSnapshots, mapTree, scaleTree, skeletonOf, snapshot, valuesOf, zipWith } from './internal.js'
import { type Law, type LawParameters, type Verdict, allOf, assertLaws, expectVerdict, fails, holds, law, verdictOf } from './law.js'
import {
  type MomentumForm,
  accumulatedMomentumReference,
  averagedMomentumReference,
  type RuleKind,
  type UpdateRuleHyperParameters,
  heavyBallReference,
  nesterovLookAheadPath,
  rateAt,
  updateRuleReference
} from './reference.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Any optimizer, whatever its state (`any`: a state type is both produced and consumed, so `unknown` would reject every optimizer). */
// biome-ignore lint/suspicious/noExplicitAny: see above
export type AnyOptimizer = Optimizer<any>

/** What a run of an optimizer produced, step by step. */
export interface OptimizerRun<S> {
  /** states[0] = init(params); states[t] after t steps. */
  readonly states: readonly S[]
  /** updates[t] is what step t + 1 returned: one per gradient. */
  readonly updates: readonly TensorTree[]
  /** params[0] is the start; params[t+1] = params[t] + updates[t] (or the start throughout when held fixed). */
  readonly params: readonly TensorTree[]
}

// -------------------------------------------------------------------------------------
// utilities: running an optimizer
// -------------------------------------------------------------------------------------

/**
 * Run `opt` from `init(params)` over the gradients. The parameters move by
 * each update unless `fixedParams` is set, in which case every step sees the
 * starting parameters (laws about the gradient alone use that).
 */
export const runOptimizer = <S>(opt: Optimizer<S>, params: TensorTree, grads: readonly TensorTree[], fixedParams = false): OptimizerRun<S> => {
  const states: S[] = [opt.init(params)]
  const updates: TensorTree[] = []
  const ps: TensorTree[] = [params]
  for (const g of grads) {
    const p = ps[ps.length - 1]
    const [s, u] = opt.step(states[states.length - 1], g, p)
    states.push(s)
    updates.push(u)
    ps.push(fixedParams ? params : addTrees(p, u))
  }
  return { states, updates, params: ps }
}

/** The iterates of `opt` minimising a quadratic from its start (`steps + 1` points). */
export const pathOnQuadratic = <S>(opt: Optimizer<S>, q: Quadratic, steps: number, start: readonly number[] = q.start): number[][] => {
  let x: TensorTree = fromArray([q.n], start)
  let s = opt.init(x)
  const path = [start.slice()]
  for (let t = 0; t < steps; t++) {
    const g = fromArray([q.n], q.gradient(valuesOf(x)))
    const [s2, u] = opt.step(s, g, x)
    s = s2
    x = addTrees(x, u)
    path.push(valuesOf(x))
  }
  return path
}

const comparePaths = (a: readonly (readonly number[])[], b: readonly (readonly number[])[], approx: ApproxEq): string | undefined => {
  for (let t = 0; t < Math.min(a.length, b.length); t++) {
    const d = approx.explain(fromArray([a[t].length], a[t]), fromArray([b[t].length], b[t]))
    if (d !== undefined) return `iterate ${t}: ${d}`
  }
  return undefined
}

const distance = (x: readonly number[], y: readonly number[]): number => Math.hypot(...x.map((xi, i) => xi - y[i]))

const allFinite = (tree: TensorTree): boolean => valuesOf(tree).every(Number.isFinite)

// -------------------------------------------------------------------------------------
// purity and determinism
// -------------------------------------------------------------------------------------

/**
 * `init` and `step` never write into their inputs: parameters, gradient and
 * state are deep-copied before each call and compared after it.
 */
export const doesNotMutateInputs = <S>(opt: Optimizer<S>, data: ParamsAndGrads): Verdict => {
  const p0 = snapshot(data.params)
  let state = opt.init(data.params)
  const afterInit = diffSnapshots(p0, snapshot(data.params))
  if (afterInit !== undefined) return fails(`init wrote into the parameters at ${afterInit}`)
  let params = data.params
  for (let t = 0; t < data.grads.length; t++) {
    const g = data.grads[t]
    const before = { state: snapshot(state), grad: snapshot(g), params: snapshot(params) }
    const [next, u] = opt.step(state, g, params)
    const changed =
      diffSnapshots(before.state, snapshot(state)) ?? diffSnapshots(before.grad, snapshot(g)) ?? diffSnapshots(before.params, snapshot(params))
    if (changed !== undefined) return fails(`step ${t + 1} wrote into its inputs (state, gradient or parameters) at ${changed}`)
    state = next
    params = addTrees(params, u)
  }
  return holds
}

/**
 * Determinism: `init` twice gives identical states, and stepping the same
 * state with the same gradient and parameters twice gives bit-identical
 * updates and states — at every step of a run, so an old state can be replayed.
 */
export const isDeterministic = <S>(opt: Optimizer<S>, data: ParamsAndGrads): Verdict => {
  const a = opt.init(data.params)
  const b = opt.init(data.params)
  const initDiff = diffSnapshots(snapshot(a), snapshot(b))
  if (initDiff !== undefined) return fails(`init gave two different states: ${initDiff}`)
  let state = a
  let params = data.params
  for (let t = 0; t < data.grads.length; t++) {
    const [s1, u1] = opt.step(state, data.grads[t], params)
    const [s2, u2] = opt.step(state, data.grads[t], params)
    const du = identical.explain(u1, u2)
    if (du !== undefined) return fails(`step ${t + 1} replayed gave a different update: ${du}`)
    const ds = diffSnapshots(snapshot(s1), snapshot(s2))
    if (ds !== undefined) return fails(`step ${t + 1} replayed gave a different state: ${ds}`)
    state = s1
    params = addTrees(params, u1)
  }
  return holds
}

/** `init` depends only on the structure and shapes of the parameters, not on their values. */
export const initDependsOnlyOnShapes = <S>(opt: Optimizer<S>, params: TensorTree, sameShapes: TensorTree): Verdict =>
  verdictOf(diffSnapshots(snapshot(opt.init(params)), snapshot(opt.init(sameShapes))), 'init differs for two trees of the same shapes')

/** When `stepDonated` exists it gives bit for bit what `step` gives. */
export const donatedStepAgrees = <S>(opt: Optimizer<S>, data: ParamsAndGrads): Verdict => {
  const donated = opt.stepDonated
  if (donated === undefined) return holds
  const reference = runOptimizer(opt, data.params, data.grads)
  let state = opt.init(data.params)
  let params = data.params
  let into: TensorTree | undefined
  for (let t = 0; t < data.grads.length; t++) {
    const [s, u] = donated(state, data.grads[t], params, into)
    const d = identical.explain(u, reference.updates[t])
    if (d !== undefined) return fails(`stepDonated at step ${t + 1} differs from step: ${d}`)
    params = addTrees(params, u)
    state = s
    into = u
  }
  return holds
}

/**
 * When `stepApplied` exists it gives bit for bit `params + update` of `step`, with the state
 * `step` gives: pure (the parameters stepped from left as they were) and donated (the state
 * consumed, and from the second step on the parameters too, stepped wholly in place).
 */
export const appliedStepAgrees = <S>(opt: Optimizer<S>, data: ParamsAndGrads): Verdict => {
  const applied = opt.stepApplied
  if (applied === undefined) return holds
  const reference = runOptimizer(opt, data.params, data.grads)
  let want = data.params
  let pure = { state: opt.init(data.params), params: data.params }
  let donated = { state: opt.init(data.params), params: data.params }
  for (let t = 0; t < data.grads.length; t++) {
    want = addTrees(want, reference.updates[t])
    const before = snapshot(pure.params)
    const [s1, p1] = applied(pure.state, data.grads[t], pure.params, false)
    const d1 = identical.explain(p1, want)
    if (d1 !== undefined) return fails(`stepApplied at step ${t + 1} differs from params + step's update: ${d1}`)
    const dm = diffSnapshots(snapshot(pure.params), before)
    if (dm !== undefined) return fails(`stepApplied without donation changed the parameters it stepped from at step ${t + 1}: ${dm}`)
    // the first step's parameters are the caller's: only those the optimizer made are given up
    const [s2, p2] = applied(donated.state, data.grads[t], donated.params, true, undefined, t > 0 ? donated.params : undefined)
    const d2 = identical.explain(p2, want)
    if (d2 !== undefined) return fails(`stepApplied with donation at step ${t + 1} differs from params + step's update: ${d2}`)
    pure = { state: s1, params: p1 }
    donated = { state: s2, params: p2 }
  }
  return holds
}

// -------------------------------------------------------------------------------------
// structure
// -------------------------------------------------------------------------------------

/** Every update has the structure and leaf shapes of its gradient. */
export const updateMatchesGradient = <S>(opt: Optimizer<S>, data: ParamsAndGrads): Verdict => {
  const run = runOptimizer(opt, data.params, data.grads)
  return allOf(
    run.updates.map((u, t) => {
      const want = signatureOf(flattenTensors(data.grads[t]))
      const got = signatureOf(flattenTensors(u))
      return got === want ? holds : fails(`update ${t + 1} has signature ${got}, its gradient ${want}`)
    })
  )
}

/** The state keeps its structure (keys, lengths, tensor shapes) from step to step. */
export const stateKeepsStructure = <S>(opt: Optimizer<S>, data: ParamsAndGrads): Verdict => {
  const run = runOptimizer(opt, data.params, data.grads)
  const skeletons = run.states.map(skeletonOf)
  // The state after init may hold placeholders; from the first step on the structure is fixed.
  for (let t = 2; t < skeletons.length; t++) {
    if (skeletons[t] !== skeletons[1]) return fails(`state after step ${t} is ${skeletons[t]}, after step 1 it was ${skeletons[1]}`)
  }
  return holds
}

/** Finite parameters and gradients give finite updates. */
export const updatesAreFinite = <S>(opt: Optimizer<S>, data: ParamsAndGrads): Verdict => {
  const run = runOptimizer(opt, data.params, data.grads)
  const bad = run.updates.findIndex((u) => !allFinite(u))
  return bad < 0 ? holds : fails(`update ${bad + 1} has a non-finite element: ${valuesOf(run.updates[bad]).join(', ')}`)
}

/**
 * Edge-case trees work: a lone scalar, a zero-size leaf, a zero-size matrix
 * and a single-element vector, alone and together; updates keep their shapes.
 */
export const handlesEdgeTrees = <S>(opt: Optimizer<S>, value: number): Verdict => {
  const trees: TensorTree[] = [
    scalar(value),
    zeros([0]),
    [],
    {},
    { empty: zeros([0, 3]), one: fromArray([1], [value]), s: scalar(-value), nested: [zeros([0]), { x: scalar(value) }] }
  ]
  for (const params of trees) {
    try {
      const grads = [mapTree(params, (x) => x + 1), mapTree(params, (x) => 0.5 * x - 1)]
      const v = allOf([updateMatchesGradient(opt, { params, grads }), updatesAreFinite(opt, { params, grads })])
      if (!v.holds) return fails(`on ${skeletonOf(params)}: ${v.reason}`)
    } catch (e) {
      return fails(`on ${skeletonOf(params)}: threw ${String(e)}`)
    }
  }
  return holds
}

// -------------------------------------------------------------------------------------
// composition
// -------------------------------------------------------------------------------------

/**
 * Two optimizers give the same updates along the same run (the parameters
 * move by `opt`'s updates; `reference` sees the same gradients and parameters).
 * Use it for neutral settings: `withMomentum({ beta: 0 })(sgd(lr))` ≡ `sgd(lr)`.
 */
export const sameUpdatesAs = <S, R>(opt: Optimizer<S>, reference: Optimizer<R>, data: ParamsAndGrads, approx: ApproxEq): Verdict => {
  const run = runOptimizer(opt, data.params, data.grads)
  let r = reference.init(data.params)
  for (let t = 0; t < data.grads.length; t++) {
    const [r2, u] = reference.step(r, data.grads[t], run.params[t])
    r = r2
    const d = approx.explain(run.updates[t], u)
    if (d !== undefined) return fails(`update ${t + 1} differs from the reference: ${d}`)
  }
  return holds
}

// -------------------------------------------------------------------------------------
// scaling
// -------------------------------------------------------------------------------------

/**
 * Linearity in the gradient (sgd, momentum sgd): at fixed parameters, the
 * updates of `c·g + h` equal `c·(updates of g) + (updates of h)`, step by step.
 */
export const linearInGradient = <S>(
  opt: Optimizer<S>,
  data: ParamsAndGrads,
  others: readonly TensorTree[],
  c: number,
  approx: ApproxEq
): Verdict => {
  const combined = data.grads.map((g, t) => zipWith([g, others[t]], ([x, y]) => c * x + y))
  const ug = runOptimizer(opt, data.params, data.grads, true).updates
  const uh = runOptimizer(opt, data.params, others, true).updates
  const uc = runOptimizer(opt, data.params, combined, true).updates
  return allOf(
    uc.map((u, t) => verdictOf(approx.explain(u, zipWith([ug[t], uh[t]], ([x, y]) => c * x + y)), `update ${t + 1} of c·g + h (c = ${c})`))
  )
}

/**
 * Scale invariance (RMSProp, Adam, AdaGrad): at fixed parameters, the updates
 * of `c·g` equal those of `g` for c > 0, up to the ε term (generate gradients
 * well above ε, and compare with a tolerance that covers ε/|c·g|).
 */
export const invariantToGradientScale = <S>(opt: Optimizer<S>, data: ParamsAndGrads, c: number, approx: ApproxEq): Verdict => {
  const u1 = runOptimizer(opt, data.params, data.grads, true).updates
  const uc = runOptimizer(opt, data.params, data.grads.map((g) => scaleTree(c, g)), true).updates
  return allOf(uc.map((u, t) => verdictOf(approx.explain(u, u1[t]), `update ${t + 1} with the gradient scaled by ${c}`)))
}

/**
 * Bias-corrected adaptive methods (Adam): the first update is `−lr·sign(g)`
 * per coordinate, up to ε (so its magnitude is lr whatever the gradient's).
 */
export const firstStepHasMagnitude = <S>(opt: Optimizer<S>, params: TensorTree, grad: TensorTree, lr: number, approx: ApproxEq): Verdict => {
  const [, u] = opt.step(opt.init(params), grad, params)
  return verdictOf(
    approx.explain(u, mapTree(grad, (g) => -lr * Math.sign(g))),
    `first update vs −lr·sign(g) with lr = ${lr}`
  )
}

// -------------------------------------------------------------------------------------
// update rules
// -------------------------------------------------------------------------------------

const showHyperParameters = (h: UpdateRuleHyperParameters): string =>
  Object.entries(h)
    .map(([k, v]) => `${k}: ${typeof v === 'function' ? 'a schedule' : JSON.stringify(v)}`)
    .join(', ')

/**
 * The first steps of `opt` are the published update rule of `kind` for the
 * given hyper-parameters (see `updateRuleReference`), with the parameters
 * moving by `opt`'s updates so that weight decay sees real parameters.
 */
export const matchesUpdateRule = <S>(opt: Optimizer<S>, kind: RuleKind, h: UpdateRuleHyperParameters, data: ParamsAndGrads, approx: ApproxEq): Verdict => {
  const v = sameUpdatesAs(opt, updateRuleReference(kind, h), data, approx)
  return v.holds ? v : fails(`${kind} rule { ${showHyperParameters(h)} }: ${v.reason}`)
}

/**
 * A gradient method's first update points downhill: ⟨update, g + λθ⟩ < 0
 * whenever g + λθ ≠ 0 (λ the declared L2 weight decay, default 0).
 * An optimizer that returns 0, or climbs, fails.
 */
export const firstStepDescends = <S>(opt: Optimizer<S>, params: TensorTree, grad: TensorTree, weightDecay = 0): Verdict => {
  const [, u] = opt.step(opt.init(params), grad, params)
  const effective = valuesOf(zipWith([grad, params], ([g, p]) => g + weightDecay * p))
  const us = valuesOf(u)
  const slope = effective.reduce((s, g, i) => s + g * us[i], 0)
  if (effective.every((g) => g === 0)) return holds
  return slope < 0 ? holds : fails(`⟨update, g + λθ⟩ = ${slope} on the first step (λ = ${weightDecay}): not a descent direction`)
}

/**
 * Weight decay pulls parameters towards zero: with a zero gradient, the
 * first update moves every parameter away from 0 towards 0 (uᵢ·θᵢ < 0 for |θᵢ| > 1e-200).
 * Coupled (L2) and decoupled decay both obey it; a decay of the wrong sign fails.
 */
export const weightDecayShrinks = <S>(opt: Optimizer<S>, params: TensorTree): Verdict => {
  const zero = mapTree(params, () => 0)
  const [, u] = opt.step(opt.init(params), zero, params)
  const us = valuesOf(u)
  const ps = valuesOf(params)
  const flat = flattenTensors(params)
  // Below 1e-200 the decay λθ underflows towards 0 and cannot move anything.
  const bad = ps.findIndex((p, i) => Math.abs(p) > 1e-200 && Math.sign(us[i]) !== -Math.sign(p))
  if (bad < 0) return holds
  return fails(`with a zero gradient, element ${bad} (of ${flat.paths.join(', ') || 'the top'}) θ = ${ps[bad]} moved by ${us[bad]}, not towards 0`)
}

/**
 * PyTorch's dampening τ starts at the second step: the momentum buffer is the
 * gradient itself on the first, so the first update is −lr·(g + λθ), not −lr·(1 − τ)·g.
 */
export const dampeningSkipsFirstStep = <S>(opt: Optimizer<S>, h: UpdateRuleHyperParameters, params: TensorTree, grad: TensorTree, approx: ApproxEq): Verdict => {
  const [, u] = opt.step(opt.init(params), grad, params)
  const lr = rateAt(h.lr, 0)
  const lambda = h.weightDecay ?? 0
  const expected = zipWith([grad, params], ([g, p]) => -lr * (g + lambda * p))
  return verdictOf(approx.explain(u, expected), `first update with dampening ${h.dampening ?? 0} vs −lr·(g + λθ) (no dampening on the first step)`)
}

/**
 * A scheduled learning rate is read at the step count, 0 at the first step:
 * at fixed parameters the updates follow the rule with lr(t − 1) at step t.
 * When the updates follow lr(count + 1) or lr(count − 1) instead, the reason says so.
 */
export const followsSchedule = <S>(opt: Optimizer<S>, kind: RuleKind, h: UpdateRuleHyperParameters, data: ParamsAndGrads, approx: ApproxEq): Verdict => {
  const lr = h.lr
  if (typeof lr === 'number') return holds
  const updates = runOptimizer(opt, data.params, data.grads, true).updates
  const against = (shift: number): string | undefined => {
    const reference = runOptimizer(updateRuleReference(kind, { ...h, lr: (count) => lr(Math.max(0, count + shift)) }), data.params, data.grads, true).updates
    for (let t = 0; t < updates.length; t++) {
      const d = approx.explain(updates[t], reference[t])
      if (d !== undefined) return `step ${t + 1} (count ${t}, lr(${t}) = ${lr(t)}): ${d}`
    }
    return undefined
  }
  const d = against(0)
  if (d === undefined) return holds
  const shifted = [1, -1].find((shift) => against(shift) === undefined)
  const hint = shifted === undefined ? '' : ` — the updates follow lr(count ${shifted > 0 ? '+' : '−'} 1): the schedule is counted from the wrong step`
  return fails(`${d}${hint}`)
}

// -------------------------------------------------------------------------------------
// averages
// -------------------------------------------------------------------------------------

/** Settings of an exponential moving average stage in front of `sgd(lr)`. */
export interface EwmaClaim {
  /** The decay β of the average m ← βm + (1 − β)g (m₀ = 0). */
  readonly beta: number
  /** Whether the average is bias corrected, divided by 1 − βᵗ at step t, as Adam's first moment and Optax's `ema(decay, debias=True)`. */
  readonly debias: boolean
  /** The learning rate of the `sgd` terminal: the update is −lr·m (bias corrected when `debias`). */
  readonly lr: number
}

/**
 * EWMA on a constant series: with gradient c at every step (fixed parameters),
 * an `ewma(β) ∘ sgd(lr)` optimizer moves by `−lr·c` at every step when bias
 * corrected, and by `−lr·c·(1 − βᵗ)` at step t without correction.
 */
export const averagesConstantSeries = <S>(
  opt: Optimizer<S>,
  params: TensorTree,
  c: TensorTree,
  claim: EwmaClaim,
  steps: number,
  approx: ApproxEq
): Verdict => {
  const run = runOptimizer(
    opt,
    params,
    Array.from({ length: steps }, () => c),
    true
  )
  return allOf(
    run.updates.map((u, i) => {
      const t = i + 1
      const factor = claim.debias ? 1 : 1 - claim.beta ** t
      return verdictOf(approx.explain(u, mapTree(c, (x) => -claim.lr * factor * x)), `step ${t} on a constant series (β = ${claim.beta}, debias ${claim.debias})`)
    })
  )
}

/**
 * EWMA on any series: at fixed parameters an `ewma(β) ∘ sgd(lr)` optimizer
 * moves by −lr·mₜ with m ← βm + (1 − β)g (m₀ = 0), divided by 1 − βᵗ when
 * bias corrected. Unlike a constant series, this pins β.
 */
export const averagesSeries = <S>(opt: Optimizer<S>, data: ParamsAndGrads, claim: EwmaClaim, approx: ApproxEq): Verdict => {
  const run = runOptimizer(opt, data.params, data.grads, true)
  let m = mapTree(data.grads[0], () => 0)
  return allOf(
    run.updates.map((u, i) => {
      const t = i + 1
      m = zipWith([m, data.grads[i]], ([a, g]) => claim.beta * a + (1 - claim.beta) * g)
      const factor = claim.debias ? 1 / (1 - claim.beta ** t) : 1
      return verdictOf(approx.explain(u, mapTree(m, (x) => -claim.lr * factor * x)), `step ${t} vs −lr·m${claim.debias ? '/(1 − βᵗ)' : ''} (β = ${claim.beta})`)
    })
  )
}

/** An EWMA of a series of numbers: element t is the average after t + 1 samples, raw or bias corrected. */
export type SeriesAverage = (series: readonly number[], beta: number, debias: boolean) => readonly number[]

/**
 * EWMA of a constant series c, on its own: bias corrected it is c at every
 * step; raw it is c(1 − βᵗ) at step t (v₀ = 0).
 */
export const seriesAveragesConstant = (average: SeriesAverage, c: number, beta: number, steps: number, approx: ApproxEq): Verdict => {
  const series = new Array<number>(steps).fill(c)
  const debiased = average(series, beta, true)
  const raw = average(series, beta, false)
  const verdicts: Verdict[] = []
  for (let t = 1; t <= steps; t++) {
    verdicts.push(verdictOf(approx.explain(debiased[t - 1], c), `bias-corrected average at step ${t} of the constant ${c} (β = ${beta})`))
    verdicts.push(verdictOf(approx.explain(raw[t - 1], c * (1 - beta ** t)), `raw average at step ${t} vs c(1 − βᵗ) (β = ${beta})`))
  }
  return allOf(verdicts)
}

/** EWMA of any series, against the formula m ← βm + (1 − β)x (m₀ = 0), divided by 1 − βᵗ when bias corrected: pins β. */
export const seriesAveragesAsFormula = (average: SeriesAverage, series: readonly number[], beta: number, debias: boolean, approx: ApproxEq): Verdict => {
  const got = average(series, beta, debias)
  let m = 0
  const scale = Math.max(1, ...series.map(Math.abs))
  return allOf(
    series.map((x, i) => {
      m = beta * m + (1 - beta) * x
      const expected = debias ? m / (1 - beta ** (i + 1)) : m
      return verdictOf(approx.explain(got[i] / scale, expected / scale), `${debias ? 'bias-corrected' : 'raw'} average at step ${i + 1} (β = ${beta}) vs the formula`)
    })
  )
}

/** The EWMA law of a series average, for any β in [0, 0.999] and constant in [−10, 10]. */
export const ewmaLaws = (average: SeriesAverage, options: { readonly approx?: ApproxEq; readonly fc?: LawParameters } = {}): readonly Law[] => {
  const approx = options.approx ?? approxEq({ rtol: 1e-9, atol: 1e-12 })
  return [
    law('ewma', 'a constant series averages to c when bias corrected, to c(1 − βᵗ) raw', () =>
      fc.property(uniformDouble(-10, 10), uniformDouble(0, 0.999), fc.integer({ min: 1, max: 30 }), (c, beta, steps) =>
        expectVerdict(seriesAveragesConstant(average, c, beta, steps, approx))
      )
    ),
    law('ewma', 'any series averages as m ← βm + (1 − β)x, divided by 1 − βᵗ when bias corrected', () =>
      fc.property(fc.array(uniformDouble(-10, 10), { minLength: 1, maxLength: 30 }), uniformDouble(0, 0.999), fc.boolean(), (series, beta, debias) =>
        expectVerdict(seriesAveragesAsFormula(average, series, beta, debias, approx))
      )
    )
  ]
}

/** Check `ewmaLaws`; throws at the first failure. */
export const checkEwmaLaws = (average: SeriesAverage, options: { readonly approx?: ApproxEq; readonly fc?: LawParameters } = {}): void =>
  assertLaws(ewmaLaws(average, options), options.fc)

// -------------------------------------------------------------------------------------
// momentum
// -------------------------------------------------------------------------------------

/**
 * `opt` traces the same path as `reference` on a quadratic (each sees its own
 * iterates' gradients; the iterates must agree at every step).
 */
export const tracesSamePath = <S, R>(opt: Optimizer<S>, reference: Optimizer<R>, q: Quadratic, steps: number, approx: ApproxEq): Verdict =>
  verdictOf(comparePaths(pathOnQuadratic(opt, q, steps), pathOnQuadratic(reference, q, steps), approx), 'paths differ')

/** Implementations of the three momentum forms; omitted ones default to the references. */
export interface MomentumForms {
  /** v ← αv − εg; θ ← θ + v */
  readonly heavyBall?: MomentumForm | ((alpha: number, lr: number) => AnyOptimizer)
  /** v ← αv + (1−α)g; θ ← θ − εv */
  readonly averaged?: MomentumForm | ((alpha: number, lr: number) => AnyOptimizer)
  /** v ← αv + g; θ ← θ − εv */
  readonly accumulated?: MomentumForm | ((alpha: number, lr: number) => AnyOptimizer)
}

/**
 * The three momentum forms trace one path under the matching change of
 * learning rate: heavy ball with ε, averaged with ε/(1−α), accumulated with ε.
 * (Write u = −v/ε for the heavy-ball velocity: u ← αu + g, θ ← θ − εu, the
 * accumulated form; and w = (1−α)u follows the averaged one with rate ε/(1−α).)
 */
export const momentumFormsAgree = (forms: MomentumForms, q: Quadratic, alpha: number, lr: number, steps: number, approx: ApproxEq): Verdict => {
  const heavy = (forms.heavyBall ?? heavyBallReference)(alpha, lr)
  const averaged = (forms.averaged ?? averagedMomentumReference)(alpha, lr / (1 - alpha))
  const accumulated = (forms.accumulated ?? accumulatedMomentumReference)(alpha, lr)
  const reference = pathOnQuadratic(heavyBallReference(alpha, lr), q, steps)
  return allOf([
    verdictOf(comparePaths(pathOnQuadratic(heavy, q, steps), reference, approx), `heavy ball (α = ${alpha}, ε = ${lr})`),
    verdictOf(comparePaths(pathOnQuadratic(averaged, q, steps), reference, approx), `averaged (α = ${alpha}, ε/(1−α) = ${lr / (1 - alpha)})`),
    verdictOf(comparePaths(pathOnQuadratic(accumulated, q, steps), reference, approx), `accumulated (α = ${alpha}, ε = ${lr})`)
  ])
}

/**
 * Nesterov: the reformulated form (`u ← αu + g; θ ← θ − ε(g + αu)`, as
 * `withMomentum({ nesterov: true })`) traces the look-ahead points `θ + αv`
 * of the original form `v ← αv − ε∇f(θ + αv); θ ← θ + v`.
 */
export const nesterovMatchesLookAhead = (
  makeNesterov: (alpha: number, lr: number) => AnyOptimizer,
  q: Quadratic,
  alpha: number,
  lr: number,
  steps: number,
  approx: ApproxEq
): Verdict =>
  verdictOf(
    comparePaths(pathOnQuadratic(makeNesterov(alpha, lr), q, steps), nesterovLookAheadPath(q.gradient, q.start, alpha, lr, steps), approx),
    `Nesterov (α = ${alpha}, ε = ${lr}) vs the look-ahead form`
  )

// -------------------------------------------------------------------------------------
// descent on quadratics
// -------------------------------------------------------------------------------------

/**
 * Gradient descent with lr < 2/L decreases f strictly at every step until it
 * has converged (f − f* within rounding of f*): an optimizer that stands
 * still fails, as does one that overshoots.
 */
export const gradientDescentDecreases = (makeGd: (lr: number) => AnyOptimizer, q: Quadratic, fraction: number, steps: number): Verdict => {
  const lr = (fraction * 2) / q.L
  const path = pathOnQuadratic(makeGd(lr), q, steps)
  const fStar = q.value(q.xStar)
  for (let t = 0; t + 1 < path.length; t++) {
    const before = q.value(path[t])
    const after = q.value(path[t + 1])
    const rounding = 1e-12 * (1 + Math.abs(fStar) + Math.abs(before))
    const converged = before - fStar <= rounding
    if (converged ? after > before + rounding : !(after < before)) {
      return fails(`lr = ${lr} = ${fraction}·2/L: f went from ${before} to ${after} at step ${t + 1} (f* = ${fStar}), not down`)
    }
  }
  return holds
}

/** Gradient descent with lr = 2/(L+μ) contracts ‖x − x*‖ by (κ−1)/(κ+1) per step. */
export const gradientDescentContracts = (makeGd: (lr: number) => AnyOptimizer, q: Quadratic, steps: number): Verdict => {
  const lr = 2 / (q.L + q.mu)
  const rate = (q.kappa - 1) / (q.kappa + 1)
  const path = pathOnQuadratic(makeGd(lr), q, steps)
  for (let t = 0; t + 1 < path.length; t++) {
    const e0 = distance(path[t], q.xStar)
    const e1 = distance(path[t + 1], q.xStar)
    if (e1 > rate * e0 * (1 + 1e-9) + 1e-12 * (1 + Math.hypot(...q.xStar))) {
      return fails(`step ${t + 1}: error went from ${e0} to ${e1}, more than the factor (κ−1)/(κ+1) = ${rate}`)
    }
  }
  return holds
}

/** Polyak's tuning of heavy ball for a quadratic: lr = 4/(√L+√μ)², β = ((√κ−1)/(√κ+1))², rate (√κ−1)/(√κ+1). */
export const polyakParameters = (
  q: Pick<Quadratic, 'L' | 'mu' | 'kappa'>
): {
  /** The learning rate 4/(√L + √μ)². */
  readonly lr: number
  /** The momentum β = ρ². */
  readonly beta: number
  /** The rate ρ = (√κ − 1)/(√κ + 1) at which the error shrinks per step. */
  readonly rate: number
} => {
  const rate = (Math.sqrt(q.kappa) - 1) / (Math.sqrt(q.kappa) + 1)
  return { lr: 4 / (Math.sqrt(q.L) + Math.sqrt(q.mu)) ** 2, beta: rate * rate, rate }
}

/**
 * Heavy ball with Polyak's parameters converges at the rate (√κ−1)/(√κ+1):
 * every mode of the iteration has modulus √β, so after T steps (T chosen so
 * that ρᵀ ≈ 1e-10) the error ratio ‖eₜ‖/‖e₀‖ is at most 2(T+1)·ρᵀ — the (T+1)
 * allows for the double roots at λ = μ and λ = L. The measured rate
 * (‖e_T‖/‖e₀‖)^(1/T) must be within `slack` (default 15%) of ρ·(2(T+1))^(1/T),
 * and in any case below the midpoint of ρ and the best rate of plain gradient
 * descent, (κ−1)/(κ+1): a bound that stays under 1 for every κ, so no
 * gradient descent passes as heavy ball.
 */
export const heavyBallReachesRate = (makeHeavyBall: (lr: number, beta: number) => AnyOptimizer, q: Quadratic, slack = 0.15): Verdict => {
  const { lr, beta, rate } = polyakParameters(q)
  const steps = Math.max(10, Math.ceil(Math.log(1e-10) / Math.log(Math.max(rate, 1e-3))))
  const path = pathOnQuadratic(makeHeavyBall(lr, beta), q, steps)
  const e0 = distance(path[0], q.xStar)
  const eT = distance(path[steps], q.xStar)
  const measured = (eT / e0) ** (1 / steps)
  const gradientDescentRate = (q.kappa - 1) / (q.kappa + 1)
  const bound = Math.min(rate * (2 * (steps + 1)) ** (1 / steps) * (1 + slack), (rate + gradientDescentRate) / 2)
  return measured <= bound
    ? holds
    : fails(`κ = ${q.kappa}: measured rate ${measured} over ${steps} steps, Polyak's (√κ−1)/(√κ+1) = ${rate}, gradient descent's best ${gradientDescentRate} (allowed ${bound})`)
}

// -------------------------------------------------------------------------------------
// adaptive rates
// -------------------------------------------------------------------------------------

/**
 * AdaGrad: the effective per-coordinate learning rate `−update/g` (at fixed
 * parameters, gradients away from zero) never increases from step to step.
 */
export const effectiveLearningRateNeverIncreases = <S>(opt: Optimizer<S>, data: ParamsAndGrads): Verdict => {
  const run = runOptimizer(opt, data.params, data.grads, true)
  const rates = run.updates.map((u, t) => valuesOf(zipWith([u, data.grads[t]], ([x, g]) => -x / g)))
  for (let t = 1; t < rates.length; t++) {
    for (let i = 0; i < rates[t].length; i++) {
      if (rates[t][i] > rates[t - 1][i] * (1 + 1e-12)) {
        return fails(`coordinate ${i}: effective learning rate rose from ${rates[t - 1][i]} at step ${t} to ${rates[t][i]} at step ${t + 1}`)
      }
    }
  }
  return holds
}

// -------------------------------------------------------------------------------------
// minibatches
// -------------------------------------------------------------------------------------

/**
 * Minibatch gradients are unbiased: over one epoch, every example is used
 * exactly once, and the average of the minibatch gradients, weighted by batch
 * size, equals the full-batch gradient. `epoch` lists the example indices of
 * each minibatch; `gradientOf` is the mean gradient over a set of examples.
 */
export const minibatchesUnbiased = (
  epoch: readonly (readonly number[])[],
  n: number,
  gradientOf: (indices: readonly number[]) => TensorTree,
  approx: ApproxEq
): Verdict => {
  const seen = new Array<number>(n).fill(0)
  for (const batch of epoch) {
    for (const i of batch) {
      if (!Number.isInteger(i) || i < 0 || i >= n) return fails(`index ${i} is not an example of a dataset of ${n}`)
      seen[i]++
    }
  }
  const wrong = seen.findIndex((k) => k !== 1)
  if (wrong >= 0) return fails(`example ${wrong} appears ${seen[wrong]} times in one epoch`)
  const full = gradientOf(Array.from({ length: n }, (_, i) => i))
  const weighted = epoch.map((b) => scaleTree(b.length / n, gradientOf(b))).reduce((a, b) => addTrees(a, b), mapTree(full, () => 0))
  return verdictOf(approx.explain(weighted, full), 'size-weighted average of minibatch gradients vs the full-batch gradient')
}

/** Batching is a function of its seed: two calls with the same (n, batch size, seed) give the same batches, in the same order. */
export const sameSeedSameBatches = (
  epochOf: (n: number, batchSize: number, seed: number) => readonly (readonly number[])[],
  n: number,
  batchSize: number,
  seed: number
): Verdict => {
  const a = JSON.stringify(epochOf(n, batchSize, seed))
  const b = JSON.stringify(epochOf(n, batchSize, seed))
  return a === b ? holds : fails(`seed ${seed}, n = ${n}, batch size ${batchSize}: ${a} then ${b}`)
}

// -------------------------------------------------------------------------------------
// runners
// -------------------------------------------------------------------------------------

/** What an optimizer claims beyond the general laws; each claim adds its laws. */
export interface OptimizerClaims extends Partial<UpdateRuleHyperParameters> {
  /**
   * The kind pins the published update rule (PyTorch's) for the declared
   * hyper-parameters — see `UpdateRuleHyperParameters` for the names and
   * defaults — and adds that kind's laws: descent on the first step, weight
   * decay, dampening and schedule laws where they apply; linearity ('sgd',
   * 'momentum'), scale invariance ('rmsprop', 'adam', 'adagrad'), Adam's first
   * step of lr, AdaGrad's non-increasing rates. Every kind needs `lr`;
   * 'momentum' needs `momentum` too. 'generic' (the default) pins nothing.
   */
  readonly kind?: 'generic' | RuleKind
  /** `init` ignores parameter values (default true). */
  readonly initDependsOnlyOnShapes?: boolean
  /** At fixed parameters the updates are linear in the gradient (`linearInGradient`); default true for 'sgd' and 'momentum' without weight decay. */
  readonly linear?: boolean
  /** At fixed parameters the updates of c·g equal those of g for c > 0, up to ε (`invariantToGradientScale`, compared with `epsilonApprox`); default true for 'rmsprop', 'adam' and 'adagrad' without weight decay. */
  readonly scaleInvariant?: boolean
  /** The first update is −m·sign(g) per coordinate, m this number, up to ε (`firstStepHasMagnitude`); default the first step's lr for 'adam' without weight decay. */
  readonly firstStepMagnitude?: number
  /** At fixed parameters the per-coordinate effective rate −u/g never increases from step to step; default true for 'adagrad' without weight decay. */
  readonly effectiveLearningRateNeverIncreases?: boolean
  /** The first update is a descent direction, ⟨u, g + λθ⟩ < 0 (default: true for every kind but 'generic'). */
  readonly descends?: boolean
  /** Optimizers that must give the same updates (neutral settings, documented equivalences). */
  readonly equivalentTo?: readonly {
    /** Names the law: `equals <name>`. */
    readonly name: string
    /** The optimizer whose updates `opt` must give, step by step, compared with `approx`. */
    readonly optimizer: AnyOptimizer
  }[]
  /** `opt` is an EWMA stage in front of sgd. */
  readonly ewma?: EwmaClaim
  /**
   * `opt` is `chain(...stages, terminal)`: it equals that chain, a pass-through
   * stage is transparent at any position of it, and it nests and flattens bit for bit.
   */
  readonly chainOf?: ChainParts
  /** `toSpec(opt)` decodes (src/io/spec.ts) to an optimizer with bit-identical steps. */
  readonly roundTripsSpec?: boolean
}

/** Options of the runners. */
export interface OptimizerLawOptions extends OptimizerClaims {
  /** Equality of updates (default rtol 1e-9, atol 1e-12). */
  readonly approx?: ApproxEq
  /** Equality for scale invariance and first-step laws, whose ε terms are not rounding (default rtol 1e-5, atol 1e-12). */
  readonly epsilonApprox?: ApproxEq
  /** Shapes and values of the generated trees. */
  readonly trees?: TreeConstraints
  /** fast-check parameters (runs, seed, path). */
  readonly fc?: LawParameters
}

/** The hyper-parameters a declared kind needs, checked: a missing one is an error naming the kind, not a law silently dropped. */
const ruleOf = (options: OptimizerLawOptions): { readonly kind: RuleKind; readonly h: UpdateRuleHyperParameters } | undefined => {
  const kind = options.kind
  if (kind === undefined || kind === 'generic') return undefined
  if (!(kind in ruleNeeds)) throw new TypeError(`optimizerLaws: unknown kind '${String(kind)}'; the kinds are generic, ${Object.keys(ruleNeeds).join(', ')}`)
  for (const name of ruleNeeds[kind]) {
    if (options[name] === undefined) throw new TypeError(`optimizerLaws: kind '${kind}' pins its update rule and needs ${name}: pass { kind: '${kind}', ${name}: … }`)
  }
  const lr = options.lr
  if (typeof lr === 'number' && !(Number.isFinite(lr) && lr > 0)) throw new RangeError(`optimizerLaws: kind '${kind}' needs a finite lr > 0, got ${lr}`)
  const h: UpdateRuleHyperParameters = { ...options, lr: lr as UpdateRuleHyperParameters['lr'] }
  const keys: readonly (keyof UpdateRuleHyperParameters)[] = ['lr', 'weightDecay', 'momentum', 'dampening', 'nesterov', 'betas', 'amsgrad', 'eps', 'alpha', 'centered', 'lrDecay', 'initialAccumulatorValue']
  return { kind, h: Object.fromEntries(keys.filter((k) => h[k] !== undefined).map((k) => [k, h[k]])) as unknown as UpdateRuleHyperParameters }
}

const ruleNeeds: { readonly [K in RuleKind]: readonly (keyof UpdateRuleHyperParameters)[] } = {
  sgd: ['lr'],
  momentum: ['lr', 'momentum'],
  rmsprop: ['lr'],
  adam: ['lr'],
  adagrad: ['lr']
}

const claimsOfKind = (rule: { readonly kind: RuleKind; readonly h: UpdateRuleHyperParameters } | undefined): OptimizerClaims => {
  if (rule === undefined) return {}
  const plain = (rule.h.weightDecay ?? 0) === 0
  switch (rule.kind) {
    case 'sgd':
    case 'momentum':
      return { linear: plain, descends: true }
    case 'rmsprop':
      return { scaleInvariant: plain, descends: true }
    case 'adam':
      return { scaleInvariant: plain, firstStepMagnitude: plain ? rateAt(rule.h.lr, 0) : undefined, descends: true }
    case 'adagrad':
      return { scaleInvariant: plain, effectiveLearningRateNeverIncreases: plain, descends: true }
  }
}

const positiveScale = fc.oneof(uniformDouble(0.1, 1), uniformDouble(1, 10))

/**
 * The laws that apply to `opt`: the general ones (purity, determinism,
 * structure) first, then those its claims and `kind` add. Throws when a
 * declared kind lacks a hyper-parameter it needs.
 */
export const optimizerLaws = (opt: AnyOptimizer, options: OptimizerLawOptions = {}): readonly Law[] => {
  const rule = ruleOf(options)
  const claims: OptimizerClaims = { ...claimsOfKind(rule), ...options }
  const approx = options.approx ?? approxEq()
  const epsilonApprox = options.epsilonApprox ?? approxEq({ rtol: 1e-5, atol: 1e-12 })
  const trees = { maxDepth: 2, maxChildren: 3, maxDim: 3, ...options.trees }
  const data = independentParamsAndGradsArb({ ...trees, minSteps: 1, maxSteps: 4 })
  const awayFromZero = (minSteps: number) =>
    independentParamsAndGradsArb({ ...trees, minSteps, maxSteps: 4, element: fc.tuple(fc.boolean(), uniformDouble(0.1, 10)).map(([n, m]) => (n ? -m : m)) })
  const laws: Law[] = [
    law('purity', 'init and step do not mutate their inputs', () => fc.property(data, (d) => expectVerdict(doesNotMutateInputs(opt, d)))),
    law('purity', 'stepping the same state twice gives identical results', () => fc.property(data, (d) => expectVerdict(isDeterministic(opt, d)))),
    law('purity', 'stepDonated agrees with step bit for bit', () => fc.property(data, (d) => expectVerdict(donatedStepAgrees(opt, d)))),
    law('purity', 'stepApplied agrees with step then applying the update, bit for bit', () => fc.property(data, (d) => expectVerdict(appliedStepAgrees(opt, d)))),
    law('structure', 'the update has the structure and shapes of the gradient', () =>
      fc.property(data, (d) => expectVerdict(updateMatchesGradient(opt, d)))
    ),
    law('structure', 'the state keeps its structure across steps', () => fc.property(data, (d) => expectVerdict(stateKeepsStructure(opt, d)))),
    law('structure', 'finite inputs give finite updates', () => fc.property(data, (d) => expectVerdict(updatesAreFinite(opt, d)))),
    law('structure', 'zero-size and single-element trees work', () =>
      fc.property(fc.double({ min: -10, max: 10, noNaN: true }), (x) => expectVerdict(handlesEdgeTrees(opt, x)))
    )
  ]
  if (claims.initDependsOnlyOnShapes !== false) {
    laws.push(
      law('purity', 'init depends only on structure and shapes', () =>
        fc.property(
          tensorTreeArb(trees).chain((p) => fc.tuple(fc.constant(p), treeLike(p, trees))),
          ([p, q]) => expectVerdict(initDependsOnlyOnShapes(opt, p, q))
        )
      )
    )
  }
  for (const { name, optimizer } of claims.equivalentTo ?? []) {
    laws.push(law('composition', `equals ${name}`, () => fc.property(data, (d) => expectVerdict(sameUpdatesAs(opt, optimizer, d, approx)))))
  }
  if (rule !== undefined) {
    const { kind, h } = rule
    const steps = independentParamsAndGradsArb({ ...trees, minSteps: 3, maxSteps: 4 })
    laws.push(
      law('rule', `the first steps are ${kind}'s published update rule for the declared hyper-parameters`, () =>
        fc.property(steps, (d) => expectVerdict(matchesUpdateRule(opt, kind, h, d, approx)))
      )
    )
    if (typeof h.lr !== 'number') {
      laws.push(
        law('rule', 'the scheduled learning rate is read at the step count (0 at the first step)', () =>
          fc.property(steps, (d) => expectVerdict(followsSchedule(opt, kind, h, d, approx)))
        )
      )
    }
    if (kind === 'momentum' && (h.dampening ?? 0) !== 0) {
      laws.push(
        law('rule', 'dampening starts at the second step (the first update is −lr·(g + λθ))', () =>
          fc.property(data, (d) => expectVerdict(dampeningSkipsFirstStep(opt, h, d.params, d.grads[0], approx)))
        )
      )
    }
    if ((h.weightDecay ?? 0) > 0) {
      laws.push(
        law('rule', 'weight decay moves every parameter towards 0 when the gradient is 0', () =>
          fc.property(data, (d) => expectVerdict(weightDecayShrinks(opt, d.params)))
        )
      )
    }
  }
  if (claims.descends === true) {
    const lambda = rule?.h.weightDecay ?? options.weightDecay ?? 0
    laws.push(
      law('descent', 'the first update is a descent direction: ⟨u, g + λθ⟩ < 0', () =>
        fc.property(data, (d) => expectVerdict(firstStepDescends(opt, d.params, d.grads[0], lambda)))
      )
    )
  }
  if (claims.linear === true) {
    laws.push(
      law('scaling', 'the update is linear in the gradient', () =>
        fc.property(
          data.chain((d) => fc.tuple(fc.constant(d), fc.tuple(...d.grads.map((g) => treeLike(g, trees))), uniformDouble(-3, 3))),
          ([d, others, c]) => expectVerdict(linearInGradient(opt, d, others, c, approxEq({ rtol: Math.max(approx.rtol, 1e-9), atol: Math.max(approx.atol, 1e-9) })))
        )
      )
    )
  }
  if (claims.scaleInvariant === true) {
    laws.push(
      law('scaling', 'the update is invariant to scaling the gradient by c > 0', () =>
        fc.property(awayFromZero(1), positiveScale, (d, c) => expectVerdict(invariantToGradientScale(opt, d, c, epsilonApprox)))
      )
    )
  }
  if (claims.firstStepMagnitude !== undefined) {
    const lr = claims.firstStepMagnitude
    laws.push(
      law('scaling', `the first update is lr = ${lr} per coordinate (bias correction)`, () =>
        fc.property(awayFromZero(1), (d) => expectVerdict(firstStepHasMagnitude(opt, d.params, d.grads[0], lr, epsilonApprox)))
      )
    )
  }
  if (claims.effectiveLearningRateNeverIncreases === true) {
    laws.push(
      law('adaptive', 'the effective per-coordinate learning rate never increases', () =>
        fc.property(awayFromZero(2), (d) => expectVerdict(effectiveLearningRateNeverIncreases(opt, d)))
      )
    )
  }
  if (claims.ewma !== undefined) {
    const ewma = claims.ewma
    const ewmaApprox = approxEq({ rtol: Math.max(approx.rtol, 1e-9), atol: Math.max(approx.atol, 1e-12) })
    laws.push(
      law('ewma', `a constant series averages to ${ewma.debias ? 'the constant' : 'c(1 − βᵗ)'}`, () =>
        fc.property(
          tensorTreeArb(trees).chain((p) => fc.tuple(fc.constant(p), treeLike(p, trees))),
          fc.integer({ min: 1, max: 12 }),
          ([p, c], steps) => expectVerdict(averagesConstantSeries(opt, p, c, ewma, steps, ewmaApprox))
        )
      ),
      law('ewma', `any series averages with β = ${ewma.beta} (m ← βm + (1 − β)g${ewma.debias ? ', divided by 1 − βᵗ' : ''})`, () =>
        fc.property(independentParamsAndGradsArb({ ...trees, minSteps: 2, maxSteps: 6 }), (d) => expectVerdict(averagesSeries(opt, d, ewma, ewmaApprox)))
      )
    )
  }
  // The laws of the optimizer algebra; over random built-in chains they are `algebraLaws` (algebra.ts).
  const parts = claims.chainOf
  if (parts !== undefined) {
    const points = fc.record({ start: tensorTreeArb({ ...trees, min: -2, max: 2 }), a: uniformDouble(0.5, 3), b: uniformDouble(0, 1) })
    laws.push(
      law('algebra', 'equals chain(...its stages, its terminal), bit for bit', () =>
        fc.property(points, ({ start, a, b }) => expectVerdict(stepsIdentically(opt, chain(...(parts.stages as []), parts.terminal), smoothObjective(a, b), start, 3)))
      ),
      ...passThroughStages.map(({ name, stage }) =>
        law('algebra', `a pass-through stage (${name}) changes no number at any position of its chain`, () =>
          fc.property(fc.nat({ max: parts.stages.length }), points, (position, { start, a, b }) =>
            expectVerdict(passThroughIsTransparent(parts, stage, position, smoothObjective(a, b), start, 3))
          )
        )
      ),
      law('algebra', 'its chain split anywhere and nested equals it flat, updates and state bit for bit', () =>
        fc.property(fc.nat({ max: parts.stages.length }), points, (split, { start, a, b }) =>
          expectVerdict(nestedChainIsFlat(parts, split, smoothObjective(a, b), start, 3))
        )
      )
    )
  }
  if (claims.roundTripsSpec === true) {
    const points = fc.record({ start: tensorTreeArb({ ...trees, min: -2, max: 2 }), a: uniformDouble(0.5, 3), b: uniformDouble(0, 1) })
    laws.push(
      law('algebra', 'toSpec round-trips: the decoded spec steps bit for bit as the optimizer', () =>
        fc.property(points, ({ start, a, b }) => expectVerdict(specRoundTrips(opt, smoothObjective(a, b), start, 3)))
      )
    )
  }
  return laws
}

/**
 * Check every law that applies to an optimizer (general laws first, then the
 * claimed ones); throws at the first failure with the law's name, the shrunk
 * counterexample and the seed to replay it, like `fc.assert`.
 *
 * @example checkOptimizerLaws(adam({ lr: 1e-3 }), { kind: 'adam', lr: 1e-3, fc: { numRuns: 50, seed: 42 } })
 */
export const checkOptimizerLaws = (opt: AnyOptimizer, options: OptimizerLawOptions = {}): void =>
  assertLaws(optimizerLaws(opt, options), options.fc)

/** Factories of the optimizer families the descent laws are about; each given family adds its laws. */
export interface DescentFamilies {
  /** Plain gradient descent with this learning rate. */
  readonly gradientDescent?: (lr: number) => AnyOptimizer
  /** Heavy ball with learning rate and momentum (PyTorch's momentum sgd is one). */
  readonly heavyBall?: (lr: number, beta: number) => AnyOptimizer
  /** The reformulated Nesterov momentum `withMomentum({ nesterov: true })`. */
  readonly nesterov?: (alpha: number, lr: number) => AnyOptimizer
  /** Implementations of the momentum forms to check against each other. */
  readonly momentumForms?: MomentumForms
}

/** Options of `descentLaws`. */
export interface DescentLawOptions {
  /** Equality of paths (default rtol 1e-8, atol 1e-10: rounding grows along a path). */
  readonly approx?: ApproxEq
  /** fast-check parameters (runs, seed, path) that `checkDescentLaws` passes to every law; `descentLaws` does not read them. */
  readonly fc?: LawParameters
  /** Steps of each path (default 25). */
  readonly steps?: number
}

/** The laws about paths on random positive-definite quadratics, for the given families. */
export const descentLaws = (families: DescentFamilies, options: DescentLawOptions = {}): readonly Law[] => {
  const approx = options.approx ?? approxEq({ rtol: 1e-8, atol: 1e-10 })
  const steps = options.steps ?? 25
  const quadratic = quadraticArb()
  const momentumSetting = fc.record({
    alpha: uniformDouble(0, 0.95),
    fraction: uniformDouble(0.05, 1)
  })
  const laws: Law[] = []
  const gd = families.gradientDescent
  if (gd !== undefined) {
    laws.push(
      law('descent', 'gradient descent with lr < 2/L decreases f at every step', () =>
        fc.property(quadratic, uniformDouble(0.01, 0.99), (q, fraction) =>
          expectVerdict(gradientDescentDecreases(gd, q, fraction, steps))
        )
      ),
      law('descent', 'gradient descent with lr = 2/(L+μ) contracts the error by (κ−1)/(κ+1)', () =>
        fc.property(quadratic, (q) => expectVerdict(gradientDescentContracts(gd, q, steps)))
      )
    )
  }
  const hb = families.heavyBall
  if (hb !== undefined) {
    laws.push(
      law('descent', "heavy ball with Polyak's parameters reaches the rate (√κ−1)/(√κ+1)", () =>
        fc.property(quadraticArb({ minKappa: 4, maxKappa: 200 }), (q) => expectVerdict(heavyBallReachesRate(hb, q)))
      )
    )
  }
  const forms = families.momentumForms
  if (forms !== undefined) {
    laws.push(
      law('momentum', 'the three momentum forms trace the same path under the matching learning rate', () =>
        fc.property(quadratic, momentumSetting, (q, { alpha, fraction }) =>
          expectVerdict(momentumFormsAgree(forms, q, alpha, (fraction * (1 + alpha)) / q.L, steps, approx))
        )
      )
    )
  }
  const nesterov = families.nesterov
  if (nesterov !== undefined) {
    laws.push(
      law('momentum', "Nesterov's reformulated form traces the look-ahead form's points θ + αv", () =>
        fc.property(quadratic, momentumSetting, (q, { alpha, fraction }) =>
          expectVerdict(nesterovMatchesLookAhead(nesterov, q, alpha, (fraction * (1 + alpha)) / q.L / 2, steps, approx))
        )
      )
    )
  }
  return laws
}

/** Check the descent laws of the given families; throws at the first failure, like `fc.assert`. */
export const checkDescentLaws = (families: DescentFamilies, options: DescentLawOptions = {}): void =>
  assertLaws(descentLaws(families, options), options.fc)

/** A dataset size, batch size and seed for minibatch laws. */
export const epochSettingArb: fc.Arbitrary<{
  /** The dataset size, 1 to 40. */
  readonly n: number
  /** The batch size, 1 to 12 (it may exceed n). */
  readonly batchSize: number
  /** The batching seed, 0 to 2³¹ − 1. */
  readonly seed: number
}> = fc.record({
  n: fc.integer({ min: 1, max: 40 }),
  batchSize: fc.integer({ min: 1, max: 12 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 })
})

/**
 * The minibatch law for a batching function `(n, batchSize, seed) → batches of
 * indices`, with a least-squares loss on random data as the gradient.
 */
export const minibatchLaws = (
  epochOf: (n: number, batchSize: number, seed: number) => readonly (readonly number[])[],
  options: { readonly approx?: ApproxEq; readonly fc?: LawParameters } = {}
): readonly Law[] => {
  const approx = options.approx ?? approxEq({ rtol: 1e-9, atol: 1e-12 })
  return [
    law('minibatch', 'the same seed gives the same batches', () =>
      fc.property(epochSettingArb, ({ n, batchSize, seed }) => expectVerdict(sameSeedSameBatches(epochOf, n, batchSize, seed)))
    ),
    law('minibatch', 'averaged over an epoch, minibatch gradients equal the full-batch gradient', () =>
      fc.property(
        epochSettingArb.chain((s) =>
          fc.record({
            setting: fc.constant(s),
            xs: fc.array(tensorOfShape([3], { min: -3, max: 3 }), { minLength: s.n, maxLength: s.n }),
            ys: fc.array(uniformDouble(-3, 3), { minLength: s.n, maxLength: s.n }),
            w: tensorOfShape([3], { min: -2, max: 2 })
          })
        ),
        ({ setting, xs, ys, w }) => {
          // mean over the batch of ½(w·x − y)², whose gradient is mean((w·x − y)·x)
          const gradientOf = (indices: readonly number[]): TensorTree => {
            const g = [0, 0, 0]
            for (const i of indices) {
              const r = xs[i].data[0] * w.data[0] + xs[i].data[1] * w.data[1] + xs[i].data[2] * w.data[2] - ys[i]
              for (let k = 0; k < 3; k++) g[k] += (r * xs[i].data[k]) / indices.length
            }
            return fromArray([3], g)
          }
          return expectVerdict(minibatchesUnbiased(epochOf(setting.n, setting.batchSize, setting.seed), setting.n, gradientOf, approx))
        }
      )
    )
  ]
}
