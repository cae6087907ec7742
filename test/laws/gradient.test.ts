import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { lawExpectations } from './expect.js'
import {
  type ProgramDifferentiator,
  type ScalarFunction,
  defaultDifferenceApprox,
  smoothBetweenStencilPoints,
  type Transforms,
  centralDifference,
  checkGradientLaws,
  gradientLaws,
  libraryProgramDifferentiator,
  libraryTransforms,
  programLaws,
  referenceProgramDifferentiator
} from '../../laws/gradient.js'
import { type Program, type UnaryTable, dualBinaryRules, evaluateProgram, opsOf, programCaseArb, referenceGradient, showProgram, sizeOfProgram, unaryNames, unaryRules } from '../../laws/program.js'
import { type Sym, abs, add, grad, mul, relu, square, sub, sum } from '../../src/graph/index.js'
import { checkCurvatureLaws } from '../../laws/curvature.js'
import { uniformDouble } from '../../laws/arbitraries.js'
import { fromArray } from '../../src/tensor/Tensor.js'

const params = { numRuns: 60, seed: 424242 }

const { expectAllHold, expectFails } = lawExpectations(params)

/** sin differentiated as if its derivative were −cos: one wrong rule. */
const wrongSin: UnaryTable = { ...unaryRules, sin: { ...unaryRules.sin, derivative: (a) => -Math.cos(a) } }
/** mul's forward rule forgets one term of the product rule. */
const wrongMul = { ...dualBinaryRules, mul: (a: { v: number; t: number }, b: { v: number; t: number }) => ({ v: a.v * b.v, t: a.t * b.v }) }

describe('programs', () => {
  it('the evaluator and the dual-number reference give hand-checked numbers', () => {
    // f(x) = sum(sin(x) * x[0]) at x = [0.5, -1]: (sin 0.5 + sin(−1))·0.5
    const p: Program = { op: 'binary', fn: 'mul', left: { op: 'unary', fn: 'sin', arg: { op: 'x' } }, right: { op: 'xi', index: 0 } }
    expect(showProgram(p)).toBe('(sin(x) * x[0])')
    expect(evaluateProgram(p, [0.5, -1])).toBeCloseTo((Math.sin(0.5) + Math.sin(-1)) * 0.5, 15)
    // ∂/∂x0 = cos(0.5)·0.5 + (sin 0.5 + sin(−1)); ∂/∂x1 = cos(−1)·0.5
    const g = referenceGradient(p, [0.5, -1])
    expect(g[0]).toBeCloseTo(Math.cos(0.5) * 0.5 + Math.sin(0.5) + Math.sin(-1), 15)
    expect(g[1]).toBeCloseTo(Math.cos(-1) * 0.5, 15)
  })

  it('central differences are O(h⁴) accurate on exp', () => {
    const x = fromArray([1], [0.3])
    const t = fromArray([1], [1])
    expect(Math.abs(centralDifference((z) => Math.exp(z.data[0]), x, t) - Math.exp(0.3))).toBeLessThan(1e-12)
  })

  it('generated programs stay finite and bounded on [−1, 1]ⁿ', () => {
    fc.assert(
      fc.property(programCaseArb(), (c) => {
        const v = evaluateProgram(c.program, c.x)
        return Number.isFinite(v) && Math.abs(v) < 1e6
      }),
      { numRuns: 300, seed: 7 }
    )
  })
})

describe('program generator', () => {
  it('programs are not tiny (median ≥ 10 nodes) and every op of the table is in at least a quarter of them', () => {
    const cases = fc.sample(programCaseArb(), { numRuns: 1000, seed: 11 })
    const sizes = cases.map((c) => sizeOfProgram(c.program)).sort((a, b) => a - b)
    expect(sizes[500]).toBeGreaterThanOrEqual(10)
    for (const op of unaryNames) expect(cases.filter((c) => opsOf(c.program).has(op)).length, op).toBeGreaterThan(250)
    const shown = cases.map((c) => showProgram(c.program))
    for (const token of ['sum(', 'mean(', 'logsumexp(', ' + ', ' - ', ' * ']) expect(shown.filter((t) => t.includes(token)).length, token).toBeGreaterThan(250)
  })
})

describe('program laws', () => {
  it('hold for the dual-number reference differentiator', () => {
    expectAllHold(programLaws(referenceProgramDifferentiator()))
  })

  it("hold for the library's grad", () => {
    expectAllHold(programLaws(libraryProgramDifferentiator()))
  })

  it('central differences reject a differentiator with a wrong rule for sin', () => {
    const message = expectFails(programLaws(referenceProgramDifferentiator(wrongSin), { values: false }), 'central differences')
    expect(message).toMatch(/sin/)
  })

  it('the chain rule rejects a wrong rule for sin', () => {
    expectFails(programLaws(referenceProgramDifferentiator(wrongSin)), 'chain rule')
  })

  it('the product rule rejects a mul rule that forgets a term', () => {
    expectFails(programLaws(referenceProgramDifferentiator(unaryRules, wrongMul)), 'product rule')
  })

  it('linearity rejects a grad that adds a constant offset', () => {
    const offset: ProgramDifferentiator = (p) => {
      const d = referenceProgramDifferentiator()(p)
      return { ...d, gradient: (x) => fromArray(x.shape, Array.from(d.gradient(x).data, (g) => g + 0.01)) }
    }
    expectFails(programLaws(offset), 'linear')
  })

  it("values: reject a differentiator whose forward rule for cos is wrong", () => {
    const wrongCos: UnaryTable = { ...unaryRules, cos: { ...unaryRules.cos, value: (a) => Math.cos(a) + 1e-3 } }
    expectFails(programLaws(referenceProgramDifferentiator(wrongCos)), 'plain-number')
  })

  it("reject the library's grad wrapped to scale the first coordinate by 1.001", () => {
    const perturbed: Transforms = {
      ...libraryTransforms,
      grad: (f) => {
        const g = grad(f)
        return (x) => fromArray(x.shape, Array.from(g(x).data, (v, i) => (i === 0 ? v * 1.001 : v)))
      }
    }
    expectFails(programLaws(libraryProgramDifferentiator(perturbed), { values: false }), 'central differences')
  })
})

