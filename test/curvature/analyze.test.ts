import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { type PointAnalysis, analyze, analyzePoint, predictAlongGradient, unsafeAnalyze, unsafeAnalyzePoint } from '../../src/curvature/analyze.js'
import { type Sym, sub } from '../../src/graph/index.js'
import { tensor } from '../../src/tensor/Tensor.js'
import {
  type Classical,
  type Vec2,
  beale,
  booth,
  camelMinima,
  eig2,
  himmelblau,
  himmelblauPoints,
  kind2,
  matyas,
  monkeySaddle,
  refine,
  rosenbrock,
  saddle,
  sixHumpCamel
} from './classical.js'

/** analyzePoint on the hand-derived value, gradient and Hessian. */
const analyzeAt = (fn: Classical, [x, y]: Vec2, options = {}): PointAnalysis =>
  unsafeAnalyzePoint({ value: fn.f(x, y), gradient: fn.gradient(x, y), hessian: fn.hessian(x, y) }, options)

const relative = (got: number, expected: number): number => Math.abs(got - expected) / Math.abs(expected)

describe('analyzePoint: the classical table (hand-derived Hessians)', () => {
  it('Rosenbrock at (1, 1): H = [[802, −400], [−400, 200]], λ = 501 ∓ √250601 = 0.39936…, 1001.60…, condition ≈ 2508', () => {
    const a = analyzeAt(rosenbrock, [1, 1])
    expect(a.hessian).toEqual([
      [802, -400],
      [-400, 200]
    ])
    // trace 1002, det 802·200 − 400² = 400, so λ = 501 ∓ √(501² − 400).
    const small = 501 - Math.sqrt(250601)
    const large = 501 + Math.sqrt(250601)
    expect(relative(a.eigenvalues[0], small)).toBeLessThan(1e-12)
    expect(relative(a.eigenvalues[1], large)).toBeLessThan(1e-14)
    expect(a.eigenvalues[0]).toBeCloseTo(0.39936, 5)
    expect(a.eigenvalues[1]).toBeCloseTo(1001.6006, 4)
    expect(relative(a.conditionNumber ?? NaN, large / small)).toBeLessThan(1e-12)
    expect(Math.round(a.conditionNumber ?? 0)).toBe(2508)
    expect(a.kind).toBe('minimum')
    expect(a.gradientCurvature).toBeNull()
    expect(a.optimalStep).toBeNull()
  })

  it('Beale at (3, 0.5) is a minimum with H = 2JᵀJ = [[3.15625, −11.4375], [−11.4375, 46.125]]', () => {
    // At a zero-residual minimum H = 2JᵀJ; the rows of J are ∇rᵢ = (yⁱ − 1, i·x·yⁱ⁻¹) = (−0.5, 3), (−0.75, 3), (−0.875, 2.25).
    const a = analyzeAt(beale, [3, 0.5])
    expect(a.value).toBe(0)
    expect(a.gradientNorm).toBe(0)
    const h: [[number, number], [number, number]] = [
      [2 * (0.25 + 0.5625 + 0.765625), 2 * (-1.5 - 2.25 - 1.96875)],
      [2 * (-1.5 - 2.25 - 1.96875), 2 * (9 + 9 + 5.0625)]
    ]
    expect(a.hessian).toEqual(h)
    const [l1, l2] = eig2(h)
    expect(relative(a.eigenvalues[0], l1)).toBeLessThan(1e-12)
    expect(relative(a.eigenvalues[1], l2)).toBeLessThan(1e-14)
    expect(a.kind).toBe('minimum')
  })

  it('Beale at (0, 1) is a saddle with λ = ±27.75', () => {
    // x = 0: ∇rᵢ = (1 − 1, 0) = 0, so ∇f = 0 and H = 2Σ rᵢ∇²rᵢ = 2(1.5·1 + 2.25·2 + 2.625·3)·[[0, 1], [1, 0]] = 27.75·[[0, 1], [1, 0]].
    const a = analyzeAt(beale, [0, 1])
    expect(a.gradientNorm).toBe(0)
    expect(a.eigenvalues[0]).toBeCloseTo(-27.75, 13)
    expect(a.eigenvalues[1]).toBeCloseTo(27.75, 13)
    expect(a.kind).toBe('saddle')
    expect(a.conditionNumber).toBeCloseTo(1, 14)
    // Eigenvectors (1, ∓1)/√2 with the first component positive.
    expect(a.eigenvectors[0][0]).toBeCloseTo(Math.SQRT1_2, 15)
    expect(a.eigenvectors[0][1]).toBeCloseTo(-Math.SQRT1_2, 15)
    expect(a.eigenvectors[1][1]).toBeCloseTo(Math.SQRT1_2, 15)
  })

  it("Himmelblau's nine critical points: 4 minima, 1 maximum, 4 saddles, with closed-form eigenvalues", () => {
    const counts = { minimum: 0, maximum: 0, saddle: 0 } as Record<string, number>
    for (const point of himmelblauPoints) {
      const at = refine(himmelblau, point.at)
      // The published 6-decimal coordinates are within 1e-6 of the exact critical points.
      expect(Math.hypot(at[0] - point.at[0], at[1] - point.at[1])).toBeLessThan(1e-6)
      const h = himmelblau.hessian(at[0], at[1])
      expect(kind2(h)).toBe(point.kind)
      const a = analyzeAt(himmelblau, at, { gradTol: 1e-9 })
      expect(a.kind).toBe(point.kind)
      const [l1, l2] = eig2(h)
      expect(Math.abs(a.eigenvalues[0] - l1)).toBeLessThan(1e-12 * Math.abs(l2))
      expect(Math.abs(a.eigenvalues[1] - l2)).toBeLessThan(1e-12 * Math.abs(l2))
      counts[a.kind]++
    }
    expect(counts).toEqual({ minimum: 4, maximum: 1, saddle: 4 })
    // Morse: a coercive function on the plane has #min − #saddle + #max = 1.
    expect(counts.minimum - counts.saddle + counts.maximum).toBe(1)
    // The exact minimum (3, 2): H = [[74, 20], [20, 34]], λ = 54 ∓ 20√2.
    const exact = analyzeAt(himmelblau, [3, 2])
    expect(exact.hessian).toEqual([
      [74, 20],
      [20, 34]
    ])
    expect(exact.eigenvalues[0]).toBeCloseTo(54 - 20 * Math.SQRT2, 12)
    expect(exact.eigenvalues[1]).toBeCloseTo(54 + 20 * Math.SQRT2, 12)
    // The maximum's value as published.
    const max = refine(himmelblau, [-0.270845, -0.923039])
    expect(himmelblau.f(max[0], max[1])).toBeCloseTo(181.617, 3)
  })

  it('Booth at (1, 3): H = [[10, 8], [8, 10]], λ = 2, 18', () => {
    const a = analyzeAt(booth, [1, 3])
    expect(a.value).toBe(0)
    expect(a.eigenvalues[0]).toBeCloseTo(2, 13)
    expect(a.eigenvalues[1]).toBeCloseTo(18, 13)
    expect(a.conditionNumber).toBeCloseTo(9, 12)
    expect(a.kind).toBe('minimum')
  })

  it('Matyas at (0, 0): H = [[0.52, −0.48], [−0.48, 0.52]], λ = 0.04, 1', () => {
    const a = analyzeAt(matyas, [0, 0])
    expect(a.eigenvalues[0]).toBeCloseTo(0.04, 14)
    expect(a.eigenvalues[1]).toBeCloseTo(1, 14)
    expect(a.conditionNumber).toBeCloseTo(25, 11)
    expect(a.kind).toBe('minimum')
  })

  it("six-hump camel: the six tabulated minima, the origin saddle (λ = ±√65), and all 15 critical points by Morse's count", () => {
    for (const m of camelMinima) {
      const at = refine(sixHumpCamel, m)
      expect(Math.hypot(at[0] - m[0], at[1] - m[1])).toBeLessThan(1e-4)
      expect(analyzeAt(sixHumpCamel, at, { gradTol: 1e-9 }).kind).toBe('minimum')
    }
    expect(sixHumpCamel.f(...refine(sixHumpCamel, camelMinima[0]))).toBeCloseTo(-1.0316, 4)
    // Origin: ∇f = 0, H = [[8, 1], [1, −8]], λ = ±√65.
    const origin = analyzeAt(sixHumpCamel, [0, 0])
    expect(origin.kind).toBe('saddle')
    expect(origin.eigenvalues[0]).toBeCloseTo(-Math.sqrt(65), 13)
    expect(origin.eigenvalues[1]).toBeCloseTo(Math.sqrt(65), 13)
    // Every critical point Newton finds from a grid over [−2.5, 2.5]×[−1.5, 1.5], classified both ways.
    const found: Vec2[] = []
    for (let i = 0; i <= 40; i++) {
      for (let j = 0; j <= 30; j++) {
        const p = refine(sixHumpCamel, [-2.5 + i / 8, -1.5 + j / 10], 60)
        const g = sixHumpCamel.gradient(...p)
        if (!(Math.hypot(...g) < 1e-10) || found.some((q) => Math.hypot(q[0] - p[0], q[1] - p[1]) < 1e-6)) continue
        found.push(p)
      }
    }
    const counts = { minimum: 0, maximum: 0, saddle: 0 } as Record<string, number>
    for (const p of found) {
      const a = analyzeAt(sixHumpCamel, p, { gradTol: 1e-9 })
      expect(a.kind).toBe(kind2(sixHumpCamel.hessian(...p)))
      counts[a.kind]++
    }
    expect(counts.minimum).toBe(6)
    expect(counts.minimum - counts.saddle + counts.maximum).toBe(1)
    expect(found.length).toBe(15)
  })

  it('x² − y² at the origin: a saddle with λ = −2, 2', () => {
    const a = analyzeAt(saddle, [0, 0])
    expect(a.eigenvalues).toEqual([-2, 2])
    expect(a.eigenvectors).toEqual([
      [0, 1],
      [1, 0]
    ])
    expect(a.kind).toBe('saddle')
    expect(a.conditionNumber).toBe(1)
  })

  it('the monkey saddle x³ − 3xy² at the origin: H = 0, degenerate, no condition number, no Newton step', () => {
    const a = analyzeAt(monkeySaddle, [0, 0])
    expect(a.eigenvalues).toEqual([0, 0])
    expect(a.kind).toBe('degenerate')
    expect(a.conditionNumber).toBeNull()
    expect(a.newtonStep).toBeNull()
    expect(a.saddleFreeStep).toBeNull()
  })
})

