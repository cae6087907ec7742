/**
 * Random expression programs for derivative laws: a small AST over one input
 * vector x, one table holding each op's graph form, its plain-number value and
 * its derivative side by side, an interpreter into graph ops, a plain-number
 * reference evaluator, a forward-mode (dual number) reference differentiator,
 * and the `fc.letrec` arbitrary that generates programs of bounded depth.
 *
 * Every op in the table keeps values bounded for inputs in [−1, 1] at the
 * depths generated (exp, log, sqrt and div appear in forms that cannot leave
 * their domains: exp(tanh a), log(1 + a²), √(1 + a²), 1/(1 + a²)), so central
 * differences stay accurate and a failure means a wrong derivative.
 */
import fc from 'fast-check'
import { add, at, cos, div, exp, lift, log, logsumexp, mean, mul, neg, sigmoid, sin, softplus, sqrt, square, sub, sum, tanh } from '../src/graph/ops.js'
import type { Sym } from '../src/graph/Sym.js'
import { uniformDouble } from './arbitraries.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The unary ops of programs; exp, log, sqrt and div appear only in forms that stay in their domains. */
export type UnaryName =
  | 'neg' | 'sin' | 'cos' | 'tanh' | 'sigmoid' | 'square' | 'softplus'
  | 'expTanh' | 'logOnePlusSquare' | 'sqrtOnePlusSquare' | 'reciprocalOnePlusSquare'

/** The binary ops of programs (broadcasting a scalar against a vector). */
export type BinaryName = 'add' | 'sub' | 'mul'

/** The reductions of programs, from a vector to a scalar. */
export type ReduceName = 'sum' | 'mean' | 'logsumexp'

/**
 * A program over the input vector x (shape [n]). Nodes are vectors of shape
 * [n] or scalars; binary ops broadcast a scalar against a vector. The value
 * of a program as a function is the sum of its output.
 */
export type Program =
  | {
      /** The input vector x itself, shape [n]. */
      readonly op: 'x'
    }
  | {
      /** One element x[index] of the input, a scalar. */
      readonly op: 'xi'
      /** Which element: 0 ≤ index < n. */
      readonly index: number
    }
  | {
      /** A scalar constant (`programArb` draws it uniform in [−2, 2]). */
      readonly op: 'const'
      /** The constant's value. */
      readonly value: number
    }
  | {
      /** A unary op applied elementwise; a scalar stays a scalar. */
      readonly op: 'unary'
      /** Which op of the rule table. */
      readonly fn: UnaryName
      /** The operand, a vector or a scalar. */
      readonly arg: Program
    }
  | {
      /** An elementwise binary op; a scalar operand broadcasts against a vector one. */
      readonly op: 'binary'
      /** `add`, `sub` or `mul`. */
      readonly fn: BinaryName
      /** The first operand. */
      readonly left: Program
      /** The second operand. */
      readonly right: Program
    }
  | {
      /** A reduction to a scalar. */
      readonly op: 'reduce'
      /** `sum`, `mean` or `logsumexp` over the elements of `arg`. */
      readonly fn: ReduceName
      /** The operand; a scalar reduces as a one-element vector. */
      readonly arg: Program
    }

/** One unary op: its graph form, its value and its derivative, side by side. */
export interface UnaryRule {
  /** The op written with graph ops: what the library's transforms differentiate. */
  readonly sym: (a: Sym) => Sym
  /** The op on a plain number, for the reference evaluator. */
  readonly value: (a: number) => number
  /** Its derivative in closed form, for the forward-mode reference. */
  readonly derivative: (a: number) => number
}

/** A rule for every unary op: swap one entry to build a deliberately wrong differentiator. */
export type UnaryTable = { readonly [K in UnaryName]: UnaryRule }

const sig = (a: number): number => 1 / (1 + Math.exp(-a))

