/**
 * A model-based test: a real optimizer, `withMomentum(sgd(lr), { beta })`,
 * driven by random command sequences (step with a gradient, replay an old
 * state, step with a zero gradient) and checked after each command against a
 * ten-line scalar reference kept far simpler than the fused kernels.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { uniformDouble } from '../../laws/arbitraries.js'
import type { Optimizer } from '../../src/optim/Optimizer.js'
import { sgd, withMomentum } from '../../src/optim/combinators.js'
import { scalar } from '../../src/tensor/Tensor.js'
import type { TensorTree } from '../../src/tensor/Tree.js'

/** The reference: PyTorch's momentum sgd on one number. */
class ScalarMomentum {
  theta: number
  private v = 0
  private t = 0
  constructor(theta0: number, private readonly lr: number, private readonly beta: number) {
    this.theta = theta0
  }
  step(g: number): void {
    this.t += 1
    this.v = this.t === 1 ? g : this.beta * this.v + g
    this.theta -= this.lr * this.v
  }
}

interface Real {
  opt: Optimizer<unknown>
  state: unknown
  params: TensorTree
  /** The last step's inputs and update, to replay. */
  last: { state: unknown; grad: TensorTree; params: TensorTree; update: number } | undefined
}

const wOf = (tree: TensorTree): number => (tree as unknown as { w: { item(): number } }).w.item()
const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-12 * (1 + Math.abs(a) + Math.abs(b))

class StepCommand implements fc.Command<ScalarMomentum, Real> {
  constructor(readonly g: number) {}
  check(): boolean {
    return true
  }
  run(model: ScalarMomentum, real: Real): void {
    const grad = { w: scalar(this.g) }
    const [state, update] = real.opt.step(real.state, grad, real.params)
    real.last = { state: real.state, grad, params: real.params, update: wOf(update) }
    real.state = state
    real.params = { w: scalar(wOf(real.params) + wOf(update)) }
    model.step(this.g)
    expect(close(wOf(real.params), model.theta), `θ = ${wOf(real.params)}, reference ${model.theta}`).toBe(true)
  }
  toString(): string {
    return `step(${this.g})`
  }
}

/** Stepping the previous state again with the previous gradient gives the same update, and changes nothing. */
class ReplayCommand implements fc.Command<ScalarMomentum, Real> {
  check(_model: Readonly<ScalarMomentum>): boolean {
    return true
  }
  run(model: ScalarMomentum, real: Real): void {
    if (real.last === undefined) return
    const [, update] = real.opt.step(real.last.state, real.last.grad, real.last.params)
    expect(wOf(update)).toBe(real.last.update)
    expect(close(wOf(real.params), model.theta)).toBe(true)
  }
  toString(): string {
    return 'replay'
  }
}

const commandArbs: fc.Arbitrary<fc.Command<ScalarMomentum, Real>>[] = [
  uniformDouble(-10, 10).map((g) => new StepCommand(g)),
  fc.constant(new StepCommand(0)),
  fc.constant(new ReplayCommand())
]

describe('withMomentum(sgd) against a scalar reference', () => {
  it('agrees after every command of random sequences', () => {
    fc.assert(
      fc.property(
        uniformDouble(0.001, 0.5),
        uniformDouble(0, 0.99),
        uniformDouble(-5, 5),
        fc.commands(commandArbs, { maxCommands: 40 }),
        (lr, beta, theta0, commands) => {
          const opt = withMomentum(sgd(lr), { beta }) as Optimizer<unknown>
          const params = { w: scalar(theta0) }
          fc.modelRun(() => ({ model: new ScalarMomentum(theta0, lr, beta), real: { opt, state: opt.init(params), params, last: undefined } }), commands)
        }
      ),
      { numRuns: 60, seed: 20261129 }
    )
  })

  it('can fail: the same commands reject a dampened momentum (v ← βv + ½g after v₁ = g) against the undampened reference', () => {
    const run = (): void =>
      fc.assert(
        fc.property(fc.commands(commandArbs, { maxCommands: 10 }), (commands) => {
          const opt = withMomentum(sgd(0.1), { beta: 0.9, dampening: 0.5 }) as Optimizer<unknown>
          const params = { w: scalar(1) }
          fc.modelRun(() => ({ model: new ScalarMomentum(1, 0.1, 0.9), real: { opt, state: opt.init(params), params, last: undefined } }), commands)
        }),
        { numRuns: 30, seed: 1 }
      )
    expect(run).toThrow(/Property failed/)
  })
})
