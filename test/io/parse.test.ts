import { describe, it, expect } from 'vitest'
import * as fc from 'fast-check'
import { isLeft, isRight, type Either } from 'fp-ts/lib/Either.js'
import { type Sym, grad, hessian, jit, valueAndGrad } from '../../src/graph/index.js'
import { tensor } from '../../src/tensor/Tensor.js'
import {
  parse,
  parseFunction,
  showExpression,
  expressionEquals,
  evaluateExpression,
  toNumericFunction,
  variablesOf,
  resolveVariables,
  formatAtColumn,
  isValidVariableName,
  literal,
  variable,
  constant,
  negate,
  binary,
  call,
  knownFunctions,
  toFunction,
  type Expression,
  type ParseError,
  type BinaryOperator
} from '../../src/io/parse.js'

const ok = (text: string): Expression => {
  const r = parse(text)
  if (isLeft(r)) throw new Error(`expected ${text} to parse, got: ${r.left.formatted}`)
  return r.right
}

const fails = (text: string): ParseError => {
  const r = parse(text)
  if (isRight(r)) throw new Error(`expected ${text} to fail, got ${showExpression(r.right)}`)
  return r.left
}

const value = (text: string, values: Record<string, number> = {}): number => evaluateExpression(ok(text), values)

const rightOf = <E, A>(r: Either<E, A>): A => {
  if (isLeft(r)) throw new Error(`expected Right, got ${JSON.stringify(r.left)}`)
  return r.right
}

describe('parse: precedence and associativity', () => {
  it.each([
    ['-x^2', { x: 3 }, -9],
    ['(-x)^2', { x: 3 }, 9],
    ['2^-1', {}, 0.5],
    ['2^3^2', {}, 512],
    ['(2^3)^2', {}, 64],
    ['1-2-3', {}, -4],
    ['8/4/2', {}, 1],
    ['2*3+4*5', {}, 26],
    ['2+3*4', {}, 14],
    ['(2+3)*4', {}, 20],
    ['-2^2', {}, -4],
    ['2^-x^2', { x: 1 }, 0.5],
    ['--x', { x: 5 }, 5],
    ['x - -y', { x: 1, y: 2 }, 3],
    ['x*-y', { x: 3, y: 2 }, -6],
    ['-x*y', { x: 3, y: 2 }, -6],
    ['6/-2/3', {}, -1],
    ['+x', { x: 4 }, 4],
    ['2*pi', {}, 2 * Math.PI],
    ['e^2', {}, Math.E ** 2],
    ['.5 + 1e-3 + 2E2 + 1.', {}, 0.5 + 0.001 + 200 + 1],
    ['1e+2', {}, 100],
    ['sqrt(16) + abs(-3) + log(e) + exp(0)', {}, 4 + 3 + 1 + 1],
    ['sin(pi/2) + cos(0) + tan(0) + tanh(0)', {}, 2],
    ['sigmoid(0)', {}, 0.5],
    ['sigmoid(-800)', {}, 0],
    ['(1 - x)^2 + 100*(y - x^2)^2', { x: -1.5, y: 2 }, 2.5 ** 2 + 100 * 0.25 ** 2]
  ] as const)('%s = %s', (text, vars, expected) => {
    expect(value(text, vars)).toBeCloseTo(expected, 12)
  })

  it('builds the tree the grammar says', () => {
    const x = variable('x')
    expect(expressionEquals(ok('-x^2'), negate(binary('^', x, literal(2))))).toBe(true)
    expect(expressionEquals(ok('2^3^2'), binary('^', literal(2), binary('^', literal(3), literal(2))))).toBe(true)
    expect(expressionEquals(ok('1-2-3'), binary('-', binary('-', literal(1), literal(2)), literal(3)))).toBe(true)
    expect(expressionEquals(ok('2^-1'), binary('^', literal(2), negate(literal(1))))).toBe(true)
    expect(expressionEquals(ok('sin(x)*e'), binary('*', call('sin', x), constant('e')))).toBe(true)
    expect(expressionEquals(ok('1-2-3'), ok('1-(2-3)'))).toBe(false)
  })

  it('records 1-based spans', () => {
    const e = ok('  x + sin(y)^2')
    expect(e.span).toEqual({ start: 3, end: 15 })
    if (e.kind !== 'binary') throw new Error('expected binary')
    expect(e.left.span).toEqual({ start: 3, end: 4 })
    expect(e.right.span).toEqual({ start: 7, end: 15 })
    if (e.right.kind !== 'binary') throw new Error('expected power')
    expect(e.right.left.span).toEqual({ start: 7, end: 13 })
  })

  it('makes immutable trees', () => {
    const e = ok('x + 1')
    expect(Object.isFrozen(e)).toBe(true)
    expect(() => {
      ;(e as { kind: string }).kind = 'number'
    }).toThrow()
  })
})