/** The unary ops of programs: graph form, value and derivative side by side. */
export const unaryRules: UnaryTable = {
  neg: { sym: (a) => neg(a), value: (a) => -a, derivative: () => -1 },
  sin: { sym: (a) => sin(a), value: Math.sin, derivative: Math.cos },
  cos: { sym: (a) => cos(a), value: Math.cos, derivative: (a) => -Math.sin(a) },
  tanh: { sym: (a) => tanh(a), value: Math.tanh, derivative: (a) => 1 - Math.tanh(a) ** 2 },
  sigmoid: { sym: (a) => sigmoid(a), value: sig, derivative: (a) => sig(a) * (1 - sig(a)) },
  square: { sym: (a) => square(a), value: (a) => a * a, derivative: (a) => 2 * a },
  softplus: { sym: (a) => softplus(a), value: (a) => Math.log1p(Math.exp(a)), derivative: sig },
  expTanh: { sym: (a) => exp(tanh(a)), value: (a) => Math.exp(Math.tanh(a)), derivative: (a) => Math.exp(Math.tanh(a)) * (1 - Math.tanh(a) ** 2) },
  logOnePlusSquare: { sym: (a) => log(add(1, square(a))), value: (a) => Math.log(1 + a * a), derivative: (a) => (2 * a) / (1 + a * a) },
  sqrtOnePlusSquare: { sym: (a) => sqrt(add(1, square(a))), value: (a) => Math.sqrt(1 + a * a), derivative: (a) => a / Math.sqrt(1 + a * a) },
  reciprocalOnePlusSquare: {
    sym: (a) => div(1, add(1, square(a))),
    value: (a) => 1 / (1 + a * a),
    derivative: (a) => (-2 * a) / (1 + a * a) ** 2
  }
}

/** The names of the unary ops, in table order. */
export const unaryNames: readonly UnaryName[] = Object.keys(unaryRules) as UnaryName[]

const binarySym: { readonly [K in BinaryName]: (a: Sym | number, b: Sym | number) => Sym } = { add, sub, mul }
const binaryValue: { readonly [K in BinaryName]: (a: number, b: number) => number } = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b
}
const reduceSym: { readonly [K in ReduceName]: (a: Sym) => Sym } = { sum: (a) => sum(a), mean: (a) => mean(a), logsumexp: (a) => logsumexp(a) }

// -------------------------------------------------------------------------------------
// interpreters
// -------------------------------------------------------------------------------------

/** A value while evaluating: a number for a scalar node, an array for a vector node. */
type Value = number | readonly number[]

const lift2 = (a: Value, b: Value, f: (x: number, y: number) => number): Value => {
  if (typeof a === 'number' && typeof b === 'number') return f(a, b)
  const n = typeof a === 'number' ? (b as readonly number[]).length : a.length
  return Array.from({ length: n }, (_, i) => f(typeof a === 'number' ? a : a[i], typeof b === 'number' ? b : b[i]))
}

const logSumExp = (xs: readonly number[]): number => {
  const m = Math.max(...xs)
  return m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0))
}

/** The plain-number value of a program at x: the sum of its output. A reference independent of the graph. */
export const evaluateProgram = (p: Program, x: readonly number[], table: UnaryTable = unaryRules): number => {
  const go = (q: Program): Value => {
    switch (q.op) {
      case 'x':
        return x
      case 'xi':
        return x[q.index]
      case 'const':
        return q.value
      case 'unary': {
        const a = go(q.arg)
        const f = table[q.fn].value
        return typeof a === 'number' ? f(a) : a.map(f)
      }
      case 'binary':
        return lift2(go(q.left), go(q.right), binaryValue[q.fn])
      case 'reduce': {
        const a = go(q.arg)
        const xs = typeof a === 'number' ? [a] : a
        return q.fn === 'sum' ? xs.reduce((s, v) => s + v, 0) : q.fn === 'mean' ? xs.reduce((s, v) => s + v, 0) / xs.length : logSumExp(xs)
      }
    }
  }
  const out = go(p)
  return typeof out === 'number' ? out : out.reduce((s, v) => s + v, 0)
}

/** The program as a function of graph ops: `(x: Sym) => Sym`, summing its output. */
export const programToSym =
  (p: Program, table: UnaryTable = unaryRules) =>
  (x: Sym): Sym => {
    const go = (q: Program): Sym | number => {
      switch (q.op) {
        case 'x':
          return x
        case 'xi':
          return at(x, q.index)
        case 'const':
          return q.value
        case 'unary': {
          const a = go(q.arg)
          return table[q.fn].sym(typeof a === 'number' ? lift(a) : a)
        }
        case 'binary':
          return binarySym[q.fn](go(q.left), go(q.right))
        case 'reduce': {
          const a = go(q.arg)
          return reduceSym[q.fn](typeof a === 'number' ? lift(a) : a)
        }
      }
    }
    const out = go(p)
    return sum(typeof out === 'number' ? lift(out) : out)
  }

/** A number with its tangent (forward-mode dual number). */
export interface Dual {
  /** The value a of a + a′ε. */
  readonly v: number
  /** The tangent a′: the derivative of the value along the chosen direction. */
  readonly t: number
}

/** The forward-mode rules of the binary ops. */
export type DualBinaryRules = { readonly [K in BinaryName]: (a: Dual, b: Dual) => Dual }