describe('analyzePoint: kinds and tolerances', () => {
  const at = (hessian: number[][], gradient = hessian.map(() => 0), options = {}): PointAnalysis =>
    unsafeAnalyzePoint({ value: 0, gradient, hessian }, options)

  it('a zero eigenvalue next to only positive ones is degenerate (x² + y⁴ at the origin); with both signs it is a saddle', () => {
    expect(at([[2, 0], [0, 0]]).kind).toBe('degenerate')
    expect(at([[-2, 0], [0, 0]]).kind).toBe('degenerate')
    // Some direction goes up and another down: a saddle whatever the flat direction does.
    expect(at([[2, 0, 0], [0, -1, 0], [0, 0, 0]]).kind).toBe('saddle')
  })

  it('zeroTol is relative to ‖H‖: λ = 1e-9 beside 1 is zero at the default 1e-8, positive at 1e-10', () => {
    expect(at([[1, 0], [0, 1e-9]]).kind).toBe('degenerate')
    expect(at([[1, 0], [0, 1e-9]]).conditionNumber).toBeNull()
    const strict = at([[1, 0], [0, 1e-9]], [0, 0], { zeroTol: 1e-10 })
    expect(strict.kind).toBe('minimum')
    expect(strict.conditionNumber).toBeCloseTo(1e9, 3)
    // The same ratio at a tiny scale: still relative.
    expect(at([[1e-20, 0], [0, 1e-29]]).kind).toBe('degenerate')
    expect(at([[1e-20, 0], [0, 2e-21]]).kind).toBe('minimum')
  })

  it('gradTol decides not-critical on ‖g‖₂', () => {
    expect(at([[1, 0], [0, 1]], [3e-7, 4e-7]).kind).toBe('minimum') // ‖g‖ = 5e-7 ≤ 1e-6
    expect(at([[1, 0], [0, 1]], [6e-7, 9e-7]).kind).toBe('not-critical') // ‖g‖ ≈ 1.08e-6 > 1e-6
    expect(at([[1, 0], [0, 1]], [3e-6, 4e-6]).kind).toBe('not-critical')
    expect(at([[1, 0], [0, 1]], [3e-6, 4e-6], { gradTol: 1e-5 }).kind).toBe('minimum')
  })

  it('a negative definite Hessian is a maximum; a 1-variable point works', () => {
    expect(at([[-3, 1], [1, -2]]).kind).toBe('maximum')
    const one = at([[4]], [0])
    expect(one.kind).toBe('minimum')
    expect(one.conditionNumber).toBe(1)
  })

  it('accepts the Hessian as a tensor of shape [n, n] and the gradient as a tensor', () => {
    const a = unsafeAnalyzePoint({ value: 1, gradient: tensor([0, 0]), hessian: tensor([[802, -400], [-400, 200]]) })
    expect(a.kind).toBe('minimum')
  })
})