describe('parse: errors name the problem and the column', () => {
  it.each([
    ['2x', 2, "missing operator before 'x' at column 2: implicit multiplication is not supported, write 2*x"],
    ['x y', 3, 'write x*y'],
    ['2(x+1)', 2, 'write 2*(…)'],
    ['(x)(y)', 4, 'implicit multiplication'],
    ['x + y)', 6, "unexpected ')' at column 6"],
    ['(x + y', 7, "missing ')' at column 7 to close the '(' at column 1"],
    ['((x)', 5, "missing ')' at column 5"],
    ['', 1, 'empty expression'],
    ['   ', 1, 'empty expression'],
    ['sinc(x)', 1, "unknown function 'sinc' at column 1"],
    ['Sin(x)', 1, "did you mean 'sin'"],
    ['ln(x)', 1, 'log is the natural logarithm'],
    ['sin x', 1, "function 'sin' at column 1 needs its argument in parentheses"],
    ['1 + exp', 5, "function 'exp' at column 5 needs its argument in parentheses"],
    ['x(2)', 1, "variable 'x' at column 1 is used like a function"],
    ['y + foo(2) * foo', 5, "variable 'foo' at column 5 is used like a function"],
    ['pi(2)', 3, "'pi' is a constant"],
    ['1e', 1, "malformed number '1e' at column 1: the exponent needs digits"],
    ['x + 1e-', 5, "malformed number '1e-' at column 5"],
    ['1.2.3', 1, "malformed number '1.2.3' at column 1"],
    ['x*1e3.5', 3, "malformed number '1e3.5' at column 3"],
    ['.', 1, "malformed number '.'"],
    ['1e999', 1, 'too large'],
    ['sin()', 5, "function 'sin' needs one argument"],
    ['sin(x, y)', 6, "function 'sin' takes one argument, found ',' at column 6"],
    ['x ** 2', 3, "'**' at column 3 is not an operator"],
    ['x +', 4, 'expression ends too early at column 4'],
    ['x * / y', 5, "unexpected '/' at column 5"],
    ['()', 1, "empty parentheses '()' at column 1"],
    ['x % 2', 3, "unexpected character '%' at column 3"],
    ['x, y', 2, "unexpected ',' at column 2"],
    ['θ + λ²', 6, "unexpected character '²' at column 6"]
  ] as const)('%j fails at column %i', (text, column, fragment) => {
    const e = fails(text)
    expect(e.column).toBe(column)
    expect(e.message).toContain(fragment)
    expect(e.message).toContain(`column ${column}`)
  })

  it('lists the known functions for an unknown one', () => {
    expect(fails('sinc(x)').message).toContain(`known: ${[...knownFunctions, 'min', 'max', 'where', 'clip'].join(', ')}`)
  })

  it('shows the line with a caret under the column', () => {
    expect(fails('x + y)').formatted).toBe("unexpected ')' at column 6: no '(' to match it\n  x + y)\n       ^")
    const tabbed = fails('x\t2')
    expect(tabbed.formatted.split('\n').slice(1)).toEqual(['  x 2', '    ^'])
  })

  it('counts columns in code points, not UTF-16 units', () => {
    expect(fails('𝑥 + )').column).toBe(5)
  })

  it('cuts a long line to a window around the column', () => {
    const text = 'x + '.repeat(100) + ')'
    const [, line, caret] = fails(text).formatted.split('\n')
    expect(line.length).toBeLessThan(110)
    expect(line[caret.length - 1]).toBe(')')
  })

  it('refuses deep nesting instead of overflowing the stack', () => {
    expect(fails('('.repeat(5000) + 'x' + ')'.repeat(5000)).message).toContain('nested too deeply')
    expect(fails('-'.repeat(5000) + 'x').message).toContain('nested too deeply')
    expect(fails('x' + '^x'.repeat(5000)).message).toContain('nested too deeply')
    expect(fails('1' + '+1'.repeat(5000)).message).toContain('too long')
    expect(value('1' + '+1'.repeat(3000))).toBe(3001)
  })

  it('never throws on arbitrary text', () => {
    const piece = fc.constantFrom('x', 'y', '1', '.', 'e', '2e', '+', '-', '*', '/', '^', '(', ')', ',', ' ', 'sin', 'pi', '%', '𝑥')
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (parts) => {
        const r = parse(parts.join(''))
        if (isLeft(r)) {
          expect(r.left.column).toBeGreaterThanOrEqual(1)
          expect(r.left.column).toBeLessThanOrEqual([...parts.join('')].length + 1)
        }
      }),
      { seed: 42, numRuns: 2000 }
    )
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (s) => void parse(s)), { seed: 7, numRuns: 2000 })
  })
})