/** Sum, difference and product rules on dual numbers. */
export const dualBinaryRules: DualBinaryRules = {
  add: (a, b) => ({ v: a.v + b.v, t: a.t + b.t }),
  sub: (a, b) => ({ v: a.v - b.v, t: a.t - b.t }),
  mul: (a, b) => ({ v: a.v * b.v, t: a.t * b.v + a.v * b.t })
}

/**
 * The directional derivative ⟨t, ∇f(x)⟩ of a program by forward mode with
 * dual numbers, using each op's `derivative` from the table: a reference
 * differentiator independent of the graph (and a way to build a wrong one,
 * by giving a table with one wrong rule).
 */
export const directionalDerivative = (
  p: Program,
  x: readonly number[],
  t: readonly number[],
  table: UnaryTable = unaryRules,
  rules: DualBinaryRules = dualBinaryRules
): number => {
  type DValue = Dual | readonly Dual[]
  const lift = (a: DValue, b: DValue, f: (x: Dual, y: Dual) => Dual): DValue => {
    if (!Array.isArray(a) && !Array.isArray(b)) return f(a as Dual, b as Dual)
    const n = Array.isArray(a) ? a.length : (b as readonly Dual[]).length
    const pick = (z: DValue, i: number): Dual => (Array.isArray(z) ? z[i] : (z as Dual))
    return Array.from({ length: n }, (_, i) => f(pick(a, i), pick(b, i)))
  }
  const go = (q: Program): DValue => {
    switch (q.op) {
      case 'x':
        return x.map((v, i) => ({ v, t: t[i] }))
      case 'xi':
        return { v: x[q.index], t: t[q.index] }
      case 'const':
        return { v: q.value, t: 0 }
      case 'unary': {
        const a = go(q.arg)
        const r = table[q.fn]
        const f = (d: Dual): Dual => ({ v: r.value(d.v), t: r.derivative(d.v) * d.t })
        return Array.isArray(a) ? a.map(f) : f(a as Dual)
      }
      case 'binary':
        return lift(go(q.left), go(q.right), rules[q.fn])
      case 'reduce': {
        const a = go(q.arg)
        const xs: readonly Dual[] = Array.isArray(a) ? a : [a as Dual]
        const total = xs.reduce((s, d) => ({ v: s.v + d.v, t: s.t + d.t }), { v: 0, t: 0 })
        if (q.fn === 'sum') return total
        if (q.fn === 'mean') return { v: total.v / xs.length, t: total.t / xs.length }
        const lse = logSumExp(xs.map((d) => d.v))
        return { v: lse, t: xs.reduce((s, d) => s + Math.exp(d.v - lse) * d.t, 0) }
      }
    }
  }
  const out = go(p)
  return Array.isArray(out) ? out.reduce((s, d) => s + d.t, 0) : (out as Dual).t
}

/** The gradient of a program by forward mode, one dual pass per coordinate. */
export const referenceGradient = (
  p: Program,
  x: readonly number[],
  table: UnaryTable = unaryRules,
  rules: DualBinaryRules = dualBinaryRules
): number[] => x.map((_, i) => directionalDerivative(p, x, x.map((__, j) => (i === j ? 1 : 0)), table, rules))

/** Readable text of a program, e.g. `sum(sin(x) * x[0])`. */
export const showProgram = (p: Program): string => {
  switch (p.op) {
    case 'x':
      return 'x'
    case 'xi':
      return `x[${p.index}]`
    case 'const':
      return String(p.value)
    case 'unary':
      return `${p.fn}(${showProgram(p.arg)})`
    case 'binary':
      return `(${showProgram(p.left)} ${p.fn === 'add' ? '+' : p.fn === 'sub' ? '-' : '*'} ${showProgram(p.right)})`
    case 'reduce':
      return `${p.fn}(${showProgram(p.arg)})`
  }
}

/** Which unary ops a program uses. */
export const opsOf = (p: Program): ReadonlySet<UnaryName> => {
  const out = new Set<UnaryName>()
  const go = (q: Program): void => {
    if (q.op === 'unary') {
      out.add(q.fn)
      go(q.arg)
    } else if (q.op === 'binary') {
      go(q.left)
      go(q.right)
    } else if (q.op === 'reduce') go(q.arg)
  }
  go(p)
  return out
}

// -------------------------------------------------------------------------------------
// arbitraries
// -------------------------------------------------------------------------------------

/** Constraints of `programArb`. */
export interface ProgramConstraints {
  /** Smallest dimension n of x (default 1); n is drawn uniformly from minDim to maxDim. */
  readonly minDim?: number
  /** Largest dimension n of x (default 3). */
  readonly maxDim?: number
  /** Depth bound of the program tree (default 4). */
  readonly maxDepth?: number
  /** Unary ops to draw from (default all of `unaryRules`). */
  readonly unary?: readonly UnaryName[]
}

