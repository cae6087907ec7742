// The example of the README section "Testing your own optimizer" (/work/notes/laws-readme.md), verbatim.
import { describe, expect, it } from 'vitest'
import { type Optimizer, type TensorTree, adam, flattenTensors, fromArray, mapTensors, zeros } from 'descent-autodiff'
import { approxEq, checkGradientLaws, checkOptimizerLaws, optimizerLaws, runLaws } from 'descent-autodiff/laws'

/** Sign descent with momentum ("Signum"): m ← βm + (1 − β)g, θ ← θ − lr·sign(m). */
const signum = (lr: number, beta = 0.9): Optimizer<TensorTree> => ({
  init: (params) => mapTensors(params, (p) => zeros(p.shape)),
  step: (m, grad) => {
    const g = flattenTensors(grad).leaves
    let k = 0
    const next = mapTensors(m, (mk) => {
      const gk = g[k++]
      return fromArray(mk.shape, Array.from(mk.data, (v, i) => beta * v + (1 - beta) * gk.data[i]))
    })
    const update = mapTensors(next, (mk) => fromArray(mk.shape, Array.from(mk.data, (v) => -lr * Math.sign(v))))
    return [next, update]
  }
})

// A pinned seed replays any failure; numRuns keeps the suite fast.
const fc = { numRuns: 50, seed: 42 }

describe('signum', () => {
  it('is pure, deterministic and keeps the shapes of trees (the general laws)', () => {
    checkOptimizerLaws(signum(0.01), { fc })
  })

  it('ignores the scale of the gradient and moves by lr on its first step', () => {
    checkOptimizerLaws(signum(0.01), { scaleInvariant: true, firstStepMagnitude: 0.01, fc })
  })

  it('is not linear in the gradient (a law can fail, and says which)', () => {
    const outcomes = runLaws(optimizerLaws(signum(0.01), { linear: true }), fc)
    const failed = outcomes.filter((o) => !o.holds).map((o) => o.name)
    expect(failed).toEqual(['the update is linear in the gradient'])
  })
})

describe('adam', () => {
  it('satisfies the laws PyTorch’s Adam does', () => {
    checkOptimizerLaws(adam({ lr: 1e-3 }), { kind: 'adam', lr: 1e-3, fc })
  })
})

describe('the gradient of my loss', () => {
  it('agrees with central differences', () => {
    checkGradientLaws((w) => w.sin().mul(w).sum().add(w.square().mean()), {
      shape: [5],
      differenceApprox: approxEq({ rtol: 1e-6, atol: 1e-7 }),
      fc
    })
  })
})
