import { describe, expect, it } from 'vitest'
import { minimize } from '../../src/drivers/minimize.js'
import { datasetSize, minibatchIndices, minibatches, takeRows, train } from '../../src/drivers/train.js'
import * as E from 'fp-ts/lib/Either.js'
import { parseCheckpoint, serializeCheckpoint } from '../../src/io/checkpoint.js'
import { adam } from '../../src/optim/aliases.js'
import { sgd } from '../../src/optim/combinators.js'
import { skipNonFinite } from '../../src/optim/wrappers.js'
import { random } from '../../src/tensor/Random.js'
import { type Tensor, fromArray, tensor } from '../../src/tensor/Tensor.js'
import type { TensorTree } from '../../src/tensor/Tree.js'

// Linear regression y = X·w, loss = mean over the batch of ½(xᵢ·w − yᵢ)².
const rng = random(11)
const N = 12
const X = rng.normal([N, 2])
const wTrue = [2, -1]
const Y = fromArray([N], Array.from({ length: N }, (_, i) => X.get(i, 0) * wTrue[0] + X.get(i, 1) * wTrue[1]))
const data = { x: X, y: Y }

const lossAndGrad = (params: TensorTree, batch: TensorTree): readonly [number, TensorTree] => {
  const w = (params as Tensor).data
  const { x, y } = batch as { x: Tensor; y: Tensor }
  const m = y.size
  let loss = 0
  const g = [0, 0]
  for (let i = 0; i < m; i++) {
    const r = x.data[2 * i] * w[0] + x.data[2 * i + 1] * w[1] - y.data[i]
    loss += 0.5 * r * r
    g[0] += r * x.data[2 * i]
    g[1] += r * x.data[2 * i + 1]
  }
  return [loss / m, fromArray([2], [g[0] / m, g[1] / m])]
}

describe('minibatches', () => {
  it('covers every example once per epoch, in batches of the asked size', () => {
    const plan = minibatchIndices(10, 3, { batchSize: 4, seed: 1 })
    expect(plan.length).toBe(3)
    for (const epoch of plan) {
      expect(epoch.map((b) => b.length)).toEqual([4, 4, 2])
      expect(epoch.flat().sort((a, b) => a - b)).toEqual([...Array(10).keys()])
    }
    expect(plan[0]).not.toEqual(plan[1])
    expect(minibatchIndices(10, 3, { batchSize: 4, seed: 1 })).toEqual(plan)
    expect(minibatchIndices(10, 1, { batchSize: 4, dropLast: true })[0].length).toBe(2)
  })
  it('batch gradients weighted by size average to the full-batch gradient over an epoch (unbiased)', () => {
    const w = tensor([0.3, 0.7])
    const full = (lossAndGrad(w, data)[1] as Tensor).data
    const sum = [0, 0]
    for (const batch of minibatchIndices(N, 1, { batchSize: 5, seed: 3 })[0]) {
      const g = (lossAndGrad(w, takeRows(data, batch))[1] as Tensor).data
      sum[0] += g[0] * batch.length
      sum[1] += g[1] * batch.length
    }
    expect(sum[0] / N).toBeCloseTo(full[0], 13)
    expect(sum[1] / N).toBeCloseTo(full[1], 13)
  })
  it('takes rows of every leaf and checks the shared first axis', () => {
    const b = takeRows(data, [3, 0]) as { x: Tensor; y: Tensor }
    expect(b.x.shape).toEqual([2, 2])
    expect(Array.from(b.x.data)).toEqual([X.get(3, 0), X.get(3, 1), X.get(0, 0), X.get(0, 1)])
    expect(datasetSize(data)).toBe(N)
    expect(() => datasetSize({ x: X, y: tensor([1, 2]) })).toThrow(/leaf y has shape \[2\], expected a first axis of 12/)
    expect([...minibatches(data, { batchSize: 5 })].length).toBe(3)
  })
})

