import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { lawExpectations } from './expect.js'
import {
  type BuiltinStage,
  type Compose,
  type SpecCodec,
  algebraLaws,
  armijoAtEveryStep,
  checkAlgebraLaws,
  checkLineSearchLaws,
  librarySpecCodec,
  lineSearchLaws,
  passThroughIsTransparent,
  smoothObjective
} from '../../laws/algebra.js'
import { checkCustomVjpLaws, customVjpLaws } from '../../laws/gradient.js'
import { addTrees, dotTrees, mapTree, valuesOf } from '../../laws/internal.js'
import { type AnyOptimizer, checkOptimizerLaws, optimizerLaws } from '../../laws/optimizer.js'
import { type Sym, customVjp } from '../../src/graph/index.js'
import { chain, toSpec } from '../../src/optim/chain.js'
import type { Optimizer } from '../../src/optim/Optimizer.js'
import * as stages from '../../src/optim/stages.js'
import { backtracking, lbfgs, sgd } from '../../src/optim/terminals.js'
import { fromArray } from '../../src/tensor/Tensor.js'
import type { TensorTree } from '../../src/tensor/Tree.js'

const params = { numRuns: 30, seed: 20261201 }
const { expectAllHold, expectFails } = lawExpectations(params)
const seeds = [20261201, 1, 2, 3, 4]

// -------------------------------------------------------------------------------------
// broken implementations, each one line away from a correct one
// -------------------------------------------------------------------------------------

/** A "pass-through" that nudges d by one part in 2⁴⁰. */
const nudging = stages.elementwise({ name: 'nudge', rule: ({ d }) => ({ d: d.mul(1 + 2 ** -40) }) })
/** A "pass-through" that swaps the two signals. */
const swapping = stages.elementwise({ name: 'swap', rule: ({ g, d }) => ({ d: g, g: d }) })
/** A whole-tree "pass-through" that passes d as the gradient too. */
const dAsGradient = stages.custom({ name: 'dAsG', apply: (s, { d }) => [s, { d, g: d }] })

/** An optimizer without its chain: `chain` sees a plain optimizer and bridges to it, so d reaches it as its gradient. */
const opaque = (o: AnyOptimizer): AnyOptimizer => ({ init: o.init, step: o.step })
/** A chain whose last item is always treated as a plain optimizer (issue 9's wrapper bug). */
const bridgingCompose: Compose = (...items) => chain(...(items.slice(0, -1) as []), opaque(items[items.length - 1] as AnyOptimizer))

/** A toSpec that drops the last field of every stage's options. */
const droppingCodec: SpecCodec = {
  ...librarySpecCodec,
  toSpec: (o) =>
    toSpec(o).map((stage) => {
      const [key, fields] = Object.entries(stage as Record<string, Record<string, unknown>>)[0]
      const kept = Object.entries(fields)
      return { [key]: Object.fromEntries(kept.length > 1 ? kept.slice(0, -1) : kept) }
    })
}

const toVector = (tree: TensorTree): number[] => valuesOf(tree)
const withVector = (like: TensorTree, v: readonly number[]): TensorTree => {
  let k = 0
  return mapTree(like, () => v[k++])
}

/** Backtracking that returns the last trial it rejected instead of the one it accepted (off by one shrink). */
const backtrackingOffByOne = (shrink = 0.5, c1 = 1e-4): Optimizer<null> => ({
  init: () => null,
  step: (s, g, p, context) => {
    const objective = context!.objective!
    const f0 = context!.value!
    const x = toVector(p)
    const d = toVector(g).map((v) => -v)
    const slope = dotTrees(g, withVector(g, d))
    let alpha = 1
    for (let k = 0; k < 60; k++) {
      const [f] = objective(withVector(p, x.map((xi, i) => xi + alpha * d[i])))
      if (f <= f0 + c1 * alpha * slope) break
      alpha *= shrink
    }
    const taken = alpha === 1 ? alpha : alpha / shrink
    return [s, withVector(g, d.map((v) => taken * v))]
  }
})

// -------------------------------------------------------------------------------------
// the algebra laws
// -------------------------------------------------------------------------------------

