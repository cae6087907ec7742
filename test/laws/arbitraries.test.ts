import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  directionArb,
  independentParamsAndGradsArb,
  orthogonalArb,
  paramsAndGradsArb,
  quadraticArb,
  symmetricMatrixArb,
  tensorTreeArb,
  treeLike,
  treeLikeAwayFromZero,
  uniformDouble
} from '../../laws/arbitraries.js'
import { dot, valuesOf } from '../../laws/internal.js'
import { flattenTensors, signatureOf } from '../../src/tensor/Tree.js'

const runs = { numRuns: 100, seed: 3 }

describe('uniformDouble', () => {
  it('stays in bounds and is spread out (not mostly tiny like fc.double)', () => {
    const xs = fc.sample(uniformDouble(-10, 10), { numRuns: 1000, seed: 1 })
    expect(xs.every((x) => x >= -10 && x <= 10)).toBe(true)
    // A uniform draw on [−10, 10] has |x| > 1 with probability 0.9; fast-check's bias towards
    // small integers pulls some draws towards 0 (useful edge cases) but most stay spread out,
    // unlike fc.double, which draws bit patterns and so mostly tiny magnitudes.
    expect(xs.filter((x) => Math.abs(x) > 1).length).toBeGreaterThan(700)
    const doubles = fc.sample(fc.double({ min: -10, max: 10, noNaN: true }), { numRuns: 1000, seed: 1 })
    expect(doubles.filter((x) => Math.abs(x) > 1).length).toBeLessThan(300)
  })
})

describe('tensorTreeArb', () => {
  it('produces zero-size, scalar, single-element leaves and nested records and arrays', () => {
    const trees = fc.sample(tensorTreeArb(), { numRuns: 300, seed: 2 })
    const leaves = trees.flatMap((t) => flattenTensors(t).leaves)
    expect(leaves.some((l) => l.size === 0)).toBe(true)
    expect(leaves.some((l) => l.shape.length === 0)).toBe(true)
    expect(leaves.some((l) => l.shape.length === 1 && l.shape[0] === 1)).toBe(true)
    expect(trees.some((t) => !Array.isArray(t) && typeof t === 'object' && flattenTensors(t).paths.some((p) => p.includes('.')))).toBe(true)
    expect(leaves.every((l) => Array.from(l.data).every((x) => Number.isFinite(x) && Math.abs(x) <= 10))).toBe(true)
  })

  it('treeLike and paramsAndGradsArb give gradients with the signature of the parameters', () => {
    fc.assert(
      fc.property(paramsAndGradsArb(), ({ params, grads }) =>
        grads.every((g) => signatureOf(flattenTensors(g)) === signatureOf(flattenTensors(params)))
      ),
      runs
    )
    fc.assert(
      fc.property(tensorTreeArb().chain((p) => fc.tuple(fc.constant(p), treeLike(p))), ([p, g]) => signatureOf(flattenTensors(p)) === signatureOf(flattenTensors(g))),
      runs
    )
  })

  it('treeLikeAwayFromZero keeps every element in [0.1, 10] in magnitude', () => {
    fc.assert(
      fc.property(tensorTreeArb().chain((p) => treeLikeAwayFromZero(p)), (g) => valuesOf(g).every((x) => Math.abs(x) >= 0.1 && Math.abs(x) <= 10)),
      runs
    )
  })
})

describe('independentParamsAndGradsArb', () => {
  const keyOrders = (tree: unknown): string[] =>
    tree === null || typeof tree !== 'object' || ArrayBuffer.isView(tree) || 'shape' in (tree as object)
      ? []
      : Array.isArray(tree)
        ? tree.flatMap(keyOrders)
        : [Object.keys(tree).join(','), ...Object.values(tree as object).flatMap(keyOrders)]

  it('mostly several non-empty leaves, repeated leaf names at different paths, shuffled and independent key orders', () => {
    const cases = fc.sample(independentParamsAndGradsArb({ minSteps: 2, maxSteps: 2 }), { numRuns: 500, seed: 5 })
    const share = (p: (d: (typeof cases)[number]) => boolean): number => cases.filter(p).length / cases.length
    const nonEmpty = (d: (typeof cases)[number]) => flattenTensors(d.params).leaves.filter((l) => l.size > 0).length
    const names = (d: (typeof cases)[number]) => flattenTensors(d.params).paths.map((p) => p.split(/[.[\]]/).filter((x) => x !== '').pop())
    expect(share((d) => nonEmpty(d) >= 2)).toBeGreaterThan(0.7)
    expect(share((d) => new Set(names(d)).size < names(d).length)).toBeGreaterThan(0.6)
    // Some record inserts its keys out of sorted order (what Object.values would see) ...
    expect(share((d) => keyOrders(d.grads[0]).some((k) => k !== k.split(',').sort().join(',')))).toBeGreaterThan(0.5)
    // ... and the two gradients and the parameters do not share one insertion order.
    expect(share((d) => keyOrders(d.grads[0]).join(';') !== keyOrders(d.grads[1]).join(';'))).toBeGreaterThan(0.5)
    for (const d of cases) for (const g of d.grads) expect(signatureOf(flattenTensors(g))).toBe(signatureOf(flattenTensors(d.params)))
  })
})

