/**
 * Laws of derivatives, generic over any traced function: the gradient agrees
 * with central differences along random directions, `grad` is linear, and
 * obeys the product and chain rules on random compositions of programs. The
 * thing under test is a `Differentiable` (value and gradient of one function)
 * or a `ProgramDifferentiator` (a Differentiable for any program), so a user
 * can point the laws at the library's transforms, at their own, or at a
 * deliberately broken one.
 */
import fc from 'fast-check'
import { grad, hessian, hvp, jit, mul, sum } from '../src/graph/index.js'
import type { Sym, SymLike } from '../src/graph/Sym.js'
import type { Shape } from '../src/tensor/Shape.js'
import { type Tensor, fromArray } from '../src/tensor/Tensor.js'
import { type ApproxEq, approxEq } from './approx.js'
import { directionArb, uniformDouble } from './arbitraries.js'
import { dot, norm } from './internal.js'
import { type Law, type LawParameters, type Verdict, allOf, assertLaws, expectVerdict, fails, holds, law } from './law.js'
import {
  type DualBinaryRules,
  type Program,
  type ProgramCase,
  type ProgramConstraints,
  type UnaryName,
  type UnaryTable,
  dualBinaryRules,
  evaluateProgram,
  programArb,
  programCaseArb,
  programToSym,
  referenceGradient,
  unaryNames,
  unaryRules
} from './program.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A scalar function of one tensor, written with graph ops. */
export type ScalarFunction = (x: Sym) => SymLike

/**
 * A function with its derivatives, as the laws see it. `hvp` and `hessian`
 * are optional: the second-order laws (see `curvature.ts`) need them.
 */
export interface Differentiable {
  /** f(x), a number. */
  readonly value: (x: Tensor) => number
  /** ∇f(x), with as many elements as x (the laws read it in x's element order). */
  readonly gradient: (x: Tensor) => Tensor
  /** The Hessian-vector product H(x)·v, v and the result of x's size; the curvature laws need it. */
  readonly hvp?: (x: Tensor, v: Tensor) => Tensor
  /** The dense Hessian at x: n² entries for n = x.size, row-major (Hᵢⱼ at i·n + j); the curvature laws need it. */
  readonly hessian?: (x: Tensor) => Tensor
}

/** A differentiator of programs: the thing under test in the composition laws. */
export type ProgramDifferentiator = (p: Program) => Differentiable