describe('algebra laws', () => {
  it.each(seeds)('every built-in chain passes: transparency, associativity, the withX sugar, toSpec (seed %i)', (seed) => {
    checkAlgebraLaws({ fc: { numRuns: 25, seed } })
  })

  it('a pass-through at every position of Adam with weight decay is transparent (hand-picked chain, trees of params)', () => {
    const parts = {
      stages: [stages.weightDecay({ lambda: 0.1 }), stages.ewma({ beta: 0.9, debias: true }), stages.rms({ rho: 0.999, debias: true })],
      terminal: sgd(0.01)
    }
    const start = { w: fromArray([2, 2], [0.5, -1, 2, 0.25]), b: [fromArray([3], [1, -2, 0.3])] }
    for (let position = 0; position <= 3; position++) {
      expect(passThroughIsTransparent(parts, stages.elementwise({ name: 'id', rule: ({ d }) => ({ d }) }), position, smoothObjective(1, 0.5), start, 5)).toEqual({ holds: true })
      const v = passThroughIsTransparent(parts, nudging, position, smoothObjective(1, 0.5), start, 5)
      expect(v.holds).toBe(false)
    }
  })

  it('rejects a pass-through that perturbs d', () => {
    const message = expectFails(algebraLaws({ passThrough: [{ name: 'nudge', stage: nudging }] }), 'pass-through stage (nudge)')
    expect(message).toMatch(/not bitwise identical/)
  })

  it('rejects a pass-through that swaps g and d, and a whole-tree one that passes d as g', () => {
    expect(expectFails(algebraLaws({ passThrough: [{ name: 'swap', stage: swapping }] }), 'pass-through stage (swap)')).toMatch(/with the pass-through at position/)
    expectFails(algebraLaws({ passThrough: [{ name: 'dAsG', stage: dAsGradient }] }), 'pass-through stage (dAsG)')
  })

  it('rejects a chain that bridges to a nested chain (the inner stages see d as g), and a withX that does', () => {
    expect(expectFails(algebraLaws({ compose: bridgingCompose }), 'chain(a…, chain(b…, t))')).toMatch(/differs/)
    const bridgingNest = (s: BuiltinStage, inner: AnyOptimizer): AnyOptimizer => s.wrap(opaque(inner))
    expect(expectFails(algebraLaws({ nest: bridgingNest }), 'withX(inner)')).toMatch(/withX form of/)
  })

  it('rejects a toSpec that drops a field, and one whose spec does not decode', () => {
    expect(expectFails(algebraLaws({ codec: droppingCodec }), 'toSpec round-trips')).toMatch(/toSpec of the decoded optimizer|differs/)
    const undecodable: SpecCodec = { ...librarySpecCodec, fromSpec: () => E.left(['$: no']) }
    expect(expectFails(algebraLaws({ codec: undecodable }), 'toSpec round-trips')).toMatch(/does not decode/)
  })
})

// -------------------------------------------------------------------------------------
// line searches
// -------------------------------------------------------------------------------------

const lineSearches: readonly [string, AnyOptimizer, number][] = [
  ['backtracking()', backtracking(), 1e-4],
  ['backtracking({ c1: 0.3, shrink: 0.7, init: 2 })', backtracking({ c1: 0.3, shrink: 0.7, init: 2 }), 0.3],
  ['chain(momentum, backtracking())', chain(stages.momentum({ beta: 0.5 }), backtracking()), 1e-4],
  ['lbfgs()', lbfgs(), 1e-4],
  ['lbfgs({ memory: 2 })', lbfgs({ memory: 2 }), 1e-4]
]