describe('gradientLaws on a user function', () => {
  it('hold for f(x) = Σ sin(xᵢ)·xᵢ + log(1 + ‖x‖²)', () => {
    expectAllHold(gradientLaws((x) => x.sin().mul(x).sum().add(x.square().sum().add(1).log()), { shape: [4] }))
  })

  it('the runner throws on a wrong gradient, naming the law and the seed', () => {
    // Forgets that d(x²)/dx = 2x and returns x.
    const wrong: Transforms = { ...libraryTransforms, grad: (f) => (x) => fromArray(x.shape, Array.from(grad(f)(x).data, (g) => g / 2)) }
    expect(() => checkGradientLaws((x) => x.square().sum(), { transforms: wrong, fc: params })).toThrow(/law "gradient › ⟨t, ∇f\(x\)⟩ agrees with central differences[\s\S]*seed: 424242/)
  })
})

describe('gradient laws at kinks', () => {
  // Huber with δ = 1 from public ops: ½·min(|x|, δ)² + δ·relu(|x| − δ), min(|x|, δ) = |x| − relu(|x| − δ).
  const huber = (x: Sym): Sym => {
    const excess = relu(sub(abs(x), 1))
    return sum(add(mul(0.5, square(sub(abs(x), excess))), excess))
  }
  const kinked: readonly (readonly [string, ScalarFunction])[] = [
    ['x|x|', (x) => sum(mul(x, abs(x)))],
    ['Huber', huber],
    ['relu', (x) => sum(mul(relu(x), x.sin().add(2)))],
    ['abs', (x) => sum(abs(x))]
  ]
  const seeds = [1, 2, 3, 4, 5]

  it.each(kinked)('the correct gradient and curvature of %s pass at default settings under 5 seeds', (_, f) => {
    for (const seed of seeds) {
      checkGradientLaws(f, { shape: [4], fc: { seed } })
      checkCurvatureLaws(f, { shape: [4], fc: { seed, numRuns: 50 } })
    }
  })

  it.each(kinked)('%s passes also at points each within 2e-3 of a kink (0 or ±1), so most stencils straddle one', (_, f) => {
    const coordinate = fc.tuple(fc.constantFrom(0, 1, -1), fc.noBias(uniformDouble(-2e-3, 2e-3))).map(([kink, offset]) => kink + offset)
    const at = fc.array(coordinate, { minLength: 4, maxLength: 4 }).map((v) => fromArray([4], v))
    checkGradientLaws(f, { at, fc: { seed: 7, numRuns: 200 } })
    checkCurvatureLaws(f, { at, fc: { seed: 7, numRuns: 100 } })
  })

  const handWritten = (value: (x: number[]) => number, gradient: (x: number[]) => number[]): Transforms => ({
    ...libraryTransforms,
    value: () => (x) => value(Array.from(x.data)),
    grad: () => (x) => fromArray(x.shape, gradient(Array.from(x.data)))
  })
  const huberValue = (x: number[]) => x.reduce((s, v) => s + (Math.abs(v) <= 1 ? 0.5 * v * v : Math.abs(v) - 0.5), 0)

  it.each([
    ['a Huber gradient that forgets to clip (x instead of clamp(x, −1, 1))', handWritten(huberValue, (x) => x)],
    ['an abs gradient that forgets the sign (1 everywhere)', handWritten((x) => x.reduce((s, v) => s + Math.abs(v), 0), (x) => x.map(() => 1))],
    ['an x|x| gradient of |x| instead of 2|x|', handWritten((x) => x.reduce((s, v) => s + v * Math.abs(v), 0), (x) => x.map(Math.abs))],
    ['a relu gradient of the wrong side (x < 0)', handWritten((x) => x.reduce((s, v) => s + Math.max(v, 0), 0), (x) => x.map((v) => (v < 0 ? 1 : 0)))]
  ] as [string, Transforms][])('rejects %s', (_, transforms) => {
    expectFails(gradientLaws((x) => sum(x), { transforms, shape: [4] }), 'central differences')
  })

  it('smoothBetweenStencilPoints sees a kink inside the stencil and none outside', () => {
    const relu1 = (s: number) => [Math.max(0.3e-3 + s, 0)]
    const diff = (f: (s: number) => number[]) => (h: number) => [(4 * ((f(h / 2)[0] - f(-h / 2)[0]) / h) - (f(h)[0] - f(-h)[0]) / (2 * h)) / 3]
    expect(smoothBetweenStencilPoints(diff(relu1), 1e-3, defaultDifferenceApprox, 1)).toBe(false)
    expect(smoothBetweenStencilPoints(diff((s) => [Math.max(0.3 + s, 0)]), 1e-3, defaultDifferenceApprox, 1)).toBe(true)
  })
})