describe('hostile identifiers are just names', () => {
  const hostile = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', 'θ', '_']
  it.each(hostile)('%s', (name) => {
    const e = ok(`${name}^2 + 1`)
    expect(variablesOf(e)).toEqual([name])
    expect(evaluateExpression(e, JSON.parse(`{"${name}": 3}`))).toBe(10)
    expect(() => evaluateExpression(e, {})).toThrow(`no value for variable '${name}'`)
    expect(rightOf(resolveVariables(e, [name, 'zz']))).toEqual([name, 'zz'])
  })
})

describe('variables', () => {
  it('variablesOf sorts by name and removes repeats', () => {
    expect(variablesOf(ok('z*y + x^2 + y + w'))).toEqual(['w', 'x', 'y', 'z'])
    expect(variablesOf(ok('sin(pi) + e'))).toEqual([])
    expect(variablesOf(ok('b + B + a'))).toEqual(['B', 'a', 'b'])
  })

  it('resolveVariables keeps the user order and allows unused names', () => {
    const e = ok('x*y')
    expect(rightOf(resolveVariables(e))).toEqual(['x', 'y'])
    expect(rightOf(resolveVariables(e, ['y', 'x']))).toEqual(['y', 'x'])
    expect(rightOf(resolveVariables(e, ['y', 'w', 'x']))).toEqual(['y', 'w', 'x'])
  })

  it.each([
    [['x'], "unknown variable 'y' at column 3: the variable list has x"],
    [[], "unknown variable 'x' at column 1: the variable list is empty"],
    [['x', 'y', 'x'], "'x' is listed twice"],
    [['x', 'pi', 'y'], "'pi' is a constant"],
    [['x', 'sin', 'y'], "'sin' is a function"],
    [['x', '2y'], "'2y' is not a valid variable name"],
    [['x', ''], "'' is not a valid variable name"]
  ])('resolveVariables(x*y, %j) fails: %s', (vars, fragment) => {
    const r = resolveVariables(ok('x*y'), vars)
    expect(isLeft(r) && r.left.message).toContain(fragment)
  })

  it('parseFunction puts a caret under an unlisted variable', () => {
    const r = parseFunction('x + zeta', ['x'])
    if (isRight(r)) throw new Error('expected failure')
    expect(r.left.formatted).toBe("unknown variable 'zeta' at column 5: the variable list has x\n  x + zeta\n      ^")
    const good = rightOf(parseFunction('y*x'))
    expect(good.variables).toEqual(['x', 'y'])
  })

  it('isValidVariableName', () => {
    expect(['x', 'x1', '_a', 'θ', 'ab_c'].every(isValidVariableName)).toBe(true)
    expect(['', '1x', 'e', 'pi', 'exp', 'x-1', 'x y'].some(isValidVariableName)).toBe(false)
  })
})

