/**
 * The numeric half of the op table: for every elementwise op, its arity, its
 * forward on one element, the JavaScript the compiler emits for it and what
 * an inlined evaluation costs. The table is typed `{ [P in ElementwiseOp]: … }`,
 * so an op missing here is a compile error. The interpreter, constant folding,
 * the compiler and the expression language all read it: where the emitted
 * code is more than an operator, it calls the very function the interpreter
 * runs (`F.erf(x)`), so the evaluators agree to the last bit. The derivative
 * half of the table is in `rules.ts`.
 *
 * This module imports nothing from the graph but types: it is where the
 * numbers are, for everyone.
 */
import type { Attrs, ElementwiseOp } from './Sym.js'

// -------------------------------------------------------------------------------------
// scalar functions
// -------------------------------------------------------------------------------------

const TWO_OVER_SQRT_PI = 1.1283791670955126
const INV_SQRT_PI = 0.5641895835477563
/** 2²⁷ + 1: Dekker's splitting constant, for products without rounding. */
const SPLIT = 134217729

/** e^(−x²) with x² split into an exact part and a small one, so its rounding is not amplified by exp. */
const expMinusSquare = (x: number): number => {
  const c = SPLIT * x
  const hi = c - (c - x)
  const lo = x - hi
  return Math.exp(-hi * hi) * Math.exp(-(2 * hi + lo) * lo)
}

/**
 * erf for |x| < 1.5: the Maclaurin series 2/√π Σ (−1)ⁿx^(2n+1)/(n!(2n+1)), summed
 * with Neumaier's compensation (its largest term is under twice the result).
 */
const erfSeries = (x: number): number => {
  const x2 = x * x
  let power = x // (−1)ⁿ x^(2n+1)/n!
  let sum = x
  let compensation = 0
  for (let n = 1; n < 60; n++) {
    power *= -x2 / n
    const term = power / (2 * n + 1)
    const next = sum + term
    compensation += Math.abs(sum) >= Math.abs(term) ? sum - next + term : term - next + sum
    sum = next
    if (Math.abs(term) < 1e-18 * Math.abs(sum)) break
  }
  return TWO_OVER_SQRT_PI * (sum + compensation)
}

/** erfc for x ≥ 1.5: the continued fraction e^(−x²)/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + …)))), from the bottom. */
const erfcContinuedFraction = (x: number): number => {
  let f = x
  for (let k = 100; k >= 1; k--) f = x + k / 2 / f
  return (INV_SQRT_PI * expMinusSquare(x)) / f
}

/** The error function, within 2 ulp of mpmath on 3,500 points of [0, 7] (test/graph/primitives.test.ts); odd, erf(±∞) = ±1. */
export const erf = (x: number): number => {
  if (Number.isNaN(x) || x === 0) return x // erf(±0) = ±0
  const a = Math.abs(x)
  if (a < 1.5) return erfSeries(x)
  // erfc(6) < 2⁻⁵⁴: 1 − erfc rounds to 1 from there on
  const r = a < 6 ? 1 - erfcContinuedFraction(a) : 1
  return x < 0 ? -r : r
}

/** σ(x) = 1/(1 + e^−x), written so that neither branch overflows: σ(−720) is e^−720, not 0. */
export const sigmoid = (x: number): number => {
  if (x >= 0) return 1 / (1 + Math.exp(-x))
  const e = Math.exp(x)
  return e / (1 + e)
}

/** softplus(x) = log(1 + eˣ), computed without overflow for large x. */
export const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)))

// tanh: ours rather than Math.tanh, which V8 computes by calling out to C
// (fdlibm) at 17–20 ns an element; this one is written to be inlined into the
// compiled loops without a branch the data decides: 6–8 ns, as accurate.

/** ln 2 in two parts: the high one has 32 trailing zero bits, so k·LN2_HI is exact for |k| < 2²⁰ (fdlibm's split). */
// biome-ignore lint/correctness/noPrecisionLoss: fdlibm's constants as published (each rounds to the double it names)
const LN2_HI = 6.93147180369123816490e-1
// biome-ignore lint/correctness/noPrecisionLoss: as above
const LN2_LO = 1.90821492927058770002e-10
/** 1/ln 2 (the double Math.LOG2E), as fdlibm writes it. */
// biome-ignore lint/correctness/noPrecisionLoss: as above
// biome-ignore lint/suspicious/noApproximativeNumericConstant: fdlibm's digits, kept beside LN2_HI and LN2_LO
const INV_LN2 = 1.44269504088896338700
/** 1.5·2⁵²: adding and subtracting it rounds a double of magnitude below 2⁵¹ to the nearest integer. */
const ROUNDER = 6755399441055744
/** 2ᵏ for k = −64 … 0, at k + 64. */
const POW2 = Float64Array.from({ length: 65 }, (_, i) => 2 ** (i - 64))
// 1/(n + 2)! for n = 0 … 11: the Taylor coefficients of (eʳ − 1 − r)/r²
const E0 = 1 / 2
const E1 = 1 / 6
const E2 = 1 / 24
const E3 = 1 / 120
const E4 = 1 / 720
const E5 = 1 / 5040
const E6 = 1 / 40320
const E7 = 1 / 362880
const E8 = 1 / 3628800
const E9 = 1 / 39916800
const E10 = 1 / 479001600
const E11 = 1 / 6227020800

