import { pipe } from 'fp-ts/lib/function.js'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { adam, adamw, adadelta, adagrad, adamax, classicSgd, lion, nadam, rmsprop } from '../../src/optim/aliases.js'
import {
  type FusedOptimizer,
  type MomentumState,
  type RmsState,
  type SgdState,
  type EwmaState,
  type BridgeState,
  sgd,
  withAdaGrad,
  withClip,
  withClipByGlobalNorm,
  withDecoupledWeightDecay,
  withEwma,
  withMomentum,
  withRMS,
  withWeightDecay
} from '../../src/optim/combinators.js'
import { type EmptyState, type Optimizer, type StateOf, applyUpdates, stateless } from '../../src/optim/Optimizer.js'
import { fromArray, scalar, tensor } from '../../src/tensor/Tensor.js'
import type { TensorTree } from '../../src/tensor/Tree.js'
import { refAdagrad, refAdam, refRmsprop, refSgd } from './reference.js'
import { expectClose, flatData, fromTree, quadraticGrad, run, runRef, sumSquaresGrad, toTree, x0 } from './helpers.js'

describe('types', () => {
  it('infers the composed state of the design card form', () => {
    const opt = withMomentum(withRMS(sgd(0.01)))
    expectTypeOf(opt).toEqualTypeOf<FusedOptimizer<MomentumState<RmsState<SgdState>>>>()
    expectTypeOf<StateOf<typeof opt>>().toEqualTypeOf<MomentumState<RmsState<SgdState>>>()
  })
  it('reads in pipe(...) too, innermost first', () => {
    const opt = pipe(sgd(0.01), withRMS, withMomentum)
    expectTypeOf(opt).toEqualTypeOf<FusedOptimizer<MomentumState<RmsState<SgdState>>>>()
    expectClose(run(opt, x0, quadraticGrad, 5), run(withMomentum(withRMS(sgd(0.01))), x0, quadraticGrad, 5), 0, 0)
  })
  it('puts a custom optimizer behind a bridge and keeps stateless stages out of the state', () => {
    const custom = stateless((g) => -0.1 * g)
    const opt = withWeightDecay(withEwma(custom), { lambda: 0.1 })
    expectTypeOf<StateOf<typeof opt>>().toEqualTypeOf<EwmaState<BridgeState<EmptyState>>>()
  })
})

describe('sgd', () => {
  it('returns −lr·g', () => {
    const [, u] = sgd(0.5).step(sgd(0.5).init(tensor([1, 2])), tensor([4, -6]), tensor([1, 2]))
    expect(flatData(u)).toEqual([-2, 3])
  })
  it('reads a schedule at the step count 0, 1, 2, …', () => {
    const opt = sgd((t) => 1 / (t + 1))
    let s = opt.init(tensor([0]))
    const seen: number[] = []
    for (let k = 0; k < 3; k++) {
      const [s1, u] = opt.step(s, tensor([1]), tensor([0]))
      s = s1
      seen.push(-flatData(u)[0])
    }
    expect(seen).toEqual([1, 1 / 2, 1 / 3])
    expect(s.count).toBe(3)
  })
})

describe('withMomentum', () => {
  it('matches the hand-worked heavy ball on f = x² (lr 0.1, β 0.9)', () => {
    // g₁ = 2, v₁ = 2, x₁ = 0.8; g₂ = 1.6, v₂ = 0.9·2 + 1.6 = 3.4, x₂ = 0.46.
    const opt = withMomentum(sgd(0.1), { beta: 0.9 })
    let x: TensorTree = scalar(1)
    let s = opt.init(x)
    const xs: number[] = []
    for (let k = 0; k < 2; k++) {
      const [s1, u] = opt.step(s, scalar(2 * flatData(x)[0]), x)
      s = s1
      x = applyUpdates(x, u)
      xs.push(flatData(x)[0])
    }
    expect(xs[0]).toBeCloseTo(0.8, 15)
    expect(xs[1]).toBeCloseTo(0.46, 15)
  })
  it('keeps its velocity per parameter path', () => {
    const opt = withMomentum(sgd(0.1))
    const s = opt.init({ w: tensor([1, 2]), b: scalar(0) })
    expect(Object.keys(s.slots.v).sort()).toEqual(['b', 'w'])
    expect(s.inner.kind).toBe('sgd')
  })
})

