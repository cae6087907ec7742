/**
 * The optimizer algebra: chain, user stages (elementwise and custom), the step
 * context, describe / toSpec / hyperparameters, and the errors naming stages.
 */
import { describe as group, expect, expectTypeOf, it } from 'vitest'
import { type Sym, objectiveOf } from '../../src/index.js'
import { type OptimizerSpec, decodeOptimizerSpec, optimizerFromSpec, parseOptimizerSpec } from '../../src/io/spec.js'
import { ChainError, chain, describe, hyperparameters, toSpec } from '../../src/optim/chain.js'
import { type EwmaState, type RmsState, sgd, withEwma, withMomentum, withRMS } from '../../src/optim/combinators.js'
import type { PathMap, SgdState, StageState } from '../../src/optim/internal/engine.js'
import { adam, adamw, classicSgd } from '../../src/optim/aliases.js'
import { type Optimizer, applyUpdates } from '../../src/optim/Optimizer.js'
import { cosineDecay } from '../../src/optim/Schedule.js'
import * as stages from '../../src/optim/stages.js'
import { backtracking, lbfgs, nesterovLookahead } from '../../src/optim/terminals.js'
import { tensor } from '../../src/tensor/Tensor.js'
import type { TensorTree } from '../../src/tensor/Tree.js'
import { flatData, fromTree, quadraticGrad, toTree, x0 } from './helpers.js'

const { ewma, rms, momentum, adagrad, elementwise, custom, weightDecay, clip } = stages

/** Updates of `steps` steps on the quadratic, every number kept. */
const updates = <S>(opt: Optimizer<S>, steps = 6, donate = false): number[][] => {
  let params = toTree(x0)
  let state = opt.init(params)
  let into: TensorTree | undefined
  const out: number[][] = []
  for (let k = 0; k < steps; k++) {
    const grad = toTree(quadraticGrad(fromTree(params)))
    const [s, u] = donate ? opt.stepDonated!(state, grad, params, into) : opt.step(state, grad, params)
    out.push(flatData(u))
    state = s
    params = applyUpdates(params, u)
    if (donate) into = u
  }
  return out
}

const expectBitIdentical = (a: number[][], b: number[][]): void => {
  expect(a.length).toBe(b.length)
  a.forEach((row, k) => row.forEach((x, i) => expect(Object.is(x, b[k][i]), `step ${k} element ${i}: ${x} vs ${b[k][i]}`).toBe(true)))
}

const passThrough = elementwise({ name: 'passThrough', rule: ({ d }) => ({ d }) })

group('chain', () => {
  it('ewma → rms → sgd is adam, bit for bit (the design card)', () => {
    const composed = chain(ewma({ beta: 0.9, debias: true }), rms({ rho: 0.999, debias: true }), sgd(1e-3))
    expectBitIdentical(updates(composed), updates(adam({ lr: 1e-3 })))
  })
  it('withX(inner) is chain(x, …inner): same numbers, same state', () => {
    const nested = withEwma(withRMS(sgd(0.01), { rho: 0.99 }), { beta: 0.8 })
    const flat = chain(ewma({ beta: 0.8 }), rms({ rho: 0.99 }), sgd(0.01))
    expectBitIdentical(updates(nested), updates(flat))
    expect(JSON.stringify(nested.init(toTree(x0)))).toBe(JSON.stringify(flat.init(toTree(x0))))
  })
  it('a chain as the last item contributes its stages', () => {
    expectBitIdentical(updates(chain(weightDecay({ lambda: 0.1 }), adam({ lr: 0.01 }))), updates(adam({ lr: 0.01, weightDecay: 0.1 })))
  })
})