describe('numeric evaluation', () => {
  it('toNumericFunction reads coordinates in the given order', () => {
    const f = toNumericFunction(ok('x - 10*y'), ['y', 'x'])
    expect(f([1, 2])).toBe(2 - 10)
    expect(() => toNumericFunction(ok('x + z'), ['x'])).toThrow("variable 'z'")
  })

  it('follows real-valued Math semantics', () => {
    expect(value('(0-8)^(1/3)')).toBeNaN()
    expect(value('1/0')).toBe(Infinity)
    expect(value('log(0)')).toBe(-Infinity)
    expect(value('sigmoid(800)')).toBe(1)
  })
})

describe('showExpression', () => {
  it.each([
    ['-x^2', '-x^2'],
    ['(-x)^2', '(-x)^2'],
    ['2^3^2', '2^3^2'],
    ['(2^3)^2', '(2^3)^2'],
    ['1-(2-3)', '1 - (2 - 3)'],
    ['1+(2+3)', '1 + (2 + 3)'],
    ['(1+2)+3', '1 + 2 + 3'],
    ['a/(b*c)', 'a/(b*c)'],
    ['(a*b)/c', 'a*b/c'],
    ['-(a*b)', '-(a*b)'],
    ['(-a)*b', '-a*b'],
    ['2^(-1)', '2^-1'],
    ['x^(y+1)', 'x^(y + 1)'],
    ['sin((x))', 'sin(x)'],
    [' ( ( 1e-3 ) ) ', '0.001']
  ])('%s prints as %s', (text, printed) => {
    expect(showExpression(ok(text))).toBe(printed)
  })

  it('prints literals the parser never makes as equivalent expressions', () => {
    expect(showExpression(binary('^', literal(-2), literal(2)))).toBe('(-2)^2')
    expect(value(showExpression(binary('^', literal(-2), literal(2))))).toBe(4)
    expect(value(showExpression(literal(Infinity)))).toBe(Infinity)
  })

  const names = fc.constantFrom('x', 'y', 'w1', '__proto__', 'constructor', 'θ', 'e_')
  const number = fc.oneof(
    fc.integer({ min: 0, max: 1000 }),
    fc.double({ min: 0, max: 1e30, noNaN: true }),
    fc.double({ min: 0, max: 1e-5, noNaN: true })
  )
  const operator = fc.constantFrom<BinaryOperator>('+', '-', '*', '/', '^')
  const { expression } = fc.letrec<{ expression: Expression }>((tie) => ({
    expression: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      number.map((v) => literal(v)),
      names.map((n) => variable(n)),
      fc.constantFrom(constant('pi'), constant('e')),
      tie('expression').map((e) => negate(e)),
      fc.tuple(operator, tie('expression'), tie('expression')).map(([op, a, b]) => binary(op, a, b)),
      fc.tuple(fc.constantFrom(...knownFunctions), tie('expression')).map(([f, a]) => call(f, a))
    )
  }))

  it('round-trips: parse(show(tree)) is the same tree', () => {
    fc.assert(
      fc.property(expression, (e) => {
        const text = showExpression(e)
        const back = parse(text)
        if (isLeft(back)) throw new Error(back.left.formatted)
        expect(expressionEquals(back.right, e)).toBe(true)
        expect(showExpression(back.right)).toBe(text)
      }),
      { seed: 2026, numRuns: 1000 }
    )
  })

  it('the round-trip check fails on a printer that drops needed parentheses', () => {
    const sloppy = (e: Expression): string =>
      e.kind === 'binary' ? `${sloppy(e.left)}${e.operator}${sloppy(e.right)}` : showExpression(e)
    const e = binary('-', variable('a'), binary('-', variable('b'), variable('c')))
    expect(expressionEquals(ok(sloppy(e)), e)).toBe(false)
  })
})

describe('formatAtColumn', () => {
  it('puts the caret under the column', () => {
    expect(formatAtColumn('abc', 3, 'm')).toBe('m\n  abc\n    ^')
    expect(formatAtColumn('abc', 4, 'm')).toBe('m\n  abc\n     ^')
  })
})