/**
 * The hyperbolic tangent, within 2 ulp of the correctly rounded value (as is
 * V8's Math.tanh; measured against mpmath in test/graph/ops.test.ts), odd,
 * ±1 from |x| = 22 on. With a = min(|x|, 22): t = e^(−2a) − 1 by reduction
 * to r = −2a − k·ln 2, |r| ≤ ln 2 / 2, and the degree-13 Taylor polynomial of
 * eʳ − 1 (truncation below 2⁻⁵⁶ there) in Estrin's form, so its terms are
 * computed side by side rather than in one long chain; then tanh a = −t/(t + 2),
 * with no cancellation for any a, and the sign of x restored by a factor ±1.
 */
export const tanh = (x: number): number => {
  if (x === 0) return x // ±0
  const c = Math.min(Math.max(x, -22), 22) // NaN stays NaN
  const a = Math.abs(c)
  const y = -2 * a
  const k = y * INV_LN2 + ROUNDER - ROUNDER
  const r = y - k * LN2_HI - k * LN2_LO
  const r2 = r * r
  const r4 = r2 * r2
  const r8 = r4 * r4
  const q = E0 + E1 * r + (E2 + E3 * r) * r2 + (E4 + E5 * r + (E6 + E7 * r) * r2) * r4 + (E8 + E9 * r + (E10 + E11 * r) * r2) * r8
  const s = POW2[k + 64]
  const t = s * (r + r2 * q) + (s - 1)
  return (-t / (t + 2)) * (c / a)
}

/** Huber's function: x²/2 for |x| < δ, else δ(|x| − δ/2) (PyTorch's `huber_loss`, elementwise, no reduction). */
export const huber = (x: number, delta: number): number => {
  const a = Math.abs(x)
  return a < delta ? 0.5 * x * x : delta * (a - 0.5 * delta)
}

/** Heaviside step: 1 for x > 0, 0 for x ≤ 0, NaN for NaN. */
export const step = (x: number): number => (x > 0 ? 1 : x <= 0 ? 0 : NaN)

/** max(x, 0), NaN for NaN. */
export const relu = (x: number): number => (x > 0 ? x : x <= 0 ? 0 : NaN)

/** min(max(x, lo), hi): PyTorch's clamp, so lo > hi gives hi and a NaN stays NaN. */
export const clip = (x: number, lo: number, hi: number): number => Math.min(Math.max(x, lo), hi)

/** The functions emitted code calls, by name: the compiled function receives this object as `F`. */
export const scalarFunctions = { erf, sigmoid, softplus, tanh, huber, step, relu, clip } as const

// -------------------------------------------------------------------------------------
// the table
// -------------------------------------------------------------------------------------

/** An elementwise forward on one element; it must ignore the arguments beyond its arity (they are 0). */
export type ScalarForward = (a: number, b: number, c: number) => number

export interface ElementwiseNumeric {
  readonly arity: 1 | 2 | 3
  /** The forward on one element, given the node's attributes. */
  readonly forward: (attrs: Attrs) => ScalarForward
  /** A JavaScript expression of the argument expressions (which are names or literals). */
  readonly emit: (args: readonly string[], attrs: Attrs) => string
  /** What an inlined evaluation costs, in additions: the compiler stores shared subexpressions that cost more. */
  readonly cost: number
}

/** A number as JavaScript source that evaluates to exactly that double. */
export const literal = (x: number): string => {
  if (Number.isNaN(x)) return 'NaN'
  if (x === Infinity) return 'Infinity'
  if (x === -Infinity) return '(-Infinity)'
  if (Object.is(x, -0)) return '(-0)'
  return x < 0 ? `(${String(x)})` : String(x)
}

const CHEAP = 1
const EXPENSIVE = 10

const fixed = (f: ScalarForward) => (): ScalarForward => f

/** An op that is a function of `Math`: the same function forward and emitted. */
const math = (name: 'exp' | 'log' | 'sin' | 'cos' | 'tan' | 'sqrt' | 'abs' | 'sign' | 'atan' | 'asin' | 'acos' | 'sinh' | 'cosh' | 'asinh' | 'log1p' | 'expm1', cost = EXPENSIVE): ElementwiseNumeric => {
  const f = Math[name]
  return {
  arity: 1,
  forward: fixed((a) => f(a)), // called with one argument, whatever the caller passes
  emit: ([a]) => `Math.${name}(${a})`,
  cost
  }
}