describe('train', () => {
  it('full batch equals minimize on the full loss, step for step', () => {
    // No shuffling: a permuted full batch sums the same terms in another order (equal up to rounding).
    const t = train(lossAndGrad, tensor([0, 0]), data, sgd(0.1), { epochs: 20, shuffle: false })
    const m = minimize((w) => lossAndGrad(w, data), tensor([0, 0]), sgd(0.1), { maxSteps: 20, gradTol: 0 })
    expect(Array.from((t.params as Tensor).data)).toEqual(Array.from((m.params as Tensor).data))
    expect(t.losses).toEqual(m.values.slice(0, 20))
    expect(t.steps).toBe(20)
  })
  it('SGD (batch size 1) finds the true weights and replays exactly with the same seed', () => {
    const run = (seed: number) => train(lossAndGrad, tensor([0, 0]), data, sgd(0.05), { batchSize: 1, epochs: 60, seed })
    const a = run(7)
    const b = run(7)
    const c = run(8)
    expect(a.steps).toBe(60 * N)
    expect(a.losses).toEqual(b.losses)
    expect(a.losses).not.toEqual(c.losses)
    const w = (a.params as Tensor).data
    expect(Math.abs(w[0] - 2)).toBeLessThan(1e-6)
    expect(Math.abs(w[1] + 1)).toBeLessThan(1e-6)
    expect(a.epochLosses.length).toBe(60)
    expect(a.epochLosses[59]).toBeLessThan(a.epochLosses[0])
  })
  it('resumes mid-epoch from a checkpoint exactly where it stopped', () => {
    const opts = { batchSize: 5, epochs: 4, seed: 3 }
    const straight = train(lossAndGrad, tensor([0, 0]), data, adam({ lr: 0.05 }), opts)
    let saved = ''
    train(lossAndGrad, tensor([0, 0]), data, adam({ lr: 0.05 }), {
      ...opts,
      onStep: (i) => {
        if (i.step === 7) saved = serializeCheckpoint({ step: i.step, params: i.params, state: i.state })
        return i.step < 7
      }
    })
    const cp = parseCheckpoint(saved, { optimizer: adam({ lr: 0.05 }) })
    if (E.isLeft(cp)) throw new Error(cp.left.join('\n'))
    const rest = train(lossAndGrad, cp.right.params, data, adam({ lr: 0.05 }), { ...opts, state: cp.right.state, startStep: cp.right.step })
    expect(rest.steps).toBe(straight.steps - 7)
    expect(rest.losses).toEqual(straight.losses.slice(7))
    expect(Array.from((rest.params as Tensor).data)).toEqual(Array.from((straight.params as Tensor).data))
  })
  it('stops when onStep returns false', () => {
    const r = train(lossAndGrad, tensor([0, 0]), data, sgd(0.05), { batchSize: 4, epochs: 5, onStep: (i) => i.step < 4 })
    expect(r.steps).toBe(4)
  })

  it('reports the steps of the whole run to onStep, for progress', () => {
    const seen: (readonly [number, number, number])[] = []
    train(lossAndGrad, tensor([0, 0]), data, sgd(0.05), { batchSize: 5, epochs: 2, onStep: (i) => void seen.push([i.step, i.epoch, i.totalSteps]) })
    expect(seen).toEqual([[1, 0, 6], [2, 0, 6], [3, 0, 6], [4, 1, 6], [5, 1, 6], [6, 1, 6]])
  })
})