describe('directionArb and orthogonalArb', () => {
  it('directions have unit norm', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }).chain(directionArb), (v) => Math.abs(dot(v, v) - 1) < 1e-12), runs)
  })

  it('Householder products are orthogonal: QQᵀ = I', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }).chain(orthogonalArb), (q) =>
        q.every((row, i) => q.every((other, j) => Math.abs(dot(row, other) - (i === j ? 1 : 0)) < 1e-12))
      ),
      runs
    )
  })
})

describe('symmetricMatrixArb', () => {
  it('A·vᵢ = λᵢ·vᵢ for the reported spectrum, ascending, and A is exactly symmetric', () => {
    fc.assert(
      fc.property(symmetricMatrixArb(), (m) => {
        for (let i = 0; i < m.n; i++) for (let j = 0; j < m.n; j++) if (m.rows[i][j] !== m.rows[j][i]) return false
        return m.eigenvalues.every((lambda, k) => {
          const v = m.eigenvectors[k]
          const av = m.rows.map((r) => dot(r, v))
          return (k === 0 || lambda >= m.eigenvalues[k - 1]) && av.every((x, i) => Math.abs(x - lambda * v[i]) < 1e-10)
        })
      }),
      runs
    )
  })

  it.each([
    ['negative', { signs: 'negative', minGap: 0.2 }],
    ['positive', { signs: 'positive', minGap: 0.5, maxAbs: 0.3 }],
    ['any sign', { signs: 'any', minGap: 0.3 }],
    ['any sign with zeros', { signs: 'any', minGap: 0.3, allowZero: true }]
  ] as const)('minGap keeps signs and zeros: %s', (_, constraints) => {
    fc.assert(
      fc.property(symmetricMatrixArb({ maxDim: 8, minAbs: 0.01, ...constraints }), (m) => {
        const ls = m.eigenvalues
        if (constraints.signs === 'negative' && !ls.every((l) => l < 0)) return false
        if (constraints.signs === 'positive' && !ls.every((l) => l > 0)) return false
        for (let k = 1; k < ls.length; k++) {
          // zeros may repeat; every other pair of neighbours is a gap apart (rounding aside)
          if (!(ls[k] === 0 && ls[k - 1] === 0) && ls[k] - ls[k - 1] < constraints.minGap * (1 - 1e-12)) return false
        }
        return true
      }),
      runs
    )
  })

  it('minGap raises magnitudes away from zero without turning a sign (the case that used to flip)', () => {
    // two negative eigenvalues closer than the gap: pushing the larger one up would cross zero
    const m = fc.sample(symmetricMatrixArb({ minDim: 2, maxDim: 2, signs: 'negative', minAbs: 0.1, maxAbs: 0.15, minGap: 0.2 }), { numRuns: 20, seed: 9 })
    for (const s of m) {
      expect(s.eigenvalues.every((l) => l < 0)).toBe(true)
      expect(s.eigenvalues[1] - s.eigenvalues[0]).toBeGreaterThanOrEqual(0.2 * (1 - 1e-12))
    }
  })
})

describe('quadraticArb', () => {
  it('has L and μ = L/κ in its spectrum, ∇f(x*) = 0, and f(x) − f(x*) = ½(x − x*)ᵀA(x − x*)', () => {
    fc.assert(
      fc.property(quadraticArb(), (q) => {
        const top = q.eigenvalues[q.n - 1]
        const bottom = q.eigenvalues[0]
        const g = q.gradient(q.xStar)
        const d = q.start.map((x, i) => x - q.xStar[i])
        const excess = q.value(q.start) - q.value(q.xStar)
        const model = 0.5 * dot(d, q.rows.map((r) => dot(r, d)))
        return (
          Math.abs(top - q.L) < 1e-12 * q.L &&
          Math.abs(bottom - q.mu) < 1e-12 * q.L &&
          Math.abs(q.L / q.mu - q.kappa) < 1e-9 * q.kappa &&
          g.every((x) => Math.abs(x) < 1e-9) &&
          Math.abs(excess - model) < 1e-9 * (1 + Math.abs(q.value(q.xStar)))
        )
      }),
      runs
    )
  })
})