group('user stages', () => {
  it('a pass-through stage changes no number wherever it stands', () => {
    const reference = updates(adamw({ lr: 0.01 }))
    const parts = [ewma({ beta: 0.9, debias: true }), rms({ rho: 0.999, debias: true }), stages.decoupledWeightDecay({ lambda: 1e-2 })]
    for (let at = 0; at <= parts.length; at++) {
      const withIt = [...parts.slice(0, at), passThrough, ...parts.slice(at)]
      expectBitIdentical(updates(chain(...withIt, sgd(0.01))), reference)
      expectBitIdentical(updates(chain(...withIt, sgd(0.01)), 6, true), reference)
    }
  })
  it('a custom pass-through stage changes no number either (both signals flow past it)', () => {
    const opaque = custom({ name: 'opaque', apply: (_s, { d, g }) => [undefined, { d, g }] })
    expectBitIdentical(updates(chain(momentum({ beta: 0.9 }), opaque, rms({ rho: 0.9 }), sgd(0.01))), updates(chain(momentum({ beta: 0.9 }), rms({ rho: 0.9 }), sgd(0.01))))
  })
  it('a user EWMA with state equals the built-in one, and so does a user AdaGrad', () => {
    const myEwma = elementwise({
      name: 'myEwma',
      state: ['m'],
      perStep: (t) => ({ ibc: 1 / (1 - Math.pow(0.9, t)) }),
      rule: ({ d, m, ibc }) => {
        const m1 = m.mul(0.9).add(d.mul(0.09999999999999998)) // 1 − 0.9 as the built-in computes it
        return { m: m1, d: m1.mul(ibc) } // the built-in's debiasing: times 1/(1 − βᵗ)
      }
    })
    expectBitIdentical(updates(chain(myEwma, rms({ rho: 0.999, debias: true }), sgd(0.01))), updates(adam({ lr: 0.01 })))
    const myAdagrad = elementwise({
      name: 'myAdagrad',
      state: ['sum'],
      rule: ({ g, d, sum }) => {
        const s = sum.add(g.mul(g))
        return { sum: s, d: d.div(s.sqrt().add(1e-10)) }
      }
    })
    expectBitIdentical(updates(chain(myAdagrad, sgd(0.1))), updates(chain(adagrad(), sgd(0.1))))
  })
  it('Signum: ewma then a sign stage moves every element by exactly lr', () => {
    const sign = elementwise({ name: 'sign', rule: ({ d }) => ({ d: d.sign() }) })
    const u = updates(chain(ewma({ beta: 0.9 }), sign, sgd(1e-3)), 3)
    u.forEach((row) => row.forEach((x) => expect(Math.abs(x)).toBe(1e-3)))
  })
  it('purity through a user stage: an old state stepped twice gives bit-identical results', () => {
    const decay = elementwise({ name: 'decay', state: ['a'], rule: ({ d, a }) => ({ a: a.mul(0.5).add(d), d: a.add(d) }) })
    const opt = chain(momentum(), decay, rms(), sgd(0.01))
    const p = toTree(x0)
    const g = toTree(quadraticGrad(x0))
    const [s1] = opt.step(opt.init(p), g, p)
    const snapshot = JSON.stringify(s1, (_k, v) => (v instanceof Float64Array ? Array.from(v) : v))
    const [sa, ua] = opt.step(s1, g, p)
    const [sb, ub] = opt.step(s1, g, p)
    expect(flatData(ua)).toEqual(flatData(ub))
    expect(JSON.stringify(sa, (_k, v) => (v instanceof Float64Array ? Array.from(v) : v))).toBe(JSON.stringify(sb, (_k, v) => (v instanceof Float64Array ? Array.from(v) : v)))
    expect(JSON.stringify(s1, (_k, v) => (v instanceof Float64Array ? Array.from(v) : v))).toBe(snapshot)
    expectBitIdentical(updates(opt, 6, true), updates(opt, 6, false))
  })
  it('infers the state type of a chain with a user stage in the middle, and the fields are there', () => {
    const mine = elementwise({ name: 'mine', state: ['acc'], rule: ({ d, acc }) => ({ acc: acc.add(d), d }) })
    const opt = chain(ewma(), mine, weightDecay({ lambda: 0.1 }), rms(), sgd(0.1))
    type Expected = EwmaState<StageState<'mine', RmsState<SgdState>, { readonly acc: PathMap }>>
    expectTypeOf(opt.init).returns.toEqualTypeOf<Expected>()
    const s = opt.init({ w: tensor([1, 2]) })
    expect(s.kind).toBe('ewma')
    expect(s.inner.kind).toBe('mine')
    expect(Array.from(s.inner.slots.acc.w.data)).toEqual([0, 0])
    expect(s.inner.inner.kind).toBe('rms')
    expect(Object.keys(s.inner.inner.slots.nu)).toEqual(['w'])
    expect(s.inner.inner.inner).toEqual({ kind: 'sgd', count: 0 })
    const bridged = withMomentum({ init: () => 7, step: (st: number, g: TensorTree) => [st, g] as const })
    expectTypeOf(bridged.init).returns.toEqualTypeOf<StageState<'momentum', { readonly kind: 'bridge'; readonly count: number; readonly inner: number }, { readonly v: PathMap }>>()
    expect(bridged.init(tensor([1])).inner).toEqual({ kind: 'bridge', count: 0, inner: 7 })
  })
})