describe('design compositions equal PyTorch', () => {
  const cases = [
    ['momentum ∘ sgd = SGD(momentum)', () => withMomentum(sgd(0.05), { beta: 0.9 }), () => refSgd({ lr: 0.05, momentum: 0.9 })],
    ['nesterov', () => withMomentum(sgd(0.05), { beta: 0.9, nesterov: true }), () => refSgd({ lr: 0.05, momentum: 0.9, nesterov: true })],
    [
      'ewma ∘ rms ∘ sgd = Adam',
      () => withEwma(withRMS(sgd(0.01), { rho: 0.99, eps: 1e-8, debias: true }), { beta: 0.8, debias: true }),
      () => refAdam({ lr: 0.01, betas: [0.8, 0.99] })
    ],
    ['rms ∘ momentum ∘ sgd = RMSprop(momentum)', () => withRMS(withMomentum(sgd(0.01), { beta: 0.7 }), { rho: 0.9 }), () => refRmsprop({ lr: 0.01, alpha: 0.9, momentum: 0.7 })],
    ['adagrad ∘ sgd = Adagrad', () => withAdaGrad(sgd(0.1)), () => refAdagrad({ lr: 0.1 })],
    [
      'ewma ∘ rms ∘ decoupledWeightDecay ∘ sgd = AdamW',
      () => withEwma(withRMS(withDecoupledWeightDecay(sgd(0.01), { lambda: 0.2 }), { rho: 0.999, debias: true }), { beta: 0.9, debias: true }),
      () => refAdam({ lr: 0.01, weightDecay: 0.2, decoupled: true })
    ],
    [
      'weightDecay ∘ ewma ∘ rms ∘ sgd = Adam(weight_decay)',
      () => withWeightDecay(withEwma(withRMS(sgd(0.01), { rho: 0.999, debias: true }), { beta: 0.9, debias: true }), { lambda: 0.2 }),
      () => refAdam({ lr: 0.01, weightDecay: 0.2 })
    ]
  ] as const
  describe.each(cases)('%s', (_, makeOptimizer, makeReference) => {
    it.each([['Σx²', sumSquaresGrad], ['quadratic', quadraticGrad]] as const)('on %s', (_n, grad) => {
      expectClose(run(makeOptimizer() as unknown as Optimizer<unknown>, x0, grad, 8), runRef(makeReference(), x0, grad, 8))
    })
  })

  it('rms with ρ = 0 and ε = 0 is sign descent', () => {
    const [, u] = withRMS(sgd(0.1), { rho: 0, eps: 0 }).step(withRMS(sgd(0.1), { rho: 0, eps: 0 }).init(tensor([0, 0, 0])), tensor([3, -0.5, 2e-7]), tensor([0, 0, 0]))
    expect(flatData(u)).toEqual([-0.1, 0.1, -0.1])
  })

  it('a bias-corrected EWMA of a constant gradient passes the constant', () => {
    const opt = withEwma(sgd(1), { beta: 0.9, debias: true })
    let s = opt.init(tensor([0]))
    for (let k = 0; k < 5; k++) {
      const [s1, u] = opt.step(s, tensor([3]), tensor([0]))
      s = s1
      expect(flatData(u)[0]).toBeCloseTo(-3, 13)
    }
  })

  it('rms centered, epsInside and debias follow their formulas', () => {
    // One step, g = 2, ρ = 0.5: r = 2, m = 1, r̂ = 2 − 1 = 1; debias: r̂/(1 − 0.5) = 2.
    const g = tensor([2])
    const p = tensor([0])
    const step = (o: Parameters<typeof withRMS>[1]) => {
      const opt = withRMS(sgd(1), o)
      return -flatData(opt.step(opt.init(p), g, p)[1])[0]
    }
    expect(step({ rho: 0.5, eps: 0 })).toBeCloseTo(2 / Math.sqrt(2), 15)
    expect(step({ rho: 0.5, eps: 0, centered: true })).toBeCloseTo(2, 15)
    expect(step({ rho: 0.5, eps: 0, centered: true, debias: true })).toBeCloseTo(2 / Math.sqrt(2), 15)
    expect(step({ rho: 0.5, eps: 1, epsInside: true })).toBeCloseTo(2 / Math.sqrt(3), 15)
    expect(step({ rho: 0.5, eps: 1 })).toBeCloseTo(2 / (Math.sqrt(2) + 1), 15)
  })
})