describe('toFunction', () => {
  const fn = (text: string, vars?: string[]) => {
    const p = rightOf(parseFunction(text, vars))
    return toFunction(p.expression, p.variables)
  }

  it('gradient and Hessian of x^2*y at (3, 2) are (2xy, x²) = (12, 9) and [[2y, 2x], [2x, 0]]', () => {
    const f = fn('x^2*y')
    expect(jit(f)(tensor([3, 2])).item()).toBe(18)
    expect(grad(f)(tensor([3, 2])).toArray()).toEqual([12, 9])
    expect(hessian(f)(tensor([3, 2])).toArray()).toEqual([
      [4, 6],
      [6, 0]
    ])
  })

  it('follows the --vars order', () => {
    const f = fn('x^2*y', ['y', 'w', 'x'])
    expect(grad(f)(tensor([2, 5, 3])).toArray()).toEqual([9, 0, 12])
  })

  it('Rosenbrock Hessian at (1, 1) is [[2 − 400(y − 3x²), −400x], [−400x, 200]] = [[802, −400], [−400, 200]]', () => {
    const h = hessian(fn('(1 - x)^2 + 100*(y - x^2)^2'))(tensor([1, 1])).toArray()
    expect(h).toEqual([
      [802, -400],
      [-400, 200]
    ])
  })

  it.each([
    ['sin(x)', Math.cos],
    ['cos(x)', (x: number) => -Math.sin(x)],
    ['tan(x)', (x: number) => 1 / Math.cos(x) ** 2],
    ['exp(x)', Math.exp],
    ['log(x)', (x: number) => 1 / x],
    ['sqrt(x)', (x: number) => 0.5 / Math.sqrt(x)],
    ['tanh(x)', (x: number) => 1 - Math.tanh(x) ** 2],
    ['sigmoid(x)', (x: number) => Math.exp(-x) / (1 + Math.exp(-x)) ** 2],
    ['abs(x)', (x: number) => Math.sign(x)],
    ['-x^3', (x: number) => -3 * x * x],
    ['2^x', (x: number) => Math.LN2 * 2 ** x],
    ['x^x', (x: number) => x ** x * (Math.log(x) + 1)],
    ['1/x', (x: number) => -1 / (x * x)],
    ['e^(pi*x)', (x: number) => Math.PI * Math.exp(Math.PI * x)]
  ] as const)('d/dx %s by hand', (text, derivative) => {
    const f = fn(text)
    for (const x of [0.3, 0.7, 1.9]) expect(grad(f)(tensor([x])).get(0)).toBeCloseTo(derivative(x), 12)
  })

  it('powers of negative bases with constant exponents are exact', () => {
    expect(grad(fn('x^3'))(tensor([-2])).get(0)).toBe(12)
    expect(grad(fn('x^2'))(tensor([-3])).get(0)).toBe(-6)
    expect(jit(fn('x^(1+2)'))(tensor([-2])).item()).toBe(-8)
  })

  it('a constant expression has zero gradient', () => {
    const p = rightOf(parseFunction('2^3 + pi', ['x']))
    const f = toFunction(p.expression, p.variables)
    expect(jit(f)(tensor([5])).item()).toBeCloseTo(8 + Math.PI, 14)
    expect(grad(f)(tensor([5])).toArray()).toEqual([0])
  })

  it('refuses variables missing from the list and points of the wrong size', () => {
    expect(() => toFunction(ok('x + y'), ['x'])).toThrow("variable 'y'")
    expect(() => jit(fn('x + y'))(tensor([1, 2, 3]))).toThrow('expected a vector of 2 coordinates (x, y)')
  })

  const pool = ['x', 'y', 'z'] as const
  const { e: smooth } = fc.letrec<{ e: Expression }>((tie) => ({
    e: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.double({ min: 0.1, max: 2, noNaN: true }).map((v) => literal(v)),
      fc.constantFrom(...pool).map((n) => variable(n)),
      tie('e').map((e) => negate(e)),
      fc.tuple(fc.constantFrom<BinaryOperator>('+', '-', '*'), tie('e'), tie('e')).map(([op, a, b]) => binary(op, a, b)),
      fc.tuple(tie('e'), fc.integer({ min: 1, max: 3 })).map(([a, k]) => binary('^', a, literal(k))),
      fc.tuple(fc.constantFrom('sin', 'cos', 'tanh', 'sigmoid') as fc.Arbitrary<'sin'>, tie('e')).map(([f, a]) => call(f, a))
    )
  }))
  const point = fc.tuple(...pool.map(() => fc.double({ min: -1.5, max: 1.5, noNaN: true })))

  it('on the graph equals the numeric evaluator on random expressions', () => {
    const { e: any } = fc.letrec<{ e: Expression }>((tie) => ({
      e: fc.oneof(
        { depthSize: 'small' },
        fc.double({ min: 0, max: 3, noNaN: true }).map((v) => literal(v)),
        fc.constantFrom(...pool).map((n) => variable(n)),
        fc.constantFrom(constant('pi'), constant('e')),
        tie('e').map((e) => negate(e)),
        fc.tuple(fc.constantFrom<BinaryOperator>('+', '-', '*', '/', '^'), tie('e'), tie('e')).map(([op, a, b]) => binary(op, a, b)),
        fc.tuple(fc.constantFrom(...knownFunctions), tie('e')).map(([f, a]) => call(f, a))
      )
    }))
    fc.assert(
      fc.property(any, point, (e, p) => {
        const onGraph = jit(toFunction(e, pool))(tensor(p)).item()
        const plain = toNumericFunction(e, pool)(p)
        if (Number.isNaN(plain)) expect(onGraph).toBeNaN()
        else if (!Number.isFinite(plain) || Math.abs(plain) > 1e12) expect(Math.sign(onGraph)).toBe(Math.sign(plain))
        else expect(Math.abs(onGraph - plain)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(plain)))
      }),
      { seed: 11, numRuns: 300 }
    )
  })

  it('gradients agree with central differences along a random direction', () => {
    fc.assert(
      fc.property(smooth, point, point, (e, p, dir) => {
        const f = toNumericFunction(e, pool)
        const g = grad(toFunction(e, pool))(tensor(p)).toArray() as number[]
        const h = 1e-5
        const fd = (f(p.map((v, i) => v + h * dir[i])) - f(p.map((v, i) => v - h * dir[i]))) / (2 * h)
        const exact = g.reduce((s, gi, i) => s + gi * dir[i], 0)
        expect(Math.abs(exact - fd)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(exact)))
      }),
      { seed: 3, numRuns: 300 }
    )
  })
})