/** The function transforms under test, each taking a function written with graph ops. */
export interface Transforms {
  /** f ↦ (x ↦ f(x) as a number); the library's is `jit` followed by `item()`. */
  readonly value: (f: ScalarFunction) => (x: Tensor) => number
  /** f ↦ ∇f; the library's is `grad`. */
  readonly grad: (f: ScalarFunction) => (x: Tensor) => Tensor
  /** f ↦ ((x, v) ↦ H(x)·v); the library's is `hvp`. */
  readonly hvp: (f: ScalarFunction) => (x: Tensor, v: Tensor) => Tensor
  /** f ↦ (x ↦ the dense Hessian of f at x); the library's is `hessian`. */
  readonly hessian: (f: ScalarFunction) => (x: Tensor) => Tensor
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** The library's own transforms: `jit`, `grad`, `hvp`, `hessian` from `descent`. */
export const libraryTransforms: Transforms = {
  value: (f) => {
    const run = jit(f)
    return (x) => run(x).item()
  },
  grad: (f) => grad(f),
  hvp: (f) => hvp(f),
  hessian: (f) => hessian(f)
}

/** A function with the derivatives given by `transforms` (default the library's). */
export const differentiableOf = (f: ScalarFunction, transforms: Transforms = libraryTransforms): Differentiable => ({
  value: transforms.value(f),
  gradient: transforms.grad(f),
  hvp: transforms.hvp(f),
  hessian: transforms.hessian(f)
})

/** Programs differentiated by `transforms` (default the library's) through their graph form. */
export const libraryProgramDifferentiator =
  (transforms: Transforms = libraryTransforms): ProgramDifferentiator =>
  (p) =>
    differentiableOf(programToSym(p), transforms)

/**
 * Programs differentiated by forward-mode dual numbers with the given rule
 * tables: an independent reference, and with one wrong rule a broken one.
 */
export const referenceProgramDifferentiator =
  (table: UnaryTable = unaryRules, rules: DualBinaryRules = dualBinaryRules): ProgramDifferentiator =>
  (p) => ({
    value: (x) => evaluateProgram(p, Array.from(x.data), table),
    gradient: (x) => fromArray(x.shape, referenceGradient(p, Array.from(x.data), table, rules))
  })

// -------------------------------------------------------------------------------------
// utilities
// -------------------------------------------------------------------------------------

const along = (x: Tensor, h: number, t: Tensor): Tensor => fromArray(x.shape, Array.from(x.data, (xi, i) => xi + h * t.data[i]))

/**
 * The directional derivative of `value` at x along t by central differences
 * with one Richardson step: D(h) = (f(x+ht) − f(x−ht))/2h, then
 * (4·D(h/2) − D(h))/3, whose error is O(h⁴).
 */
export const centralDifference = (value: (x: Tensor) => number, x: Tensor, t: Tensor, h = 1e-3): number => {
  const d = (s: number): number => (value(along(x, s, t)) - value(along(x, -s, t))) / (2 * s)
  return (4 * d(h / 2) - d(h)) / 3
}

/** The same Richardson difference for a vector-valued function (a gradient): returns its values. */
export const centralDifferenceOfVector = (f: (x: Tensor) => Tensor, x: Tensor, t: Tensor, h = 1e-3): number[] => {
  const d = (s: number): number[] => {
    const a = f(along(x, s, t)).data
    const b = f(along(x, -s, t)).data
    return Array.from(a, (ai, i) => (ai - b[i]) / (2 * s))
  }
  const big = d(h)
  const small = d(h / 2)
  return small.map((s, i) => (4 * s - big[i]) / 3)
}

/**
 * Compare two numbers on the scale of the problem: `a/s ≈ b/s` with
 * `s = max(1, scale)`, so atol reads "relative to the size of the function".
 */
export const compareOnScale = (approx: ApproxEq, a: number, b: number, scale: number, what: string): Verdict => {
  const s = Math.max(1, Math.abs(scale))
  return approx.numbers(a / s, b / s) ? holds : fails(`${what}: ${a} vs ${b} (compared on scale ${s}, rtol ${approx.rtol}, atol ${approx.atol})`)
}

/** Compare two vectors element by element on the problem's scale (see `compareOnScale`). */
export const compareVectorsOnScale = (approx: ApproxEq, a: ArrayLike<number>, b: ArrayLike<number>, scale: number, what: string): Verdict => {
  if (a.length !== b.length) return fails(`${what}: lengths ${a.length} vs ${b.length}`)
  return allOf(Array.from({ length: a.length }, (_, i) => compareOnScale(approx, a[i], b[i], scale, `${what}, element ${i}`)))
}

// -------------------------------------------------------------------------------------
// predicates
// -------------------------------------------------------------------------------------

/**
 * Whether a difference quotient is trustworthy at x: the Richardson estimates
 * at h, h/2 and h/4 agree (on the problem's scale, within `approx`). Across a
 * kink of f or of its derivative between the stencil points (relu, |x|,
 * x|x|, Huber at its joins) they disagree, and no finite difference at this
 * h says anything about the derivative there.
 */
export const smoothBetweenStencilPoints = (estimate: (h: number) => ArrayLike<number>, h: number, approx: ApproxEq, scale: number): boolean => {
  // Three scales, not two: a kink at one particular distance can make two neighbouring
  // estimates agree by accident, never three.
  const [coarse, middle, fine] = [estimate(h), estimate(h / 2), estimate(h / 4)]
  const s = Math.max(1, Math.abs(scale))
  return Array.from(middle).every((m, i) => approx.numbers(coarse[i] / s, m / s) && approx.numbers(m / s, fine[i] / s))
}

/**
 * ⟨t, ∇f(x)⟩ ≈ (f(x+εt) − f(x−εt))/2ε (Richardson-extrapolated, at h/2),
 * compared on the scale max(1, |f(x)|, ‖∇f(x)‖). Where the estimates at h,
 * h/2 and h/4 disagree, a kink lies between the stencil points: the law holds
 * there vacuously (see `smoothBetweenStencilPoints`), so correct gradients of
 * relu, |x|, x|x| and Huber pass, and a wrong one fails at the smooth points.
 */
export const gradientMatchesCentralDifferences = (d: Differentiable, x: Tensor, t: Tensor, approx: ApproxEq, h = 1e-3): Verdict => {
  const g = d.gradient(x)
  if (g.size !== x.size) return fails(`the gradient has ${g.size} elements, x has ${x.size}`)
  const analytic = dot(Array.from(t.data), Array.from(g.data))
  const scale = Math.max(Math.abs(d.value(x)), norm(Array.from(g.data)))
  if (!smoothBetweenStencilPoints((s) => [centralDifference(d.value, x, t, s)], h, approx, scale)) return holds
  const numeric = centralDifference(d.value, x, t, h / 2)
  return compareOnScale(approx, analytic, numeric, scale, '⟨t, ∇f(x)⟩ vs central differences')
}

/** The value of a program from the differentiator agrees with the plain-number reference evaluator. */
export const valueMatchesReference = (differentiate: ProgramDifferentiator, p: Program, x: Tensor, approx: ApproxEq): Verdict => {
  const expected = evaluateProgram(p, Array.from(x.data))
  return compareOnScale(approx, differentiate(p).value(x), expected, expected, 'f(x) vs the plain-number evaluation')
}

const sumOf = (p: Program): Program => ({ op: 'reduce', fn: 'sum', arg: p })
const scaled = (c: number, p: Program): Program => ({ op: 'binary', fn: 'mul', left: { op: 'const', value: c }, right: sumOf(p) })

/** Linearity: ∇(a·f + b·g) = a·∇f + b·∇g. */
export const gradientIsLinear = (
  differentiate: ProgramDifferentiator,
  p: Program,
  q: Program,
  a: number,
  b: number,
  x: Tensor,
  approx: ApproxEq
): Verdict => {
  const combined = differentiate({ op: 'binary', fn: 'add', left: scaled(a, p), right: scaled(b, q) }).gradient(x).data
  const gp = differentiate(p).gradient(x).data
  const gq = differentiate(q).gradient(x).data
  const expected = Array.from(gp, (v, i) => a * v + b * gq[i])
  return compareVectorsOnScale(approx, combined, expected, norm(expected) + norm(Array.from(combined)), `∇(${a}·f + ${b}·g) vs ${a}·∇f + ${b}·∇g`)
}

/** Product rule: ∇(f·g) = f·∇g + g·∇f. */
export const productRule = (differentiate: ProgramDifferentiator, p: Program, q: Program, x: Tensor, approx: ApproxEq): Verdict => {
  const dp = differentiate(p)
  const dq = differentiate(q)
  const f = dp.value(x)
  const g = dq.value(x)
  const gp = dp.gradient(x).data
  const gq = dq.gradient(x).data
  const product = differentiate({ op: 'binary', fn: 'mul', left: sumOf(p), right: sumOf(q) }).gradient(x).data
  const expected = Array.from(gp, (v, i) => f * gq[i] + g * v)
  return compareVectorsOnScale(approx, product, expected, norm(expected) + norm(Array.from(product)), '∇(f·g) vs f·∇g + g·∇f')
}

/** Chain rule: ∇(h∘f) = h′(f)·∇f, for h from the op table (whose derivative the law knows). */
export const chainRule = (differentiate: ProgramDifferentiator, p: Program, h: UnaryName, x: Tensor, approx: ApproxEq): Verdict => {
  const dp = differentiate(p)
  const f = dp.value(x)
  const gp = dp.gradient(x).data
  const composed = differentiate({ op: 'unary', fn: h, arg: sumOf(p) }).gradient(x).data
  const slope = unaryRules[h].derivative(f)
  const expected = Array.from(gp, (v) => slope * v)
  return compareVectorsOnScale(approx, composed, expected, norm(expected) + norm(Array.from(composed)), `∇(${h}∘f) vs ${h}′(f)·∇f`)
}

// -------------------------------------------------------------------------------------
// runners
// -------------------------------------------------------------------------------------

/** Tolerances: derivatives against finite differences, and exact identities between derivatives. */
export interface DerivativeTolerances {
  /** Against central differences (default rtol 1e-6, atol 1e-7, on the problem's scale). */
  readonly differenceApprox?: ApproxEq
  /** Identities that hold up to rounding (default rtol 1e-8, atol 1e-10, on the problem's scale). */
  readonly approx?: ApproxEq
  /** Step h of the central differences (default 1e-3, Richardson-extrapolated). */
  readonly step?: number
}

/** Default tolerance against central differences: rtol 1e-6, atol 1e-7 on the problem's scale. */
export const defaultDifferenceApprox: ApproxEq = approxEq({ rtol: 1e-6, atol: 1e-7 })
/** Default tolerance of identities between derivatives: rtol 1e-8, atol 1e-10 on the problem's scale. */
export const defaultIdentityApprox: ApproxEq = approxEq({ rtol: 1e-8, atol: 1e-10 })

/** Options of `gradientLaws`. */
export interface GradientLawOptions extends DerivativeTolerances {
  /** Shape of x (default [3]), used when `at` is not given. */
  readonly shape?: Shape
  /** Points where the laws are checked (default `pointsArb(shape)`: uniform in [−3, 3], no bias towards 0 or ±1). */
  readonly at?: fc.Arbitrary<Tensor>
  /** The transforms under test (default the library's). */
  readonly transforms?: Transforms
  /** fast-check parameters (runs, seed, path) that `checkGradientLaws` passes on; `gradientLaws` does not read them. */
  readonly fc?: LawParameters
}

/**
 * Points of a shape, uniform in [min, max] (default [−3, 3]) without
 * fast-check's bias towards small values: exact 0 and ±1 — where relu, |x|
 * and Huber have their kinks — are no likelier than any other point.
 */
export const pointsArb = (shape: Shape, min = -3, max = 3): fc.Arbitrary<Tensor> => {
  const n = shape.reduce((a, b) => a * b, 1)
  return fc.noBias(fc.array(uniformDouble(min, max), { minLength: n, maxLength: n })).map((v) => fromArray(shape, v))
}

/** Points x and unit directions t of the same shape. */
export const pointAndDirection = (
  at: fc.Arbitrary<Tensor>
): fc.Arbitrary<{
  /** A point drawn from `at`. */
  readonly x: Tensor
  /** A unit direction of x's shape (empty when x has no elements). */
  readonly t: Tensor
}> =>
  at.chain((x) => directionArb(Math.max(1, x.size)).map((t) => ({ x, t: fromArray(x.shape, t.slice(0, x.size)) })))

/** The first-order laws of one function: its gradient agrees with central differences. */
export const gradientLaws = (f: ScalarFunction, options: GradientLawOptions = {}): readonly Law[] => {
  const d = differentiableOf(f, options.transforms)
  const at = options.at ?? pointsArb(options.shape ?? [3])
  const approx = options.differenceApprox ?? defaultDifferenceApprox
  return [
    law('gradient', '⟨t, ∇f(x)⟩ agrees with central differences along random directions', () =>
      fc.property(pointAndDirection(at), ({ x, t }) => expectVerdict(gradientMatchesCentralDifferences(d, x, t, approx, options.step)))
    )
  ]
}

/**
 * Check the gradient of `f` against central differences at random points and
 * directions; throws at the first failure with the counterexample and seed.
 *
 * @example checkGradientLaws((x) => x.sin().mul(x).sum(), { shape: [4], fc: { numRuns: 50, seed: 1 } })
 */
export const checkGradientLaws = (f: ScalarFunction, options: GradientLawOptions = {}): void => assertLaws(gradientLaws(f, options), options.fc)

/** Options of `programLaws`. */
export interface ProgramLawOptions extends DerivativeTolerances {
  /** Dimension, depth and unary ops of the random programs (default n 1–3, depth 4, every op of `unaryRules`). */
  readonly programs?: ProgramConstraints
  /** fast-check parameters (runs, seed, path) that `checkProgramLaws` passes on; `programLaws` does not read them. */
  readonly fc?: LawParameters
  /** Also check values against the plain-number evaluator (default true). */
  readonly values?: boolean
}

/** Two programs over the same x, a point, a direction, and two coefficients. */
const twoPrograms = (constraints: ProgramConstraints = {}) =>
  programCaseArb(constraints).chain((c) =>
    fc.record({ first: fc.constant(c), second: programArb(c.n, constraints), a: fc.integer({ min: -3, max: 3 }), b: fc.integer({ min: -3, max: 3 }) })
  )

const pointOf = (c: ProgramCase): Tensor => fromArray([c.n], c.x)
const directionOf = (c: ProgramCase): Tensor => fromArray([c.n], c.direction)

/**
 * The laws of a differentiator on random programs: values agree with the
 * plain-number evaluator, gradients with central differences, and `grad` is
 * linear and obeys the product and chain rules.
 */
export const programLaws = (differentiate: ProgramDifferentiator = libraryProgramDifferentiator(), options: ProgramLawOptions = {}): readonly Law[] => {
  const approx = options.approx ?? defaultIdentityApprox
  const differenceApprox = options.differenceApprox ?? defaultDifferenceApprox
  const cases = programCaseArb(options.programs)
  const laws: Law[] = []
  if (options.values !== false) {
    laws.push(
      law('gradient', 'f(x) agrees with the plain-number evaluation of the program', () =>
        fc.property(cases, (c) => expectVerdict(valueMatchesReference(differentiate, c.program, pointOf(c), approx)))
      )
    )
  }
  laws.push(
    law('gradient', '⟨t, ∇f(x)⟩ agrees with central differences on random programs', () =>
      fc.property(cases, (c) =>
        expectVerdict(gradientMatchesCentralDifferences(differentiate(c.program), pointOf(c), directionOf(c), differenceApprox, options.step))
      )
    ),
    law('gradient', 'grad is linear: ∇(a·f + b·g) = a·∇f + b·∇g', () =>
      fc.property(twoPrograms(options.programs), ({ first, second, a, b }) =>
        expectVerdict(gradientIsLinear(differentiate, first.program, second, a, b, pointOf(first), approx))
      )
    ),
    law('gradient', 'product rule: ∇(f·g) = f·∇g + g·∇f', () =>
      fc.property(twoPrograms(options.programs), ({ first, second }) => expectVerdict(productRule(differentiate, first.program, second, pointOf(first), approx)))
    ),
    law('gradient', "chain rule: ∇(h∘f) = h′(f)·∇f", () =>
      fc.property(cases, fc.constantFrom(...unaryNames), (c, h) => expectVerdict(chainRule(differentiate, c.program, h, pointOf(c), approx)))
    )
  )
  return laws
}

/** Check `programLaws` (default: the library's transforms); throws at the first failure, like `fc.assert`. */
export const checkProgramLaws = (differentiate: ProgramDifferentiator = libraryProgramDifferentiator(), options: ProgramLawOptions = {}): void =>
  assertLaws(programLaws(differentiate, options), options.fc)

// -------------------------------------------------------------------------------------
// custom derivatives
// -------------------------------------------------------------------------------------

/** Options of `customVjpLaws`. */
export interface CustomVjpLawOptions extends DerivativeTolerances {
  /** Shape of x (default [3]), used when `at` is not given. */
  readonly shape?: Shape
  /** Points where the rule is checked (default `pointsArb(shape)`; keep them inside f's domain). */
  readonly at?: fc.Arbitrary<Tensor>
  /** fast-check parameters (runs, seed, path) that `checkCustomVjpLaws` passes on; `customVjpLaws` does not read them. */
  readonly fc?: LawParameters
}

/**
 * The scalar ⟨w, f(x)⟩ with a cotangent w of f's output shape, its elements
 * the `weights` repeated: its gradient is the user's vjp rule applied to w.
 */
const pairedWith = (f: (x: Sym) => Sym, weights: readonly number[]): ScalarFunction => (x) => {
  const y = f(x)
  return sum(mul(y, fromArray(y.shape, Array.from({ length: y.size }, (_, i) => weights[i % weights.length]))))
}

/**
 * A user's custom derivative, checked when asked: for `g = customVjp(f, rule)`,
 * the rule applied to a random cotangent w agrees with central differences of
 * ⟨w, f(x)⟩ along random directions, at points uniform in [−3, 3] (no bias
 * towards kinks at 0 and ±1; a kink between the stencil points is skipped).
 * A deliberate non-derivative (a straight-through estimator) fails, as it should.
 */
export const customVjpLaws = (g: (x: Sym) => Sym, options: CustomVjpLawOptions = {}): readonly Law[] => {
  const at = options.at ?? pointsArb(options.shape ?? [3])
  const approx = options.differenceApprox ?? defaultDifferenceApprox
  const weights = fc.array(uniformDouble(-2, 2), { minLength: 1, maxLength: 8 })
  return [
    law('gradient', 'the custom vjp rule agrees with central differences of ⟨w, f(x)⟩ along random directions', () =>
      fc.property(pointAndDirection(at), weights, ({ x, t }, w) =>
        expectVerdict(gradientMatchesCentralDifferences(differentiableOf(pairedWith(g, w)), x, t, approx, options.step))
      )
    )
  ]
}

/**
 * Check a function with a custom derivative (`customVjp(f, rule)`) against
 * central differences; throws at the first failure.
 * @example checkCustomVjpLaws(customVjp((x: Sym) => x.exp().add(1).log(), ({ inputs, cotangent }) => cotangent.mul(inputs[0].sigmoid())))
 */
export const checkCustomVjpLaws = (g: (x: Sym) => Sym, options: CustomVjpLawOptions = {}): void => assertLaws(customVjpLaws(g, options), options.fc)