describe('analyzePoint: curvature along the gradient', () => {
  // f(x) = ½xᵀAx with A = [[3, 1], [1, 2]] (positive definite): ∇f = Ax, and the quadratic model is exact.
  const A = [
    [3, 1],
    [1, 2]
  ]
  const quadratic = (x: number, y: number): number => 0.5 * (3 * x * x + 2 * x * y + 2 * y * y)

  it('positive curvature: gᵀHg/‖g‖², the exact model, and ε* = ‖g‖²/gᵀHg minimising f along −g', () => {
    const [x, y] = [1, -2]
    const g: Vec2 = [3 * x + y, x + 2 * y] // (1, −3)
    const a = unsafeAnalyzePoint({ value: quadratic(x, y), gradient: g, hessian: A })
    // gᵀAg = 3·1 + 2·1·(−3) + 2·9 = 15, ‖g‖² = 10.
    expect(a.gradientHessianGradient).toBe(15)
    expect(a.gradientCurvature).toBe(1.5)
    expect(a.curvatureCase).toBe('positive-curvature')
    expect(a.kind).toBe('not-critical')
    expect(a.optimalStep).toBeCloseTo(10 / 15, 15)
    expect(a.predictedDecrease).toBeCloseTo(100 / 30, 14)
    for (const eps of [0, 0.1, 0.5, 2 / 3, 1.3]) {
      expect(predictAlongGradient(a, eps)).toBeCloseTo(quadratic(x - eps * g[0], y - eps * g[1]), 13)
    }
    const best = a.optimalStep ?? NaN
    const along = (eps: number): number => quadratic(x - eps * g[0], y - eps * g[1])
    expect(along(best)).toBeLessThan(along(best - 1e-3))
    expect(along(best)).toBeLessThan(along(best + 1e-3))
    expect(quadratic(x, y) - along(best)).toBeCloseTo(a.predictedDecrease ?? NaN, 13)
  })

  it('negative curvature: x² − y² at (0, 1), g = (0, −2), gᵀHg/‖g‖² = −2, no optimal step; the model falls faster than the gradient predicts', () => {
    const a = analyzeAt(saddle, [0, 1])
    expect(a.gradientCurvature).toBe(-2)
    expect(a.curvatureCase).toBe('negative-curvature')
    expect(a.optimalStep).toBeNull()
    expect(a.predictedDecrease).toBeNull()
    // f(x − εg) = −(1 + 2ε)² = −1 − 4ε − 4ε², below the first-order −1 − 4ε.
    expect(predictAlongGradient(a, 0.5)).toBe(-4)
    expect(saddle.f(0, 1 + 2 * 0.5)).toBe(-4)
  })

  it('no curvature: f = x + y² at the origin, g = (1, 0), gᵀHg = 0', () => {
    const a = unsafeAnalyzePoint({ value: 0, gradient: [1, 0], hessian: [[0, 0], [0, 2]] })
    expect(a.gradientCurvature).toBe(0)
    expect(a.curvatureCase).toBe('no-curvature')
    expect(a.optimalStep).toBeNull()
    expect(predictAlongGradient(a, 3)).toBe(-3)
  })

  it('Rosenbrock at (−1.2, 1): the curvature along the gradient from the hand-derived H', () => {
    const [x, y] = [-1.2, 1]
    const g = rosenbrock.gradient(x, y)
    const h = rosenbrock.hessian(x, y)
    const gHg = h[0][0] * g[0] * g[0] + 2 * h[0][1] * g[0] * g[1] + h[1][1] * g[1] * g[1]
    const gg = g[0] ** 2 + g[1] ** 2
    const a = analyzeAt(rosenbrock, [x, y])
    expect(relative(a.gradientCurvature ?? NaN, gHg / gg)).toBeLessThan(1e-14)
    expect(relative(a.optimalStep ?? NaN, gg / gHg)).toBeLessThan(1e-14)
    expect(a.kind).toBe('not-critical')
  })
})