describe('clipping', () => {
  it('clips by the global norm of the whole tree', () => {
    // g = ([3], 4): ‖g‖ = 5 > 1, scaled to (0.6, 0.8).
    const opt = withClipByGlobalNorm(sgd(1), { maxNorm: 1 })
    const params = { a: tensor([0]), b: scalar(0) }
    const [, u] = opt.step(opt.init(params), { a: tensor([3]), b: scalar(4) }, params)
    expect(flatData(u)[0]).toBeCloseTo(-0.6, 15)
    expect(flatData(u)[1]).toBeCloseTo(-0.8, 15)
  })
  it('leaves small gradients alone', () => {
    const opt = withClipByGlobalNorm(sgd(1), { maxNorm: 10 })
    const [, u] = opt.step(opt.init(tensor([0, 0])), tensor([3, 4]), tensor([0, 0]))
    expect(flatData(u)).toEqual([-3, -4])
  })
  it('measures the norm of the gradient as the stage sees it (after weight decay above it)', () => {
    // g + λθ = (3, 4) + 1·(0, 0)… use θ = (1, 0): g' = (4, 4), ‖g'‖ = 4√2.
    const opt = withWeightDecay(withClipByGlobalNorm(sgd(1), { maxNorm: 1 }), { lambda: 1 })
    const [, u] = opt.step(opt.init(tensor([1, 0])), tensor([3, 4]), tensor([1, 0]))
    expect(flatData(u)[0]).toBeCloseTo(-4 / (4 * Math.SQRT2), 15)
    expect(flatData(u)[1]).toBeCloseTo(-4 / (4 * Math.SQRT2), 15)
  })
  it('clips element by element', () => {
    const opt = withClip(sgd(1), { max: 1 })
    const [, u] = opt.step(opt.init(tensor([0, 0, 0])), tensor([3, -4, 0.5]), tensor([0, 0, 0]))
    expect(flatData(u)).toEqual([-1, 1, -0.5])
  })
})

describe('custom optimizers compose (fallback path)', () => {
  const plainSgd = (lr: number): Optimizer<EmptyState> => stateless((g) => -lr * g)
  it('withMomentum over a custom sgd equals withMomentum over the fused sgd', () => {
    expectClose(run(withMomentum(plainSgd(0.05), { beta: 0.9 }), x0, quadraticGrad, 6), run(withMomentum(sgd(0.05), { beta: 0.9 }), x0, quadraticGrad, 6), 0, 0)
  })
  it('keeps the step count at the bridge, so bias correction works over a custom optimizer', () => {
    const custom = withEwma(withRMS(plainSgd(0.01), { rho: 0.999, debias: true }), { beta: 0.9, debias: true })
    expectClose(run(custom, x0, quadraticGrad, 6), runRef(refAdam({ lr: 0.01 }), x0, quadraticGrad, 6))
    const s = custom.init(toTree(x0))
    expect(s.inner.inner.kind).toBe('bridge')
  })
  it('a fused chain below a custom wrapper below a stage still works', () => {
    // custom(x) = an optimizer that delegates to adam: not fused, so the stage above bridges to it.
    const inner = adam({ lr: 0.01 })
    const opaque: Optimizer<StateOf<typeof inner>> = { init: inner.init, step: inner.step }
    const opt = withWeightDecay(opaque, { lambda: 0.1 })
    expectClose(run(opt, x0, quadraticGrad, 6), runRef(refAdam({ lr: 0.01, weightDecay: 0.1 }), x0, quadraticGrad, 6))
  })
})