group('errors name the stage and its position', () => {
  it('a chain must end in a terminal, and nothing may follow one', () => {
    expect(() => chain(ewma(), rms() as never)).toThrow(ChainError)
    expect(() => chain(ewma(), rms() as never)).toThrow(/last item \('rms', position 2\) is a stage/)
    expect(() => (chain as (...xs: unknown[]) => unknown)(ewma(), sgd(1), rms())).toThrow(/item 2 \('sgd'\) is a terminal/)
  })
  it('a user rule with a wrong key, a missing slot or a non-scalar', () => {
    const p = tensor([1, 2])
    const wrongKey = elementwise({ name: 'typo', rule: ({ d }) => ({ d, dd: d }) as never })
    expect(() => chain(ewma(), wrongKey, sgd(1)).step(chain(ewma(), wrongKey, sgd(1)).init(p), p, p)).toThrow(/stage 'typo' \(position 2\).*unknown key 'dd'/)
    const noSlot = elementwise({ name: 'forgot', state: ['m'], rule: ({ d }) => ({ d }) as never })
    expect(() => chain(noSlot, sgd(1)).init(p)).toThrow(/stage 'forgot' \(position 1\): the rule returned no 'm'/)
    const vector = elementwise({ name: 'vec', rule: ({ d }) => ({ d: d.add(tensor([1, 2])) }) })
    expect(() => chain(vector, sgd(1)).init(p)).toThrow(/stage 'vec' \(position 1\).*shape \[2\]/)
  })
  it('a stage that needs the objective, stepped without one', () => {
    const opt = chain(stages.sam({ rho: 0.1 }), sgd(0.1))
    const p = tensor([1])
    expect(() => opt.step(opt.init(p), p, p)).toThrow(/stage 'sam' \(position 1\) needs the objective/)
  })
})

group('describe, toSpec, hyperparameters', () => {
  it('prints the chain and converts back to a spec with the same steps', () => {
    const opt = chain(weightDecay({ lambda: 0.01 }), ewma({ beta: 0.9, debias: true }), rms({ rho: 0.999, debias: true }), clip({ max: 1 }), sgd(0.001))
    expect(describe(opt)).toBe('weightDecay(λ=0.01) → ewma(β=0.9, debias) → rms(ρ=0.999, ε=1e-8, debias) → clip(max=1) → sgd(lr=0.001)')
    const spec = toSpec(opt)
    expect(spec).toEqual([{ weightDecay: { lambda: 0.01 } }, { ewma: { beta: 0.9, debias: true } }, { rms: { rho: 0.999, eps: 1e-8, centered: false, debias: true, epsInside: false, amsgrad: false } }, { clip: { max: 1 } }, { sgd: { lr: 0.001 } }])
    const decoded = decodeOptimizerSpec(spec)
    if (decoded._tag === 'Left') throw new Error(decoded.left.join('\n'))
    expectBitIdentical(updates(optimizerFromSpec(decoded.right)), updates(opt))
    expect(() => toSpec(chain(passThrough, sgd(1)))).toThrow(/stage 'passThrough' \(position 1\) has no JSON form/)
  })
  it('any hyper-parameter follows a schedule, and its current value is read from the state', () => {
    const beta = cosineDecay({ init: 0.9, decaySteps: 10 })
    const opt = chain(momentum({ beta }), sgd(0.1))
    let state = opt.init(tensor([1]))
    expect(hyperparameters(opt, state)[0].values.beta).toBe(0.9)
    const [s1, u1] = opt.step(state, tensor([2]), tensor([1]))
    const [s2, u2] = opt.step(s1, tensor([3]), tensor([1]))
    state = s2
    // v₁ = 2, v₂ = β(1)·2 + 3: the schedule at count 1
    expect(flatData(u1)).toEqual([-0.2])
    expect(flatData(u2)[0]).toBeCloseTo(-0.1 * (beta(1) * 2 + 3), 15)
    expect(hyperparameters(opt, state)[0].values.beta).toBe(beta(2))
  })
})

