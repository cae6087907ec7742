import { describe, expect, it } from 'vitest'
import { lossPathFor, plotDomain } from '../../src/cli/figures.js'
import type { RunResult } from '../../src/cli/run.js'

const runOf = (points: number[][]): RunResult => ({ points, values: points.map(() => 1), steps: points.length - 1, stop: { kind: 'steps' } })

describe('lossPathFor', () => {
  it('puts -loss before the extension', () => {
    expect(lossPathFor('out.svg')).toBe('out-loss.svg')
    expect(lossPathFor('plots/race.svg')).toBe('plots/race-loss.svg')
    expect(lossPathFor('plots/race')).toBe('plots/race-loss.svg')
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

  it('does not let one wild point in the middle of a run stretch the window', () => {
    const points = Array.from({ length: 300 }, (_, k) => [1 - k / 299, 1 - k / 299])
    points[150] = [1e6, -1e6]
    const d = plotDomain([{ name: 'a', run: runOf(points) }])
    expect(d.x[1]).toBeLessThan(2)
    expect(d.y[0]).toBeGreaterThan(-1)
  })
})
