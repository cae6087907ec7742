import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { capturedIo } from '../../src/cli/io.js'
import { decodeMethod } from '../../src/cli/methods.js'
import { type Problem, decodePoint, loadProblem } from '../../src/cli/problem.js'
import { runOptimizer, stepsToReach } from '../../src/cli/run.js'
import { classicSgd } from '../../src/optim/aliases.js'
import type { Optimizer } from '../../src/optim/Optimizer.js'

const problem = (text: string): Problem => {
  const p = loadProblem(text)
  if (E.isLeft(p)) throw new Error(p.left.message)
  return p.right
}
const point = (p: Problem, text: string) => {
  const x = decodePoint(p, '--from', text)
  if (E.isLeft(x)) throw new Error(x.left.message)
  return x.right
}

describe('runOptimizer', () => {
  it('records every point and value: sgd lr = 0.25 halves x on x^2', () => {
    const p = problem('x^2')
    const run = runOptimizer(p, point(p, '8'), classicSgd({ lr: 0.25 }) as Optimizer<unknown>, 4)
    expect(run.points).toEqual([[8], [4], [2], [1], [0.5]])
    expect(run.values).toEqual([64, 16, 4, 1, 0.25])
    expect(run.steps).toBe(4)
    expect(run.stop).toEqual({ kind: 'steps' })
    expect(stepsToReach(run, 1.5)).toBe(3)
    expect(stepsToReach(run, 0.1)).toBeNull()
  })

  it('keeps going at a zero gradient (momentum still moves there)', () => {
    const p = problem('x^2')
    // from x = 1 with lr 0.5: step 1 lands on 0 with velocity 2; momentum 0.5 carries it on to −0.5
    const run = runOptimizer(p, point(p, '1'), classicSgd({ lr: 0.5, momentum: 0.5 }) as Optimizer<unknown>, 2)
    expect(run.points).toEqual([[1], [0], [-0.5]])
  })

  it('ends a diverging run at the last finite point', () => {
    // on −x² with lr 1e100, x ← x + 2e100·x: x₁ = 1 + 2e100 (f = −4e200, finite),
    // x₂ ≈ 4e200 whose f ≈ −1.6e401 overflows to −∞: the run ends at step 1
    const up = problem('-x^2')
    const run = runOptimizer(up, point(up, '1'), classicSgd({ lr: 1e100 }) as Optimizer<unknown>, 10)
    expect(run.stop).toEqual({ kind: 'diverged', step: 2, value: -Infinity })
    expect(run.steps).toBe(1)
    expect(run.points).toEqual([[1], [1 + 2e100]])
    expect(run.values[1]).toBe(-((1 + 2e100) ** 2))
  })

  it('ends a run whose second-order step is undefined, keeping what came before', () => {
    // H = diag(2, 0) is singular: the undamped saddle-free step is undefined at the first step
    const p = problem('x^2 + y')
    const method = decodeMethod('--optimizer', '{"saddleFreeNewton": {"damping": 0}}', capturedIo())
    if (E.isLeft(method)) throw new Error(method.left.message)
    const run = runOptimizer(p, point(p, '1,1'), method.right.make(p), 5)
    expect(run.stop.kind).toBe('failed')
    expect(run.steps).toBe(0)
    expect(run.points).toEqual([[1, 1]])
    expect(run.stop.kind === 'failed' && run.stop.message).toContain('singular')
  })
})
