import { describe, expect, it } from 'vitest'
import { applyUpdates, emptyState, identity, stateless, stepOwned, type Optimizer } from '../../src/optim/Optimizer.js'
import { scalar, tensor } from '../../src/tensor/Tensor.js'
import { flatData } from './helpers.js'

describe('Optimizer', () => {
  it('identity never moves', () => {
    const p = { a: tensor([1, 2]), b: scalar(3) }
    const [s, u] = identity.step(identity.init(p), { a: tensor([5, 6]), b: scalar(7) }, p)
    expect(s).toBe(emptyState)
    expect(flatData(u)).toEqual([0, 0, 0])
  })
  it('stateless lifts a per-element rule of (g, θ)', () => {
    const decayAndDescend = stateless((g, th) => -0.5 * g - 0.1 * th)
    const p = tensor([10, -20])
    const [, u] = decayAndDescend.step(decayAndDescend.init(p), tensor([2, 4]), p)
    expect(flatData(u)).toEqual([-2, 0])
  })
  it('applyUpdates adds leaf by leaf into new tensors', () => {
    const p = { a: tensor([1, 2]), b: scalar(3) }
    const q = applyUpdates(p, { a: tensor([0.5, -2]), b: scalar(-3) })
    expect(flatData(q)).toEqual([1.5, 0, 0])
    expect(flatData(p)).toEqual([1, 2, 3])
    expect(() => applyUpdates(tensor([1]), tensor([1, 2]))).toThrow(/has 1 values, its update 2/)
  })
  it('stepOwned uses step when there is no donated step', () => {
    const counter: Optimizer<number> = { init: () => 0, step: (s, g) => [s + 1, g] }
    const [s, u] = stepOwned(counter, 41, tensor([1]), tensor([0]))
    expect([s, flatData(u)]).toEqual([42, [1]])
  })
})