/** An op whose emitted code calls the library's own scalar function. */
const called = (name: 'erf' | 'sigmoid' | 'softplus' | 'tanh' | 'step' | 'relu', cost: number): ElementwiseNumeric => ({
  arity: 1,
  forward: fixed(scalarFunctions[name] as ScalarForward),
  emit: ([a]) => `F.${name}(${a})`,
  cost
})

const infix = (op: string, f: ScalarForward): ElementwiseNumeric => ({
  arity: 2,
  forward: fixed(f),
  emit: ([a, b]) => `(${a} ${op} ${b})`,
  cost: CHEAP
})

/** A comparison: 1 where it holds, else 0 (so NaN compares false, except `!=`). */
const comparison = (op: string, f: (a: number, b: number) => boolean): ElementwiseNumeric => ({
  arity: 2,
  forward: fixed((a, b) => (f(a, b) ? 1 : 0)),
  emit: ([a, b]) => `(${a} ${op} ${b} ? 1 : 0)`,
  cost: CHEAP
})

export const numeric: { readonly [P in ElementwiseOp]: ElementwiseNumeric } = {
  neg: { arity: 1, forward: fixed((a) => -a), emit: ([a]) => `(-${a})`, cost: CHEAP },
  exp: math('exp'),
  log: math('log'),
  sin: math('sin'),
  cos: math('cos'),
  tan: math('tan'),
  sqrt: math('sqrt'),
  tanh: called('tanh', EXPENSIVE),
  abs: math('abs', CHEAP),
  sign: math('sign', CHEAP),
  atan: math('atan'),
  asin: math('asin'),
  acos: math('acos'),
  sinh: math('sinh'),
  cosh: math('cosh'),
  asinh: math('asinh'),
  log1p: math('log1p'),
  expm1: math('expm1'),
  erf: called('erf', EXPENSIVE),
  sigmoid: called('sigmoid', EXPENSIVE),
  softplus: called('softplus', EXPENSIVE),
  step: called('step', CHEAP),
  relu: called('relu', CHEAP),
  square: { arity: 1, forward: fixed((a) => a * a), emit: ([a]) => `(${a} * ${a})`, cost: CHEAP },
  powc: {
    arity: 1,
    forward: (attrs) => {
      const c = attrs.exponent!
      return (a) => Math.pow(a, c)
    },
    emit: ([a], attrs) => `Math.pow(${a}, ${literal(attrs.exponent!)})`,
    cost: EXPENSIVE
  },
  huber: {
    arity: 1,
    forward: (attrs) => {
      const d = attrs.delta!
      return (a) => huber(a, d)
    },
    emit: ([a], attrs) => `F.huber(${a}, ${literal(attrs.delta!)})`,
    cost: CHEAP
  },
  stopgrad: { arity: 1, forward: fixed((a) => a), emit: ([a]) => a, cost: 0 },
  add: infix('+', (a, b) => a + b),
  sub: infix('-', (a, b) => a - b),
  mul: infix('*', (a, b) => a * b),
  div: infix('/', (a, b) => a / b),
  pow: { arity: 2, forward: fixed((a, b) => Math.pow(a, b)), emit: ([a, b]) => `Math.pow(${a}, ${b})`, cost: EXPENSIVE },
  minimum: { arity: 2, forward: fixed((a, b) => Math.min(a, b)), emit: ([a, b]) => `Math.min(${a}, ${b})`, cost: CHEAP },
  maximum: { arity: 2, forward: fixed((a, b) => Math.max(a, b)), emit: ([a, b]) => `Math.max(${a}, ${b})`, cost: CHEAP },
  eqmask: comparison('===', (a, b) => a === b),
  notequal: comparison('!==', (a, b) => a !== b),
  less: comparison('<', (a, b) => a < b),
  lessequal: comparison('<=', (a, b) => a <= b),
  greater: comparison('>', (a, b) => a > b),
  greaterequal: comparison('>=', (a, b) => a >= b),
  where: { arity: 3, forward: fixed((c, a, b) => (c !== 0 ? a : b)), emit: ([c, a, b]) => `(${c} !== 0 ? ${a} : ${b})`, cost: CHEAP },
  clip: { arity: 3, forward: fixed(clip), emit: ([x, lo, hi]) => `F.clip(${x}, ${lo}, ${hi})`, cost: CHEAP }
}

/** Is this op one of the table's elementwise ops? */
export const isElementwiseOp = (op: string): op is ElementwiseOp => Object.hasOwn(numeric, op)