describe('line-search laws', () => {
  describe.each(lineSearches)('%s', (_, opt, c1) => {
    it.each(seeds)('decreases f with Armijo at every accepted step (seed %i)', (seed) => {
      checkLineSearchLaws(opt, { c1, fc: { numRuns: 25, seed } })
    })
  })

  it('a hand-checked Armijo step: backtracking on ½(θ − 1)² from 3 takes α = 1 (f 2 → 0)', () => {
    const objective = smoothObjective(1, 0)
    expect(armijoAtEveryStep(backtracking(), objective, fromArray([1], [3]), 1, 1e-4)).toEqual({ holds: true })
    const [, u] = backtracking().step(backtracking().init(fromArray([1], [3])), fromArray([1], [2]), fromArray([1], [3]), { value: 2, objective })
    expect(valuesOf(addTrees(fromArray([1], [3]), u))).toEqual([1])
  })

  it('rejects a backtracking search that takes the last rejected trial', () => {
    expect(expectFails(lineSearchLaws(backtrackingOffByOne()), 'Armijo')).toMatch(/Armijo \(c₁ = 0\.0001\) needs f ≤/)
  })

  it('rejects a fixed step that overshoots (sgd(1) claimed as a line search), and a terminal that never moves', () => {
    expect(expectFails(lineSearchLaws(sgd(1)), 'Armijo')).toMatch(/step \d+: f went from/)
    expect(expectFails(lineSearchLaws(sgd(1e-300)), 'Armijo')).toMatch(/f did not decrease/)
  })

  it('rejects backtracking with a c₁ larger than it uses', () => {
    expectFails(lineSearchLaws(backtracking({ c1: 1e-4 }), { c1: 0.9 }), 'Armijo')
  })
})

// -------------------------------------------------------------------------------------
// custom derivatives
// -------------------------------------------------------------------------------------

const softplus = customVjp((x: Sym) => x.exp().add(1).log(), ({ inputs, cotangent }) => cotangent.mul(inputs[0].sigmoid()))
const softplusWrongSign = customVjp((x: Sym) => x.exp().add(1).log(), ({ inputs, cotangent }) => cotangent.mul(inputs[0].neg().sigmoid()))
const straightThroughSign = customVjp((x: Sym) => x.sign(), ({ cotangent }) => cotangent)
/** x·|x| with its derivative 2|x|: a kink of the second derivative at 0. */
const xAbsX = customVjp((x: Sym) => x.mul(x.abs()), ({ inputs, cotangent }) => cotangent.mul(inputs[0].abs().mul(2)))

describe('custom vjp laws', () => {
  it.each(seeds)('a correct rule passes: softplus with σ(x), x|x| with 2|x| (seed %i)', (seed) => {
    checkCustomVjpLaws(softplus, { shape: [4], fc: { numRuns: 25, seed } })
    checkCustomVjpLaws(xAbsX, { shape: [4], fc: { numRuns: 25, seed } })
  })

  it('rejects a rule with the wrong sign, and a straight-through estimator (not the derivative of sign)', () => {
    expect(expectFails(customVjpLaws(softplusWrongSign, { shape: [4] }), 'custom vjp')).toMatch(/central differences/)
    expectFails(customVjpLaws(straightThroughSign, { shape: [4] }), 'custom vjp')
  })

  it('a correct rule passes on a matrix-shaped input too', () => {
    expectAllHold(customVjpLaws(softplus, { shape: [2, 2] }))
  })
})

// -------------------------------------------------------------------------------------
// the algebra claims of checkOptimizerLaws
// -------------------------------------------------------------------------------------

describe('algebra claims of optimizerLaws', () => {
  const adamParts = { stages: [stages.ewma({ beta: 0.9, debias: true }), stages.rms({ rho: 0.999, debias: true })], terminal: sgd(1e-3) }

  it.each(seeds)('Adam as a chain equals its parts, is transparent to pass-throughs, nests flat and round-trips its spec (seed %i)', (seed) => {
    checkOptimizerLaws(chain(...adamParts.stages, sgd(1e-3)), { chainOf: adamParts, roundTripsSpec: true, kind: 'adam', lr: 1e-3, fc: { numRuns: 20, seed } })
  })

  it('rejects an optimizer that is not the chain it claims (a nudging stage hidden inside)', () => {
    const hidden = chain(adamParts.stages[0], nudging, adamParts.stages[1], sgd(1e-3))
    expect(expectFails(optimizerLaws(hidden, { chainOf: adamParts }), 'equals chain(')).toMatch(/not bitwise identical/)
  })

  it('rejects a spec round trip for a chain with a user stage (it has no JSON form)', () => {
    const user = chain(stages.elementwise({ name: 'sign', rule: ({ d }) => ({ d: d.sign() }) }), sgd(0.1))
    expect(expectFails(optimizerLaws(user, { roundTripsSpec: true }), 'toSpec round-trips')).toMatch(/toSpec threw: ChainError: toSpec: stage 'sign'/)
  })
})