describe('error messages stay short and say what is wrong', () => {
  const message = (s: string): string => {
    const r = parse(s)
    if (isRight(r)) throw new Error(`expected ${s.slice(0, 20)} to fail`)
    return r.left.message
  }
  it('a number without digits is malformed, not too large', () => {
    expect(message('.e5')).toBe("malformed number '.e5' at column 1: a number needs digits before or after the '.' (like .5 or 5e3)")
    expect(message('x + .E-2')).toBe("malformed number '.E-2' at column 5: a number needs digits before or after the '.' (like .5 or 5e3)")
    expect(isRight(parse('.5e3 + 5. + 5e3'))).toBe(true)
  })
  it('quote at most 40 characters of a huge token, and give its length', () => {
    expect(message('1'.repeat(1_000_000))).toBe(`number '${'1'.repeat(40)}… (1000000 characters)' at column 1 is too large for a float64`)
    expect(message(`2 ${'x'.repeat(100_000)}`).length).toBeLessThan(300)
    expect(message(`${'f'.repeat(100_000)}(1)`).length).toBeLessThan(300)
    const formatted = parse('1'.repeat(1_000_000))
    expect(isLeft(formatted) && formatted.left.formatted.length).toBeLessThan(400)
  })
})

describe('functions of the op table, comparisons, min, max, where, clip', () => {
  const value = (text: string, at: Record<string, number>): number => {
    const parsed = parse(text)
    if (isLeft(parsed)) throw new Error(parsed.left.formatted)
    return evaluateExpression(parsed.right, at)
  }
  const onGraph = (text: string, vars: readonly string[], at: readonly number[]): { value: number; gradient: number[] } => {
    const parsed = parse(text)
    if (isLeft(parsed)) throw new Error(parsed.left.formatted)
    const f = toFunction(parsed.right, vars)
    const [v, g] = valueAndGrad((x: Sym) => f(x))(tensor([...at]))
    return { value: v, gradient: Array.from(g.data) }
  }

  it.each([
    ['atan(x)', 0.7], ['asin(x)', 0.3], ['acos(x)', 0.3], ['sinh(x)', 1.2], ['cosh(x)', 1.2], ['asinh(x)', 1.2],
    ['log1p(x)', 1e-10], ['expm1(x)', 1e-10], ['erf(x)', 0.8], ['sign(x)', -2], ['relu(x)', -2], ['softplus(x)', 30],
    ['huber(x)', 0.5], ['huber(x)', -3], ['sigmoid(x)', -720], ['min(x, 2)', 3], ['max(x, 2)', 3], ['clip(x, 0, 1)', 1.5],
    ['where(x > 0, sqrt(x), -x)', -1], ['x < 1', 0.5], ['x <= 1', 1], ['x >= 2', 1], ['x > 2', 3], ['x == 1', 1], ['x != 1', 1]
  ])('%s at %d: the numeric and the graph meaning agree to the last bit', (text, x) => {
    expect(onGraph(text, ['x'], [x]).value).toBe(value(text, { x }))
  })

  it('the numbers are the closed forms', () => {
    expect(value('log1p(x)', { x: 1e-10 })).toBe(Math.log1p(1e-10))
    expect(value('huber(x)', { x: 3 })).toBe(2.5)
    expect(value('where(x > 0, sqrt(x), -x)', { x: -1 })).toBe(1)
    expect(value('min(x, y) + max(x, y)', { x: 2, y: -5 })).toBe(-3)
    expect(value('clip(x, -1, 1) * 10', { x: -7 })).toBe(-10)
    expect(value('sigmoid(x)', { x: -720 })).toBe(Math.exp(-720))
    expect(value('(x > 0) * (y < 0)', { x: 1, y: -1 })).toBe(1)
  })

  it('a hinge and a Huber loss: value and gradient on the graph, no NaN from the branch not taken', () => {
    expect(onGraph('max(1 - x*y, 0)', ['x', 'y'], [0.5, 1])).toEqual({ value: 0.5, gradient: [-1, -0.5] })
    expect(onGraph('huber(x - 3)', ['x'], [0])).toEqual({ value: 2.5, gradient: [-1] })
    expect(onGraph('where(x > 0, sqrt(x), -x)', ['x'], [-1])).toEqual({ value: 1, gradient: [-1] })
  })

  it('prints comparisons and calls of several arguments so they parse back', () => {
    for (const text of ['where(x > 0, x, -x)', 'min(x, y)^2', '(x < 1)*y', 'clip(x, -1, 1)', 'x + 1 >= y']) {
      const parsed = parse(text)
      if (isLeft(parsed)) throw new Error(parsed.left.formatted)
      expect(showExpression(parsed.right)).toBe(text)
    }
  })

  it.each([
    ['x < y < z', 7, 'comparisons do not chain'],
    ['min(x)', 6, "function 'min' takes 2 arguments (min(a, b)), found 1"],
    ['where(x, y)', 11, "function 'where' takes 3 arguments"],
    ['clip(x, 1, 2, 3)', 13, "function 'clip' takes 3 arguments"],
    ['max x', 1, "function 'max' at column 1 needs its arguments in parentheses"],
    ['min(x,', 7, "missing ')' at column 7"],
    ['x = 1', 3, 'compare with =='],
    ['x ! 1', 3, 'write != to compare']
  ])('%s fails at column %d', (text, column, message) => {
    const e = fails(text)
    expect(e.column).toBe(column)
    expect(e.message).toContain(message)
  })

  it('a function name is not a variable name', () => {
    expect(isValidVariableName('min')).toBe(false)
    expect(isValidVariableName('erf')).toBe(false)
  })
})