describe('analyzePoint errors', () => {
  it('names the bad part of the input', () => {
    const bad = (point: Parameters<typeof analyzePoint>[0], options = {}): string => {
      const r = analyzePoint(point, options)
      return E.isLeft(r) ? `${r.left.code}: ${r.left.message}` : 'accepted'
    }
    expect(bad({ value: 0, gradient: [0, 0], hessian: [[1, 0]] })).toMatch(/bad-dimension: analyzePoint: a gradient of 2 entries needs 2 Hessian rows, got 1/)
    expect(bad({ value: 0, gradient: [0, 0], hessian: [[1, 0], [0]] })).toMatch(/Hessian row 1 has 1 entries, expected 2/)
    expect(bad({ value: 0, gradient: [0, NaN], hessian: [[1, 0], [0, 1]] })).toMatch(/not-finite: analyzePoint: gradient entry 1 is NaN/)
    expect(bad({ value: 0, gradient: [0, 0], hessian: [[1, Infinity], [0, 1]] })).toMatch(/Hessian entry \[0,1\] is Infinity/)
    expect(bad({ value: NaN, gradient: [0], hessian: [[1]] })).toMatch(/the value is NaN/)
    expect(bad({ value: 0, gradient: [0, 0], hessian: [[1, 2], [3, 1]] })).toMatch(/not-symmetric: analyzePoint: Hessian/)
    expect(bad({ value: 0, gradient: [0, 0], hessian: tensor([1, 2, 3]) })).toMatch(/shape \[3\]/)
    expect(bad({ value: 0, gradient: [0], hessian: [[1]] }, { gradTol: -1 })).toMatch(/bad-option: analyzePoint: option gradTol/)
  })
})

