import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { capturedIo } from '../../src/cli/io.js'
import { decodeMethod } from '../../src/cli/methods.js'
import { type Problem, decodePoint, loadProblem } from '../../src/cli/problem.js'
import { Sampler, bucketWidth, runOptimizer } from '../../src/cli/run.js'
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
const kept = { keepValues: true, keepPoints: true }
const rows = (data: Float64Array | undefined, width: number): number[][] =>
  Array.from({ length: (data?.length ?? 0) / width }, (_, k) => Array.from(data!.subarray(k * width, (k + 1) * width)))

describe('runOptimizer', () => {
  it('records every point and value: sgd lr = 0.25 halves x on x^2', () => {
    const p = problem('x^2')
    const run = runOptimizer(p, point(p, '8'), classicSgd({ lr: 0.25 }) as Optimizer<unknown>, 4, { ...kept, target: 1.5 })
    expect(rows(run.points, 1)).toEqual([[8], [4], [2], [1], [0.5]])
    expect(Array.from(run.values!)).toEqual([64, 16, 4, 1, 0.25])
    expect(run.steps).toBe(4)
    expect(run.stop).toEqual({ kind: 'steps' })
    expect(run.reached).toBe(3)
    expect(run.final).toEqual([0.5])
    expect(run.value).toBe(0.25)
    expect(run.best).toBe(0.25)
    expect(runOptimizer(p, point(p, '8'), classicSgd({ lr: 0.25 }) as Optimizer<unknown>, 4, { target: 0.1 }).reached).toBeNull()
  })

  it('keeps only the summary and a sample unless asked for every value and point', () => {
    const p = problem('x^2')
    const run = runOptimizer(p, point(p, '8'), classicSgd({ lr: 0.25 }) as Optimizer<unknown>, 4)
    expect(run.values).toBeUndefined()
    expect(run.points).toBeUndefined()
    expect(run.sample.steps).toEqual([0, 1, 2, 3, 4])
    expect(run.sample.values).toEqual([64, 16, 4, 1, 0.25])
    expect(run.sample.points).toEqual([])
  })

  it('keeps going at a zero gradient (momentum still moves there)', () => {
    const p = problem('x^2')
    // from x = 1 with lr 0.5: step 1 lands on 0 with velocity 2; momentum 0.5 carries it on to −0.5
    const run = runOptimizer(p, point(p, '1'), classicSgd({ lr: 0.5, momentum: 0.5 }) as Optimizer<unknown>, 2, kept)
    expect(rows(run.points, 1)).toEqual([[1], [0], [-0.5]])
  })

  it('ends a diverging run at the last finite point', () => {
    // on −x² with lr 1e100, x ← x + 2e100·x: x₁ = 1 + 2e100 (f = −4e200, finite),
    // x₂ ≈ 4e200 whose f ≈ −1.6e401 overflows to −∞: the run ends at step 1
    const up = problem('-x^2')
    const run = runOptimizer(up, point(up, '1'), classicSgd({ lr: 1e100 }) as Optimizer<unknown>, 10, kept)
    expect(run.stop).toEqual({ kind: 'diverged', step: 2, value: -Infinity })
    expect(run.steps).toBe(1)
    expect(rows(run.points, 1)).toEqual([[1], [1 + 2e100]])
    expect(run.values![1]).toBe(-((1 + 2e100) ** 2))
    expect(run.value).toBe(-((1 + 2e100) ** 2))
    expect(run.sample.steps).toEqual([0, 1])
  })

  it('ends a run whose second-order step is undefined, keeping what came before', () => {
    // H = diag(2, 0) is singular: the undamped saddle-free step is undefined at the first step
    const p = problem('x^2 + y')
    const method = decodeMethod('--optimizer', '{"saddleFreeNewton": {"damping": 0}}', capturedIo())
    if (E.isLeft(method)) throw new Error(method.left.message)
    const run = runOptimizer(p, point(p, '1,1'), method.right.make(p), 5, kept)
    expect(run.stop.kind).toBe('failed')
    expect(run.steps).toBe(0)
    expect(rows(run.points, 2)).toEqual([[1, 1]])
    expect(run.sample.points).toEqual([[1, 1]])
    expect(run.stop.kind === 'failed' && run.stop.message).toContain('singular')
  })
})

describe('Sampler', () => {
  it('has buckets of width 1 up to step 511, then doubling each octave, aligned', () => {
    expect([0, 1, 511, 512, 1023, 1024, 2047, 2048].map(bucketWidth)).toEqual([1, 1, 1, 2, 2, 4, 4, 8])
    // 10⁷ lies in the octave [256·2¹⁵, 256·2¹⁶) = [8388608, 16777216)
    expect(bucketWidth(10_000_000)).toBe(2 ** 15)
    for (const k of [512, 1024, 4096, 2 ** 20]) expect(k % bucketWidth(k)).toBe(0)
  })

  it('keeps every step early, and per bucket the first, last and extreme steps of f, x and y', () => {
    const sampler = new Sampler(true)
    // f = k except a spike at 4100; y = 0 except a dip at 4105; the bucket [4096, 4112) has width 16
    for (let k = 0; k < 4112; k++) sampler.push(k, k === 4100 ? 1e9 : k, [k, k === 4105 ? -5 : 0])
    const { steps, values, points } = sampler.sample()
    expect(steps.slice(0, 512)).toEqual(Array.from({ length: 512 }, (_, k) => k))
    // 4096: first, lowest f, lowest x; 4100: highest f; 4105: lowest y; 4111: last, highest x
    expect(steps.filter((s) => s >= 4096)).toEqual([4096, 4100, 4105, 4111])
    expect(values[steps.indexOf(4100)]).toBe(1e9)
    expect(points[steps.indexOf(4105)]).toEqual([4105, -5])
    expect(steps.every((s, i) => i === 0 || s > steps[i - 1])).toBe(true)
  })

  it('stays bounded: at most 8 samples per bucket, 256 buckets per octave', () => {
    const sampler = new Sampler(true)
    for (let k = 0; k <= 1_000_000; k++) sampler.push(k, Math.sin(k), [Math.cos(k), Math.sin(k / 3)])
    const n = sampler.sample().steps.length
    expect(n).toBeLessThanOrEqual(512 + 8 * 256 * Math.ceil(Math.log2(1_000_000 / 512)))
    expect(n).toBeGreaterThan(2 * 256 * 10)
  })
})