const rosenbrock = objectiveOf((x: Sym) => {
  const a = x.at(0)
  const b = x.at(1)
  return a.neg().add(1).square().add(b.sub(a.square()).square().mul(100))
})

/** Steps until ‖∇f‖ ≤ tol, with the context the drivers pass. */
const solve = <S>(opt: Optimizer<S>, start: readonly number[], tol: number, maxSteps: number) => {
  let x: TensorTree = tensor([...start])
  let state = opt.init(x)
  let evaluations = 0
  const objective = (p: TensorTree) => {
    evaluations++
    return rosenbrock(p)
  }
  for (let k = 0; k < maxSteps; k++) {
    const [value, grad] = objective(x)
    if (Math.hypot(...flatData(grad)) <= tol) return { steps: k, x: flatData(x), evaluations }
    const [s, u] = opt.step(state, grad, x, { value, objective })
    state = s
    x = applyUpdates(x, u)
  }
  return { steps: maxSteps, x: flatData(x), evaluations }
}

group('terminals and context stages', () => {
  it('lbfgs solves Rosenbrock from (−1.2, 1) to ‖∇f‖ ≤ 1e-6 in about as many iterations as L-BFGS-B (~35)', () => {
    const r = solve(lbfgs(), [-1.2, 1], 1e-6, 200)
    expect(r.steps).toBeLessThanOrEqual(45)
    expect(r.x[0]).toBeCloseTo(1, 6)
    expect(r.x[1]).toBeCloseTo(1, 6)
  })
  it('backtracking takes the Armijo step: the first halving of 1 with sufficient decrease', () => {
    // f = x², x = 1, d = g = 2: α = 1 gives f(−1) = 1 > 1 − 1e-4·4; α = 0.5 gives f(0) = 0: update −1.
    const quad = (p: TensorTree) => [flatData(p)[0] ** 2, tensor([2 * flatData(p)[0]])] as const
    const opt = backtracking()
    const [s, u] = opt.step(opt.init(tensor([1])), tensor([2]), tensor([1]), { value: 1, objective: quad })
    expect(flatData(u)).toEqual([-1])
    expect(s.stepSize).toBe(0.5)
  })
  it("the seed's look-ahead Nesterov traces PyTorch's path: its points θ + μv are SGD(nesterov=True)'s iterates", () => {
    const lr = 1e-3
    const mu = 0.9
    const lookahead = nesterovLookahead({ lr, momentum: mu })
    const pytorch = classicSgd({ lr, momentum: mu, nesterov: true })
    let theta: TensorTree = tensor([-1.2, 1])
    let ls = lookahead.init(theta)
    let phi: TensorTree = tensor([-1.2, 1])
    let ps = pytorch.init(phi)
    for (let k = 0; k < 40; k++) {
      const [value, g] = rosenbrock(theta)
      const [l1, lu] = lookahead.step(ls, g, theta, { value, objective: rosenbrock })
      ls = l1
      theta = applyUpdates(theta, lu)
      const [p1, pu] = pytorch.step(ps, rosenbrock(phi)[1], phi)
      ps = p1
      phi = applyUpdates(phi, pu)
      const ahead = flatData(theta).map((t, i) => t + mu * ls.v[''].data[i])
      flatData(phi).forEach((x, i) => expect(Math.abs(ahead[i] - x)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(x))))
    }
  })
  it('sam steps with the gradient at θ + ρ·g/‖g‖', () => {
    // f = x², x = 1, g = 2, ρ = 0.5: perturbed x = 1.5, its gradient 3; update −lr·3.
    const quad = (p: TensorTree) => [flatData(p)[0] ** 2, tensor([2 * flatData(p)[0]])] as const
    const opt = chain(stages.sam({ rho: 0.5 }), sgd(0.1))
    const [, u] = opt.step(opt.init(tensor([1])), tensor([2]), tensor([1]), { value: 1, objective: quad })
    expect(flatData(u)[0]).toBeCloseTo(-0.3, 15)
  })
  it("Polyak's step with f* = 0 solves f = x² in one step", () => {
    // (f − f*)/‖g‖² = x²/4x² = 1/4; x − g/4 = x/2… for f = x²: x − ¼·2x = x/2. Two steps halve twice.
    const opt = chain(stages.polyak({ fStar: 0 }), sgd(1))
    const [, u] = opt.step(opt.init(tensor([4])), tensor([8]), tensor([4]), { value: 16 })
    expect(flatData(u)).toEqual([-2])
  })
  it('reduceOnPlateau scales d by factor after more than patience steps without improvement', () => {
    const opt = chain(stages.reduceOnPlateau({ factor: 0.5, patience: 2 }), sgd(1))
    const p = tensor([0])
    let s = opt.init(p)
    const seen: number[] = []
    for (const value of [3, 2, 2, 2, 2, 2, 2]) {
      const [s1, u] = opt.step(s, tensor([1]), p, { value })
      s = s1
      seen.push(-flatData(u)[0])
    }
    expect(seen).toEqual([1, 1, 1, 1, 0.5, 0.5, 0.5])
    expect(s.state.scale).toBe(0.5)
  })
  it('the new stages and terminals are in the JSON spec too', () => {
    const text = '[{"sam": {"rho": 0.05}}, {"polyak": {"fStar": 0}}, {"reduceOnPlateau": {"patience": 3}}, {"lbfgs": {"memory": 5}}]'
    const spec = parseOptimizerSpec(text)
    if (spec._tag === 'Left') throw new Error(spec.left.join('\n'))
    expect(describe(optimizerFromSpec(spec.right))).toBe('sam(ρ=0.05) → polyak(f*=0) → reduceOnPlateau(factor=0.1, patience=3, threshold=0.0001) → lbfgs(memory=5)')
    const r = solve(optimizerFromSpec((parseOptimizerSpec('[{"lbfgs": {}}]') as { right: OptimizerSpec }).right), [-1.2, 1], 1e-6, 200)
    expect(r.steps).toBeLessThanOrEqual(45)
    expect((parseOptimizerSpec('[{"backtracking": {"shrink": 1}}]') as { left: unknown }).left).toEqual(['$[0].backtracking.shrink: must be in (0, 1), got 1'])
    expect((parseOptimizerSpec('[{"lbfgs": {}}, {"sgd": {"lr": 1}}]') as { left: unknown }).left).toEqual(['$[0]: lbfgs must be the last stage (it is stage 0 of 2)'])
  })
  it('building a chain of 1,000 clip stages is linear (lazy plan) and it runs', () => {
    let opt = sgd(1)
    for (let k = 0; k < 1000; k++) opt = chain(clip({ max: 10 - k / 1000 }), opt)
    const [, u] = opt.step(opt.init(tensor([0])), tensor([20]), tensor([0]))
    expect(flatData(u)).toEqual([-9.001])
  })
})
