import { describe, expect, it } from 'vitest'
import { csvPathFor, lossPathFor, plotDomain, runsCsv } from '../../src/cli/figures.js'
import type { RunResult } from '../../src/cli/run.js'

const runOf = (points: number[][]): RunResult => ({
  steps: points.length - 1,
  stop: { kind: 'steps' },
  start: points[0],
  final: points[points.length - 1],
  startValue: 1,
  value: 1,
  best: 1,
  reached: null,
  sample: { steps: points.map((_, k) => k), values: points.map(() => 1), points: points.map((p) => [p[0], p[1]] as const) }
})

describe('lossPathFor', () => {
  it('puts -loss before the extension', () => {
    expect(lossPathFor('out.svg')).toBe('out-loss.svg')
    expect(lossPathFor('plots/race.svg')).toBe('plots/race-loss.svg')
    expect(lossPathFor('plots/race')).toBe('plots/race-loss.svg')
  })
})

describe('runsCsv', () => {
  it('has one row per optimizer and sampled step, with the point for two variables, and quotes names with commas', () => {
    const csv = runsCsv([{ name: 'a', run: runOf([[0, 0], [1, 2]]) }, { name: 'sgd, "fast"', run: runOf([[3, 4]]) }], ['x', 'y'])
    expect(csv).toBe('optimizer,step,f,x,y\na,0,1,0,0\na,1,1,1,2\n"sgd, ""fast""",0,1,3,4\n')
    expect(csvPathFor('plots/race.svg')).toBe('plots/race.csv')
  })
})

describe('plotDomain', () => {
  it('holds every start and end, with 7.5 % of the span added on each side', () => {
    const d = plotDomain([{ name: 'a', run: runOf([[0, 0], [1, 2]]) }, { name: 'b', run: runOf([[-1, 0], [3, 1]]) }])
    // x from −1 to 3 (span 4): −1 − 0.075·4 … 3 + 0.075·4; y from 0 to 2 (span 2): −0.15 … 2.15
    expect(d.x[0]).toBeCloseTo(-1.3, 12)
    expect(d.x[1]).toBeCloseTo(3.3, 12)
    expect(d.y[0]).toBeCloseTo(-0.15, 12)
    expect(d.y[1]).toBeCloseTo(2.15, 12)
  })

  it('shows where a diverged run went wrong, not where it ended', () => {
    // f stays within 100× its start (1) for the first two points, then blows up to 1e50
    const wild: RunResult = { ...runOf([[0, 0], [1, 1], [1e20, -1e20], [1e25, 1e25]]), stop: { kind: 'diverged', step: 4, value: Infinity } }
    const d = plotDomain([{ name: 'w', run: { ...wild, sample: { ...wild.sample, values: [1, 2, 1e40, 1e50] } } }])
    // x and y from 0 to 1, 7.5 % of the span added on each side
    for (const [lo, hi] of [d.x, d.y]) {
      expect(lo).toBeCloseTo(-0.075, 12)
      expect(hi).toBeCloseTo(1.075, 12)
    }
  })

  it('does not let one wild point in the middle of a run stretch the window', () => {
    const points = Array.from({ length: 300 }, (_, k) => [1 - k / 299, 1 - k / 299])
    points[150] = [1e6, -1e6]
    const d = plotDomain([{ name: 'a', run: runOf(points) }])
    expect(d.x[1]).toBeLessThan(2)
    expect(d.y[0]).toBeGreaterThan(-1)
  })
})