const everyOptimizer = [
  ['classicSgd', () => classicSgd({ lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
  ['adagrad', () => adagrad({ lrDecay: 0.1 })],
  ['rmsprop', () => rmsprop({ momentum: 0.5, centered: true })],
  ['adam', () => adam({ amsgrad: true, weightDecay: 0.1 })],
  ['adamw', () => adamw()],
  ['adamax', () => adamax()],
  ['nadam', () => nadam()],
  ['adadelta', () => adadelta()],
  ['lion', () => lion({ weightDecay: 0.1 })],
  ['clip chain', () => withClipByGlobalNorm(withWeightDecay(withClip(withMomentum(withRMS(sgd(0.01))), { max: 0.5 }), { lambda: 0.1 }), { maxNorm: 1 })],
  ['bridged', () => withMomentum(stateless((g) => -0.01 * g))]
] as const

const bigTree = (seed: number): TensorTree => ({
  w: fromArray([300], Array.from({ length: 300 }, (_, i) => Math.sin(seed + i))),
  layers: [{ bias: fromArray([2], [seed, -seed]) }]
})

describe.each(everyOptimizer)('purity and donation: %s', (_, make) => {
  it('mutates no input, and an old state stepped twice gives the same result', () => {
    const opt = make() as Optimizer<unknown>
    const params = bigTree(0.3)
    const grad = bigTree(1.7)
    let state = opt.init(params)
    ;[state] = opt.step(state, grad, params)
    const paramsCopy = flatData(params)
    const gradCopy = flatData(grad)
    const stateCopy = JSON.stringify(state, (_k, v) => (v instanceof Float64Array ? Array.from(v) : v))
    const [s1, u1] = opt.step(state, grad, params)
    const [s2, u2] = opt.step(state, grad, params)
    expect(flatData(params)).toEqual(paramsCopy)
    expect(flatData(grad)).toEqual(gradCopy)
    expect(JSON.stringify(state, (_k, v) => (v instanceof Float64Array ? Array.from(v) : v))).toBe(stateCopy)
    expect(flatData(u1)).toEqual(flatData(u2))
    expect(JSON.stringify(s1, (_k, v) => (v instanceof Float64Array ? Array.from(v) : v))).toBe(
      JSON.stringify(s2, (_k, v) => (v instanceof Float64Array ? Array.from(v) : v))
    )
  })
  it('the donated step is bit-identical to the pure step', () => {
    const opt = make() as Optimizer<unknown>
    let params = bigTree(0.3)
    let pure = opt.init(params)
    let owned = opt.init(params)
    let into: TensorTree | undefined
    for (let k = 0; k < 5; k++) {
      const grad = bigTree(k + 0.5)
      const [s1, u1] = opt.step(pure, grad, params)
      const expected = flatData(u1)
      const [s2, u2] = opt.stepDonated!(owned, grad, params, into)
      const got = flatData(u2)
      expect(got.length).toBe(expected.length)
      got.forEach((x, i) => expect(Object.is(x, expected[i])).toBe(true))
      pure = s1
      owned = s2
      into = u2
      params = applyUpdates(params, u1)
    }
  })
})

describe('errors', () => {
  it('rejects a gradient tree that differs from the parameters', () => {
    const opt = adam()
    const p = { a: tensor([1]) }
    expect(() => opt.step(opt.init(p), { b: tensor([1]) }, { b: tensor([1]) })).toThrow(/no 'm' for parameter b/)
    expect(() => opt.step(opt.init(p), { b: tensor([1]) }, p)).toThrow(/gradient leaves \[b\] differ from parameter leaves \[a\]/)
  })
  it('rejects the state of another optimizer', () => {
    const p = tensor([1])
    expect(() => withMomentum(sgd(1)).step(withEwma(sgd(1)).init(p) as never, p, p)).toThrow(/stage 'momentum'/)
  })
})

void fromTree