describe('train: the non-finite policy', () => {
  // The loss is NaN on the batch that holds example 5 (and its gradient too).
  const poisoned = (params: TensorTree, batch: TensorTree): readonly [number, TensorTree] => {
    const { y } = batch as { x: Tensor; y: Tensor }
    const hit = Array.from(y.data).some((v) => v === Y.data[5])
    const [loss, g] = lossAndGrad(params, batch)
    return hit ? [NaN, tensor([NaN, 0])] : [loss, g]
  }
  const opts = { batchSize: 1, epochs: 3, shuffle: false }

  it('undoes the step that made a parameter NaN and stops with the reason', () => {
    const r = train(poisoned, tensor([0, 0]), data, sgd(0.05), opts)
    const clean = train(lossAndGrad, tensor([0, 0]), data, sgd(0.05), { ...opts, epochs: 1, onStep: (i) => i.step < 5 })
    expect(r.reason).toBe('non-finite')
    expect(r.steps).toBe(5)
    expect(Array.from((r.params as Tensor).data)).toEqual(Array.from((clean.params as Tensor).data))
    expect(r.losses).toEqual(clean.losses)
    expect(r.message).toBe('step 6 (batch loss NaN): parameter the top became NaN; the step is undone')
  })
  it('with skipNonFinite skips the NaN batch and trains on; giving up is a stop reason, not an exception', () => {
    const skipping = train(poisoned, tensor([0, 0]), data, skipNonFinite(sgd(0.05)), opts)
    expect(skipping.reason).toBe('epochs')
    expect(skipping.steps).toBe(36)
    expect(skipping.losses.filter(Number.isNaN).length).toBe(3)
    expect((skipping.state as { skipped: number }).skipped).toBe(3)
    const allBad = (): readonly [number, TensorTree] => [NaN, tensor([NaN, NaN])]
    const r = train(allBad, tensor([1, 2]), data, skipNonFinite(sgd(0.05), { maxConsecutive: 4 }), opts)
    expect(r.reason).toBe('non-finite')
    expect(r.steps).toBe(3)
    expect(Array.from((r.params as Tensor).data)).toEqual([1, 2])
    expect(r.message).toMatch(/^step 4 \(batch loss NaN\): skipNonFinite: 4 consecutive steps had non-finite gradients/)
  })
})

describe('train: early stopping on a validation loss', () => {
  // Validation: the distance to a target the training data pulls away from after a while.
  // Gradient descent on a 1-d quadratic (x − 3)² from 0 with lr 0.25: x_k = 3(1 − 2⁻ᵏ);
  // the validation loss (x − 2)² is lowest at the step whose x is closest to 2: x₂ = 2.25.
  const toward3 = (params: TensorTree): readonly [number, TensorTree] => {
    const x = (params as Tensor).data[0]
    return [(x - 3) ** 2, tensor([2 * (x - 3)])]
  }
  const oneRow = { y: tensor([0]) }
  const validation = (x: TensorTree): number => ((x as Tensor).data[0] - 2) ** 2

  it('keeps the best parameters and stops after `patience` measurements without improvement', () => {
    const r = train(toward3, tensor([0]), oneRow, sgd(0.25), { epochs: 50, validation: { loss: validation, patience: 3 } })
    expect(r.reason).toBe('early-stop')
    expect(r.steps).toBe(5)
    expect(r.validationLosses.map((v) => v.step)).toEqual([1, 2, 3, 4, 5])
    expect(r.validationLosses.map((v) => v.loss)).toEqual([1, 2, 3, 4, 5].map((k) => (3 * (1 - 2 ** -k) - 2) ** 2))
    expect(r.best).toEqual({ step: 2, loss: 0.0625 })
    expect(Array.from((r.params as Tensor).data)).toEqual([2.25])
  })
  it('measures every k steps, honours minDelta and can return the last parameters instead', () => {
    const r = train(toward3, tensor([0]), oneRow, sgd(0.25), { epochs: 8, validation: { loss: validation, every: 2, minDelta: 0.5, restoreBest: false } })
    expect(r.reason).toBe('epochs')
    expect(r.validationLosses.map((v) => v.step)).toEqual([2, 4, 6, 8])
    expect(r.best?.step).toBe(2)
    expect((r.params as Tensor).data[0]).toBe(3 * (1 - 2 ** -8))
    const seen: number[] = []
    train(toward3, tensor([0]), oneRow, sgd(0.25), { epochs: 4, validation: { loss: validation, every: 2 }, onStep: (i) => void (i.validationLoss !== undefined && seen.push(i.step)) })
    expect(seen).toEqual([2, 4])
    expect(() => train(toward3, tensor([0]), oneRow, sgd(0.25), { validation: { loss: validation, every: 0 } })).toThrow(/validation.every must be a positive integer, got 0/)
  })
})