describe('analyze(f, x) through the autodiff graph', () => {
  // The same functions written with graph ops; the expected numbers come from the hand-derived forms.
  const xy = (f: (x: Sym, y: Sym) => Sym) => (v: Sym): Sym => f(v.at(0), v.at(1))
  const graphs: Record<string, (v: Sym) => Sym> = {
    Rosenbrock: xy((x, y) => sub(1, x).square().add(y.sub(x.square()).square().mul(100))),
    Beale: xy((x, y) =>
      sub(1.5, x).add(x.mul(y)).square()
        .add(sub(2.25, x).add(x.mul(y.square())).square())
        .add(sub(2.625, x).add(x.mul(y.pow(3))).square())
    ),
    Himmelblau: xy((x, y) => x.square().add(y).sub(11).square().add(x.add(y.square()).sub(7).square())),
    Booth: xy((x, y) => x.add(y.mul(2)).sub(7).square().add(x.mul(2).add(y).sub(5).square())),
    Matyas: xy((x, y) => x.square().add(y.square()).mul(0.26).sub(x.mul(y).mul(0.48))),
    'six-hump camel': xy((x, y) =>
      sub(4, x.square().mul(2.1)).add(x.pow(4).div(3)).mul(x.square()).add(x.mul(y)).add(y.square().mul(4).sub(4).mul(y.square()))
    ),
    'x² − y²': xy((x, y) => x.square().sub(y.square())),
    'monkey saddle x³ − 3xy²': xy((x, y) => x.pow(3).sub(x.mul(y.square()).mul(3)))
  }

  const cases: readonly (readonly [Classical, Vec2])[] = [
    [rosenbrock, [1, 1]],
    [rosenbrock, [-1.2, 1]],
    [beale, [3, 0.5]],
    [beale, [0, 1]],
    ...himmelblauPoints.map((p) => [himmelblau, refine(himmelblau, p.at)] as const),
    [booth, [1, 3]],
    [matyas, [0, 0]],
    ...camelMinima.map((m) => [sixHumpCamel, refine(sixHumpCamel, m)] as const),
    [sixHumpCamel, [0, 0]],
    [saddle, [0, 0]],
    [saddle, [0, 1]],
    [monkeySaddle, [0, 0]]
  ]

  it.each(cases.map(([fn, at]) => [fn.name, at, fn] as const))('%s at %j matches the hand-derived analysis', (_, at, fn) => {
    const expected = analyzeAt(fn, at, { gradTol: 1e-8 })
    const got = unsafeAnalyze(graphs[fn.name], at, { gradTol: 1e-8 })
    expect(got.kind).toBe(expected.kind)
    expect(got.value).toBeCloseTo(expected.value, 10)
    const scale = Math.max(1, ...expected.eigenvalues.map(Math.abs))
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(got.gradient[i] - expected.gradient[i])).toBeLessThan(1e-9 * scale)
      expect(Math.abs(got.eigenvalues[i] - expected.eigenvalues[i])).toBeLessThan(1e-12 * scale)
      for (let j = 0; j < 2; j++) expect(Math.abs(got.hessian[i][j] - expected.hessian[i][j])).toBeLessThan(1e-12 * scale)
    }
    if (expected.conditionNumber === null) expect(got.conditionNumber).toBeNull()
    else expect(got.conditionNumber).toBeCloseTo(expected.conditionNumber, 6)
    // At a critical point the gradient is rounding noise, so the curvature along it is only compared elsewhere.
    if (expected.gradientNorm > 1e-6) {
      expect(got.curvatureCase).toBe(expected.curvatureCase)
      expect(relative(got.gradientCurvature ?? NaN, expected.gradientCurvature ?? NaN)).toBeLessThan(1e-12)
    }
  })

  it('Rosenbrock at (1, 1) through the graph: λ = 0.3993607674876, 1001.6006392325, condition 2508.0', () => {
    const a = unsafeAnalyze(graphs.Rosenbrock, [1, 1])
    expect(relative(a.eigenvalues[0], 501 - Math.sqrt(250601))).toBeLessThan(1e-12)
    expect(relative(a.eigenvalues[1], 501 + Math.sqrt(250601))).toBeLessThan(1e-14)
    expect(a.conditionNumber).toBeCloseTo((501 + Math.sqrt(250601)) / (501 - Math.sqrt(250601)), 8)
  })

  it('works on a 3-variable function given as a tensor point, and reports graph errors as Left', () => {
    // f = x₀² + 2x₁² − 3x₂² + x₀x₁: H = [[2, 1, 0], [1, 4, 0], [0, 0, −6]], a saddle at the origin.
    const f = (v: Sym): Sym => v.at(0).square().add(v.at(1).square().mul(2)).sub(v.at(2).square().mul(3)).add(v.at(0).mul(v.at(1)))
    const a = unsafeAnalyze(f, tensor([0, 0, 0]))
    expect(a.kind).toBe('saddle')
    // Eigenvalues of [[2, 1], [1, 4]]: 3 ∓ √2; and −6.
    expect(a.eigenvalues[0]).toBeCloseTo(-6, 13)
    expect(a.eigenvalues[1]).toBeCloseTo(3 - Math.SQRT2, 13)
    expect(a.eigenvalues[2]).toBeCloseTo(3 + Math.SQRT2, 13)
    const wrong = analyze((v: Sym) => v.at(5), [1, 2])
    expect(E.isLeft(wrong) && wrong.left.code).toBe('bad-function')
    expect(E.isLeft(analyze(f, [0, NaN, 0])) ).toBe(true)
  })
})