/** A program with its dimension, a point x ∈ [−1, 1]ⁿ and a unit direction. */
export interface ProgramCase {
  /** The program, over an input of dimension n. */
  readonly program: Program
  /** The dimension of x, from `minDim` to `maxDim` (default 1–3). */
  readonly n: number
  /** The point, uniform in [−1, 1]ⁿ. */
  readonly x: readonly number[]
  /** A unit vector in ℝⁿ (the first basis vector when the drawn one is nearly 0). */
  readonly direction: readonly number[]
}

/** The number of nodes of a program. */
export const sizeOfProgram = (p: Program): number =>
  p.op === 'unary' || p.op === 'reduce' ? 1 + sizeOfProgram(p.arg) : p.op === 'binary' ? 1 + sizeOfProgram(p.left) + sizeOfProgram(p.right) : 1

/**
 * Random programs over x of dimension n, built with `fc.letrec` (depth ≤
 * `maxDepth`, default 4), each then extended by one to three terms
 * `∘ op(q)` with ops drawn without repetition, so that programs are not
 * tiny and every op of the table appears in a good share of them.
 */
export const programArb = (n: number, constraints: ProgramConstraints = {}): fc.Arbitrary<Program> => {
  const unary = constraints.unary ?? unaryNames
  const binaryFn = fc.constantFrom<BinaryName>('add', 'sub', 'mul')
  const reduceFn = fc.constantFrom<ReduceName>('sum', 'mean', 'logsumexp')
  const letrecOf = (maxDepth: number) =>
    fc.letrec<{ program: Program; leaf: Program }>((tie) => ({
      leaf: fc.oneof(
        { weight: 3, arbitrary: fc.constant<Program>({ op: 'x' }) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: n - 1 }).map((index): Program => ({ op: 'xi', index })) },
        { weight: 1, arbitrary: uniformDouble(-2, 2).map((value): Program => ({ op: 'const', value })) }
      ),
      program: fc.oneof(
        { depthSize: 'small', maxDepth, withCrossShrink: true },
        { weight: 2, arbitrary: tie('leaf') },
        { weight: 3, arbitrary: fc.record({ op: fc.constant('unary' as const), fn: fc.constantFrom(...unary), arg: tie('program') }) },
        { weight: 2, arbitrary: fc.record({ op: fc.constant('binary' as const), fn: binaryFn, left: tie('program'), right: tie('program') }) },
        { weight: 1, arbitrary: fc.record({ op: fc.constant('reduce' as const), fn: reduceFn, arg: tie('program') }) }
      )
    })).program
  const core = letrecOf(constraints.maxDepth ?? 4)
  const term = fc.record({ fn: binaryFn, reduce: fc.option(reduceFn, { nil: undefined, freq: 3 }), arg: letrecOf(2) })
  return fc
    .tuple(core, fc.uniqueArray(fc.constantFrom(...unary), { minLength: 1, maxLength: Math.min(3, unary.length) }), fc.array(term, { minLength: 3, maxLength: 3 }))
    .map(([base, ops, terms]) =>
      ops.reduce<Program>((acc, fn, i) => {
        const { fn: combine, reduce, arg } = terms[i]
        const applied: Program = { op: 'unary', fn, arg }
        return { op: 'binary', fn: combine, left: acc, right: reduce === undefined ? applied : { op: 'reduce', fn: reduce, arg: applied } }
      }, base)
    )
}

/** A program, its dimension, a point in [−1, 1]ⁿ and a unit direction; prints as program text. */
export const programCaseArb = (constraints: ProgramConstraints = {}): fc.Arbitrary<ProgramCase> =>
  fc.integer({ min: constraints.minDim ?? 1, max: constraints.maxDim ?? 3 }).chain((n) =>
    fc
      .record({
        program: programArb(n, constraints),
        x: fc.array(uniformDouble(-1, 1), { minLength: n, maxLength: n }),
        direction: fc.array(uniformDouble(-1, 1), { minLength: n, maxLength: n })
      })
      .map(({ program, x, direction }) => {
        const r = Math.hypot(...direction)
        const unit = r < 1e-3 ? direction.map((_, i) => (i === 0 ? 1 : 0)) : direction.map((d) => d / r)
        return Object.assign(
          { program, n, x, direction: unit },
          { [fc.toStringMethod]: () => `{ program: ${showProgram(program)}, x: [${x.join(', ')}], direction: [${unit.join(', ')}] }` }
        )
      })
  )
