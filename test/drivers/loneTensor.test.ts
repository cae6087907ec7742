/**
 * The lone-tensor fast path (params one Tensor: no flattening, no path maps)
 * against the general path (the same problem with params wrapped in a
 * one-leaf record): the same trajectories, values and states, bit for bit.
 */
import { describe, expect, it } from 'vitest'
import { type MinimizeResult, minimize } from '../../src/drivers/minimize.js'
import { adam, adamax, adamw, lion, nadam, rmsprop } from '../../src/optim/aliases.js'
import { withClipByGlobalNorm, withMomentum } from '../../src/optim/combinators.js'
import type { Optimizer } from '../../src/optim/Optimizer.js'
import { cosineDecay } from '../../src/optim/Schedule.js'
import { sgd } from '../../src/optim/terminals.js'
import { skipNonFinite } from '../../src/optim/wrappers.js'
import { Tensor, tensor } from '../../src/tensor/Tensor.js'
import { type TensorTree, flattenTensors } from '../../src/tensor/Tree.js'

/** 2-D Rosenbrock and its gradient, by hand, on a tensor. */
const rosenbrock = (x: Tensor): readonly [number, Tensor] => {
  const [a, b] = x.data
  const f = (1 - a) ** 2 + 100 * (b - a * a) ** 2
  return [f, tensor([-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)])]
}
const lone = (x: TensorTree): readonly [number, TensorTree] => rosenbrock(x as Tensor)
const wrapped = (x: TensorTree): readonly [number, TensorTree] => {
  const [f, g] = rosenbrock((x as { w: Tensor }).w)
  return [f, { w: g }]
}

const bits = (tree: TensorTree): number[] => flattenTensors(tree).leaves.flatMap((t) => Array.from(t.data))
/** Every number of a state, in order, with the path maps' keys dropped. */
const stateNumbers = (x: unknown): unknown =>
  x instanceof Tensor ? Array.from(x.data) : Array.isArray(x) ? x.map(stateNumbers) : typeof x === 'object' && x !== null ? Object.values(x).map(stateNumbers) : x

const expectSameRun = <S>(a: MinimizeResult<S>, b: MinimizeResult<S>): void => {
  expect(a.reason).toBe(b.reason)
  expect(a.steps).toBe(b.steps)
  expect(a.values).toEqual(b.values)
  expect(a.value).toBe(b.value)
  expect(a.gradNorm).toBe(b.gradNorm)
  expect(a.trajectory!.map(bits)).toEqual(b.trajectory!.map(bits))
  expect(bits(a.params)).toEqual(bits(b.params))
  expect(stateNumbers(a.state)).toEqual(stateNumbers(b.state))
}

const optimizers: readonly (readonly [string, () => Optimizer<unknown>])[] = [
  ['adam', () => adam({ lr: 1e-2 }) as Optimizer<unknown>],
  ['adam amsgrad', () => adam({ lr: 1e-2, amsgrad: true }) as Optimizer<unknown>],
  ['adamw', () => adamw({ lr: 1e-2 }) as Optimizer<unknown>],
  ['adamax', () => adamax({ lr: 1e-2 }) as Optimizer<unknown>],
  ['nadam', () => nadam({ lr: 1e-2 }) as Optimizer<unknown>],
  ['rmsprop', () => rmsprop({ lr: 1e-3 }) as Optimizer<unknown>],
  ['lion', () => lion({ lr: 1e-3 }) as Optimizer<unknown>],
  ['momentum, cosine lr', () => withMomentum(sgd(cosineDecay({ init: 1e-3, decaySteps: 100 })), { beta: 0.9 }) as Optimizer<unknown>],
  ['clip by global norm', () => withClipByGlobalNorm(adam({ lr: 1e-2 }) as Optimizer<unknown>, { maxNorm: 1 }) as Optimizer<unknown>],
  ['skipNonFinite(adam)', () => skipNonFinite(adam({ lr: 1e-2 }) as Optimizer<unknown>) as Optimizer<unknown>]
]

describe('minimize on a lone tensor', () => {
  it.each(optimizers)('%s: the same trajectory, values and state as the one-leaf record', (_, make) => {
    const x0 = tensor([-1.2, 1])
    const options = { maxSteps: 200, gradTol: 0, trajectory: true }
    expectSameRun(minimize(lone, x0, make(), options), minimize(wrapped, { w: x0 }, make(), options))
  })

  it('keeps the non-finite policy: the same stop, step and point as the record', () => {
    // sgd with a huge rate overflows within a few steps
    const x0 = tensor([-1.2, 1])
    const options = { maxSteps: 100, trajectory: true }
    const a = minimize(lone, x0, sgd(1), options)
    const b = minimize(wrapped, { w: x0 }, sgd(1), options)
    expect(a.reason).toBe('non-finite')
    expectSameRun(a, b)
    expect(a.message!.replace('the top', 'w')).toBe(b.message)
  })
})

describe('step on a lone tensor', () => {
  it('is pure: an old state gives the same numbers again, and equals the record', () => {
    const opt = adam({ lr: 1e-2 }) as Optimizer<unknown>
    const x = tensor([-1.2, 1])
    const g = rosenbrock(x)[1]
    const s0 = opt.init(x)
    const [s1, u1] = opt.step(s0, g, x)
    const [, u1again] = opt.step(s0, g, x)
    const [s2, u2] = opt.step(s1, g, x)
    expect(bits(u1again)).toEqual(bits(u1))
    const r0 = opt.init({ w: x })
    const [r1, v1] = opt.step(r0, { w: g }, { w: x })
    const [r2, v2] = opt.step(r1, { w: g }, { w: x })
    expect(bits(u1)).toEqual(bits(v1))
    expect(bits(u2)).toEqual(bits(v2))
    expect(stateNumbers(s2)).toEqual(stateNumbers(r2))
    expect(stateNumbers(s0)).toEqual(stateNumbers(r0))
  })

  it('donated, reuses its buffers and gives the numbers of the pure step', () => {
    const opt = adam({ lr: 1e-2 }) as Optimizer<unknown>
    const x = tensor([-1.2, 1])
    const g = rosenbrock(x)[1]
    const [p1, pu] = opt.step(opt.init(x), g, x)
    const [, pu2] = opt.step(p1, g, x)
    const [d1, du] = opt.stepDonated!(opt.init(x), g, x)
    expect(bits(pu)).toEqual(bits(du))
    const [, du2] = opt.stepDonated!(d1, g, x, du)
    expect(bits(pu2)).toEqual(bits(du2))
    expect(du2).toBe(du)
  })

  it('names the top in its errors', () => {
    const opt = adam() as Optimizer<unknown>
    expect(() => opt.step(opt.init(tensor([1, 2])), tensor([1, 2, 3]), tensor([1, 2]))).toThrow(/at the top the gradient has 3 values, the parameter 2/)
    expect(() => opt.step(opt.init({ w: tensor([1, 2]) }), tensor([1, 2]), tensor([1, 2]))).toThrow(/has no 'm' for parameter the top|has no '\w+' for parameter the top/)
  })
})