describe('analyze over a tree of parameters', () => {
  it('analyses all leaves together and says where each leaf sits', () => {
    // f = ½‖w‖² − ½b² + w₀·b: at the origin a saddle; leaves in sorted order b, w₀, w₁ give
    // the Hessian [[−1,1,0],[1,1,0],[0,0,1]] with eigenvalues −√2, 1, √2.
    const f = (p: { w: Sym; b: Sym }): Sym => p.w.square().sum().mul(0.5).sub(p.b.square().mul(0.5)).add(p.w.at(0).mul(p.b))
    const r = unsafeAnalyze(f, { w: tensor([0, 0]), b: tensor(0) })
    expect(r.kind).toBe('saddle')
    expect(r.hessian).toEqual([[-1, 1, 0], [1, 1, 0], [0, 0, 1]])
    expect(r.eigenvalues[0]).toBeCloseTo(-Math.SQRT2, 12)
    expect(r.eigenvalues[1]).toBeCloseTo(1, 12)
    expect(r.eigenvalues[2]).toBeCloseTo(Math.SQRT2, 12)
    expect(r.layout).toEqual([{ path: 'b', shape: [], offset: 0 }, { path: 'w', shape: [2], offset: 1 }])
  })
  it('names the leaf of a non-finite coordinate', () => {
    const f = (p: { w: Sym }): Sym => p.w.square().sum()
    const r = analyze(f, { w: tensor([1, NaN]) })
    expect(E.isLeft(r) && r.left.message).toBe('analyze: parameter w has a non-finite entry NaN (flat index 1)')
  })
})
