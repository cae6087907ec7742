/**
 * The expression language of the command line (`descent analyze 'x^2 - y^2'`):
 * a tokenizer and a precedence-climbing parser into an immutable AST with
 * source spans, errors that point at a column, a printer with minimal
 * parentheses, and two meanings for an expression: a plain number
 * (`evaluateExpression`) and a function on the autodiff graph (`toFunction`).
 *
 * Syntax (docs/expressions.md):
 *
 *   comparison := expression (('<' | '<=' | '>' | '>=' | '==' | '!=') expression)?   -- a mask: 1 or 0
 *   expression := term (('+' | '-') term)*
 *   term       := unary (('*' | '/') unary)*
 *   unary      := ('-' | '+') unary | power
 *   power      := primary ('^' unary)?          -- right-associative, tighter than unary minus
 *   primary    := number | name | function '(' comparison (',' comparison)* ')' | '(' comparison ')'
 *
 * so `-x^2` is `-(x^2)`, `2^-1` is `2^(-1)` and `2^3^2` is `2^(3^2)`.
 */
import { type Either, left, right, isLeft } from 'fp-ts/lib/Either.js'
import * as graph from '../graph/index.js'
import type { Sym } from '../graph/index.js'
import { numeric } from '../graph/primitives.js'
import type { Attrs, ElementwiseOp } from '../graph/Sym.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Where a node came from: 1-based columns (counted in code points), `end` exclusive. */
export interface Span {
  /** The first column; 0, as is `end`, for a node built in code without a span. */
  readonly start: number
  /** One past the last column. */
  readonly end: number
}

/** The functions of one argument the language knows, in the order error messages list them. */
export const knownFunctions = [
  'sin', 'cos', 'tan', 'exp', 'log', 'sqrt', 'tanh', 'sigmoid', 'abs', 'atan', 'asin', 'acos', 'sinh', 'cosh', 'asinh',
  'log1p', 'expm1', 'erf', 'sign', 'relu', 'softplus', 'huber'
] as const

/** A function of one argument the expression language knows (`knownFunctions`). */
export type FunctionName = (typeof knownFunctions)[number]

/** The functions of several arguments, with their argument counts: min(a, b), max(a, b), where(c, a, b), clip(x, lo, hi). */
export const knownMultiFunctions = {
  /** `min(a, b)`, the smaller of the two. */
  min: 2,
  /** `max(a, b)`, the larger of the two. */
  max: 2,
  /** `where(c, a, b)`: a where c ≠ 0, else b (the gradient flows only into the branch taken). */
  where: 3,
  /** `clip(x, lo, hi)` = min(max(x, lo), hi), PyTorch's `clamp`. */
  clip: 3
} as const

/** A function of several arguments the expression language knows (`knownMultiFunctions`). */
export type MultiFunctionName = keyof typeof knownMultiFunctions

/** The named constants: `pi` = π, `e` = Euler's number. */
export const knownConstants = ['pi', 'e'] as const

/** A named constant of the expression language (`knownConstants`). */
export type ConstantName = (typeof knownConstants)[number]

/** The comparisons of the expression language; each gives 1 where it holds, else 0. */
export type ComparisonOperator = '<' | '<=' | '>' | '>=' | '==' | '!='

/** The infix operators of the expression language (`^` is the power). */
export type BinaryOperator = '+' | '-' | '*' | '/' | '^' | ComparisonOperator

/** An immutable expression tree; every node records the columns it was parsed from. */
export type Expression =
  | {
      /** A number literal. */
      readonly kind: 'number'
      /** Its value: finite, and ≥ 0 when parsed (a sign is a `negate`). */
      readonly value: number
      /** The columns of the literal. */
      readonly span: Span
    }
  | {
      /** A variable, a coordinate of the point. */
      readonly kind: 'variable'
      /** An identifier that is neither a function nor a constant. */
      readonly name: string
      /** The columns of the name. */
      readonly span: Span
    }
  | {
      /** A named constant. */
      readonly kind: 'constant'
      /** `pi` or `e`. */
      readonly name: ConstantName
      /** The columns of the name. */
      readonly span: Span
    }
  | {
      /** Unary minus (a unary plus leaves no node). */
      readonly kind: 'negate'
      /** The negated expression. */
      readonly operand: Expression
      /** From the `-` to the end of the operand. */
      readonly span: Span
    }
  | {
      /** An infix operation: arithmetic, the power, or a comparison (1 where it holds, else 0). */
      readonly kind: 'binary'
      /** Which operation; `^` is the power. */
      readonly operator: BinaryOperator
      /** The left operand (the base of `^`). */
      readonly left: Expression
      /** The right operand (the exponent of `^`). */
      readonly right: Expression
      /** From the start of `left` to the end of `right`; parentheses around the whole are not included. */
      readonly span: Span
    }
  | {
      /** A call of a function of one argument. */
      readonly kind: 'call'
      /** One of `knownFunctions`. */
      readonly name: FunctionName
      /** Its argument. */
      readonly argument: Expression
      /** From the function's name to its closing parenthesis. */
      readonly span: Span
    }
  | {
      /** A call of a function of several arguments. */
      readonly kind: 'apply'
      /** One of `knownMultiFunctions`. */
      readonly name: MultiFunctionName
      /** Its arguments, exactly as many as the function takes. */
      readonly args: readonly Expression[]
      /** From the function's name to its closing parenthesis. */
      readonly span: Span
    }

/** A syntax error: what went wrong, the 1-based column, and the text it was found in. */
export interface ParseError {
  /** Tells it from a `VariablesError`. */
  readonly kind: 'ParseError'
  /** One line that names the problem and its column, e.g. `unexpected ')' at column 6`. */
  readonly message: string
  /** 1-based, counted in code points. */
  readonly column: number
  /** The whole text that was parsed. */
  readonly source: string
  /** The message, the source line and a caret under the column: what a terminal should show. */
  readonly formatted: string
}

/** A problem with a variable list (`--vars`), or a variable of the expression missing from it. */
export interface VariablesError {
  /** Tells it from a `ParseError`. */
  readonly kind: 'VariablesError'
  /** What is wrong, e.g. `variable list: 'x' is listed twice`. */
  readonly message: string
  /** The column of the offending variable in the expression, when the problem is there. */
  readonly column: number | undefined
  /** Same as `message` (there is no source line to show): so both error kinds print alike. */
  readonly formatted: string
}

/** An expression together with the order of its variables: coordinate k of a point is `variables[k]`. */
export interface ParsedFunction {
  /** The parsed text. */
  readonly expression: Expression
  /** `--vars` as given (names it lists but the expression does not use included), else the expression's variables sorted by name. */
  readonly variables: readonly string[]
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const noSpan: Span = Object.freeze({ start: 0, end: 0 })

/** A number literal node (span defaults to 0..0 for trees built in code). */
export const literal = (value: number, span: Span = noSpan): Expression => Object.freeze({ kind: 'number', value, span })

/** A variable node. */
export const variable = (name: string, span: Span = noSpan): Expression => Object.freeze({ kind: 'variable', name, span })

/** A named-constant node (`pi`, `e`). */
export const constant = (name: ConstantName, span: Span = noSpan): Expression =>
  Object.freeze({ kind: 'constant', name, span })

/** Unary minus. */
export const negate = (operand: Expression, span: Span = noSpan): Expression =>
  Object.freeze({ kind: 'negate', operand, span })

/** A binary operation `left operator right`. */
export const binary = (operator: BinaryOperator, l: Expression, r: Expression, span: Span = noSpan): Expression =>
  Object.freeze({ kind: 'binary', operator, left: l, right: r, span })

/** A function call `name(argument)`. */
export const call = (name: FunctionName, argument: Expression, span: Span = noSpan): Expression =>
  Object.freeze({ kind: 'call', name, argument, span })

/** A call of a function of several arguments, `min(a, b)`, `where(c, a, b)`. */
export const apply = (name: MultiFunctionName, args: readonly Expression[], span: Span = noSpan): Expression =>
  Object.freeze({ kind: 'apply', name, args: Object.freeze(args.slice()), span })

// -------------------------------------------------------------------------------------
// tokenizer
// -------------------------------------------------------------------------------------

type Token =
  | { readonly kind: 'number'; readonly value: number; readonly text: string; readonly start: number; readonly end: number }
  | { readonly kind: 'name'; readonly text: string; readonly start: number; readonly end: number }
  | {
      readonly kind: '+' | '-' | '*' | '/' | '^' | '(' | ')' | ',' | ComparisonOperator
      readonly text: string
      readonly start: number
      readonly end: number
    }
  | { readonly kind: 'end'; readonly text: string; readonly start: number; readonly end: number }

/** Thrown inside the parser only; `parse` turns it into a `Left`. */
class Failure {
  constructor(
    readonly column: number,
    readonly message: string
  ) {}
}

const functionSet: ReadonlySet<string> = new Set(knownFunctions)
const multiFunctionSet: ReadonlySet<string> = new Set(Object.keys(knownMultiFunctions))
const isFunctionName = (name: string): boolean => functionSet.has(name) || multiFunctionSet.has(name)
const allFunctions: readonly string[] = [...knownFunctions, ...Object.keys(knownMultiFunctions)]
const constantSet: ReadonlySet<string> = new Set(knownConstants)
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9'
const isNameStart = (c: string | undefined): boolean => c !== undefined && /^[\p{L}_]$/u.test(c)
const isNamePart = (c: string | undefined): boolean => c !== undefined && /^[\p{L}\p{Nd}_]$/u.test(c)
const isSpace = (c: string): boolean => /^\s$/u.test(c)
const symbols = '+-*/^(),'

const tokenize = (chars: readonly string[]): Token[] => {
  const tokens: Token[] = []
  let i = 0
  while (i < chars.length) {
    const c = chars[i]
    const column = i + 1
    if (isSpace(c)) {
      i++
    } else if (isDigit(c) || c === '.') {
      const [token, next] = readNumber(chars, i)
      tokens.push(token)
      i = next
    } else if (isNameStart(c)) {
      let j = i + 1
      while (isNamePart(chars[j])) j++
      tokens.push({ kind: 'name', text: chars.slice(i, j).join(''), start: column, end: j + 1 })
      i = j
    } else if ((c === '<' || c === '>' || c === '=' || c === '!') && (chars[i + 1] === '=' || c === '<' || c === '>')) {
      const two = chars[i + 1] === '='
      const text = two ? `${c}=` : c
      tokens.push({ kind: text as ComparisonOperator, text, start: column, end: column + text.length })
      i += text.length
    } else if (symbols.includes(c)) {
      tokens.push({ kind: c as '+', text: c, start: column, end: column + 1 })
      i++
    } else {
      const hint = c === '²' ? " (write x^2)" : c === '=' ? ' (an expression has no equations; compare with ==)' : c === '!' ? ' (write != to compare)' : ''
      throw new Failure(column, `unexpected character '${c}' at column ${column}${hint}`)
    }
  }
  tokens.push({ kind: 'end', text: 'end of input', start: chars.length + 1, end: chars.length + 1 })
  return tokens
}

/** Outside text quoted in a message, cut to 40 characters so a huge token cannot make a huge message. */
const clip = (text: string): string => (text.length > 40 ? `${text.slice(0, 40)}… (${text.length} characters)` : text)

/** digits [. digits] [(e|E) [+|-] digits], or . digits; `1e`, `1.2.3`, `.`, `.e5` are rejected whole. */
const readNumber = (chars: readonly string[], start: number): [Token, number] => {
  let i = start
  while (isDigit(chars[i])) i++
  let mantissaDigits = i - start
  if (chars[i] === '.') {
    i++
    const from = i
    while (isDigit(chars[i])) i++
    mantissaDigits += i - from
  }
  let exponentProblem = false
  if (chars[i] === 'e' || chars[i] === 'E') {
    const sign = chars[i + 1] === '+' || chars[i + 1] === '-' ? 1 : 0
    if (isDigit(chars[i + 1 + sign])) {
      i += 1 + sign
      while (isDigit(chars[i])) i++
    } else if (sign === 1 || !isNamePart(chars[i + 1])) {
      // `1e`, `1e+`, `2e )`: an exponent without digits. `2exp(x)` instead ends the number at 2
      // and is reported as a missing operator.
      i += 1 + sign
      exponentProblem = true
    }
  }
  const column = start + 1
  if (!exponentProblem && (chars[i] === '.' || isDigit(chars[i]))) {
    // `1.2.3`, `1e3.5`: show the whole malformed run
    while (chars[i] === '.' || isDigit(chars[i]) || chars[i] === 'e' || chars[i] === 'E') i++
    const text = chars.slice(start, i).join('')
    throw new Failure(column, `malformed number '${clip(text)}' at column ${column}: a number has at most one '.' (like 1.25 or 2e-3)`)
  }
  const text = chars.slice(start, i).join('')
  if (exponentProblem) {
    throw new Failure(
      column,
      `malformed number '${clip(text)}' at column ${column}: the exponent needs digits (like 1e-3); for a product with the constant e write ${clip(text.replace(/[eE][+-]?$/, ''))}*e`
    )
  }
  if (mantissaDigits === 0) throw new Failure(column, `malformed number '${clip(text)}' at column ${column}: a number needs digits before or after the '.' (like .5 or 5e3)`)
  const value = Number(text)
  if (!Number.isFinite(value)) throw new Failure(column, `number '${clip(text)}' at column ${column} is too large for a float64`)
  return [{ kind: 'number', value, text, start: column, end: i + 1 }, i]
}

// -------------------------------------------------------------------------------------
// parser
// -------------------------------------------------------------------------------------

/** Deeper than this is refused, so that no walk over the tree can run out of stack. */
const maxDepth = 1000

const describeToken = (t: Token): string => (t.kind === 'end' ? 'end of input' : `'${clip(t.text)}'`)

const startsOperand = (t: Token): boolean => t.kind === 'number' || t.kind === 'name' || t.kind === '('

const editDistance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return row[b.length]
}

const functionHint = (name: string): string => {
  const hints: Record<string, string> = { ln: 'log is the natural logarithm', pow: "write a^b", sqr: 'write x^2' }
  if (Object.hasOwn(hints, name)) return ` (${hints[name]})`
  const lower = name.toLowerCase()
  if (lower !== name && isFunctionName(lower)) return ` (did you mean '${lower}'? names are case-sensitive)`
  return ''
}

class Parser {
  private position = 0
  private depth = 0

  constructor(private readonly tokens: readonly Token[]) {}

  private peek(): Token {
    return this.tokens[this.position]
  }

  private advance(): Token {
    const t = this.tokens[this.position]
    if (t.kind !== 'end') this.position++
    return t
  }

  private enter(column: number): void {
    if (++this.depth > maxDepth) {
      throw new Failure(column, `expression nested too deeply at column ${column} (more than ${maxDepth} levels)`)
    }
  }

  private leave(): void {
    this.depth--
  }

  parseAll(): Expression {
    if (this.peek().kind === 'end') throw new Failure(1, 'empty expression at column 1: write something like x^2 + y^2')
    const e = this.comparison()
    const t = this.peek()
    if (t.kind !== 'end') {
      this.failAfterOperand(t, t.kind === ')' ? `unexpected ')' at column ${t.start}: no '(' to match it` : '')
    }
    return e
  }

  /** An operand was complete but `t` cannot follow it: name the most likely mistake. */
  private failAfterOperand(t: Token, otherwise: string): never {
    if (startsOperand(t)) {
      const previous = this.tokens[this.position - 1]
      const show = (u: Token): string => (u.kind === '(' || u.kind === ')' ? '(…)' : clip(u.text))
      throw new Failure(
        t.start,
        `missing operator before ${describeToken(t)} at column ${t.start}: implicit multiplication is not supported, write ${show(previous)}*${show(t)}`
      )
    }
    throw new Failure(t.start, otherwise !== '' ? otherwise : `unexpected ${describeToken(t)} at column ${t.start}`)
  }

  private comparison(): Expression {
    const l = this.expression()
    if (!isComparison(this.peek())) return l
    const op = this.advance().kind as ComparisonOperator
    const r = this.expression()
    const next = this.peek()
    if (isComparison(next)) {
      throw new Failure(next.start, `comparisons do not chain: '${next.text}' at column ${next.start} follows a comparison; write where(…) or combine masks with *`)
    }
    return binary(op, l, r, { start: l.span.start, end: r.span.end })
  }

  private expression(): Expression {
    let l = this.term()
    while (this.peek().kind === '+' || this.peek().kind === '-') {
      const op = this.advance().kind as '+' | '-'
      const r = this.term()
      l = binary(op, l, r, { start: l.span.start, end: r.span.end })
    }
    return l
  }

  private term(): Expression {
    let l = this.unary()
    while (this.peek().kind === '*' || this.peek().kind === '/') {
      const op = this.advance()
      if (op.kind === '*' && this.peek().kind === '*' && this.peek().start === op.end) {
        throw new Failure(op.start, `'**' at column ${op.start} is not an operator: write x^2 for powers`)
      }
      const r = this.unary()
      l = binary(op.kind as '*' | '/', l, r, { start: l.span.start, end: r.span.end })
    }
    return l
  }

  private unary(): Expression {
    const t = this.peek()
    if (t.kind === '-' || t.kind === '+') {
      this.advance()
      this.enter(t.start)
      const operand = this.unary()
      this.leave()
      return t.kind === '-' ? negate(operand, { start: t.start, end: operand.span.end }) : operand
    }
    return this.power()
  }

  private power(): Expression {
    const base = this.primary()
    if (this.peek().kind !== '^') return base
    const caret = this.advance()
    this.enter(caret.start)
    const exponent = this.unary()
    this.leave()
    return binary('^', base, exponent, { start: base.span.start, end: exponent.span.end })
  }

  private primary(): Expression {
    const t = this.peek()
    switch (t.kind) {
      case 'number':
        this.advance()
        return literal(t.value, { start: t.start, end: t.end })
      case 'name':
        return this.name(t)
      case '(': {
        this.advance()
        if (this.peek().kind === ')') throw new Failure(t.start, `empty parentheses '()' at column ${t.start}`)
        this.enter(t.start)
        const inner = this.comparison()
        this.leave()
        this.closeParenthesis(t, '')
        return inner
      }
      default: {
        const after = this.position > 0 ? ` after ${describeToken(this.tokens[this.position - 1])}` : ''
        const what = t.kind === 'end' ? `expression ends too early at column ${t.start}` : `unexpected ${describeToken(t)} at column ${t.start}`
        throw new Failure(t.start, `${what}: expected a number, a variable, a function call or '('${after}`)
      }
    }
  }

  private closeParenthesis(open: Token, fn: string): void {
    const t = this.peek()
    if (t.kind === ')') {
      this.advance()
      return
    }
    if (t.kind === ',' && fn !== '') {
      throw new Failure(t.start, `function '${fn}' takes one argument, found ',' at column ${t.start}`)
    }
    if (t.kind === 'end') {
      throw new Failure(t.start, `missing ')' at column ${t.start} to close the '(' at column ${open.start}`)
    }
    this.failAfterOperand(t, `unexpected ${describeToken(t)} at column ${t.start}: expected ')' to close the '(' at column ${open.start}`)
  }

  private name(t: Token & { kind: 'name' }): Expression {
    this.advance()
    const called = this.peek().kind === '('
    if (functionSet.has(t.text)) {
      const fn = t.text as FunctionName
      if (!called) {
        throw new Failure(t.start, `function '${fn}' at column ${t.start} needs its argument in parentheses: write ${fn}(…)`)
      }
      const open = this.advance()
      if (this.peek().kind === ')') throw new Failure(this.peek().start, `function '${fn}' needs one argument, found none at column ${this.peek().start}`)
      this.enter(open.start)
      const argument = this.comparison()
      this.leave()
      this.closeParenthesis(open, fn)
      return call(fn, argument, { start: t.start, end: this.tokens[this.position - 1].end })
    }
    if (multiFunctionSet.has(t.text)) return this.apply(t, called)
    if (constantSet.has(t.text)) {
      if (called) {
        throw new Failure(
          this.peek().start,
          `missing operator before '(' at column ${this.peek().start}: '${t.text}' is a constant and implicit multiplication is not supported, write ${t.text}*(…)`
        )
      }
      return constant(t.text as ConstantName, { start: t.start, end: t.end })
    }
    if (called) {
      const known = `known functions: ${allFunctions.join(', ')}`
      const usedAsVariable = this.tokens.some((u, i) => u.kind === 'name' && u.text === t.text && this.tokens[i + 1].kind !== '(')
      if (usedAsVariable || [...t.text].length === 1) {
        throw new Failure(
          t.start,
          `variable '${clip(t.text)}' at column ${t.start} is used like a function: implicit multiplication is not supported, write ${clip(t.text)}*(…); ${known}`
        )
      }
      const near = allFunctions.filter((f) => editDistance(f, t.text) <= 1 && f !== t.text.toLowerCase())
      const suggestion = functionHint(t.text) || (near.length > 0 ? ` (did you mean '${near[0]}'?)` : '')
      throw new Failure(t.start, `unknown function '${clip(t.text)}' at column ${t.start}${suggestion}; known: ${allFunctions.join(', ')}`)
    }
    return variable(t.text, { start: t.start, end: t.end })
  }

  /** `min(a, b)`, `where(c, a, b)`, …: exactly as many arguments as the function takes. */
  private apply(t: Token & { kind: 'name' }, called: boolean): Expression {
    const fn = t.text as MultiFunctionName
    const arity = knownMultiFunctions[fn]
    const usage = `${fn}(${['a', 'b', 'c'].slice(0, arity).join(', ')})`
    if (!called) throw new Failure(t.start, `function '${fn}' at column ${t.start} needs its arguments in parentheses: write ${usage}`)
    const open = this.advance()
    this.enter(open.start)
    const args: Expression[] = []
    for (;;) {
      const next = this.peek()
      if (next.kind === ')' || next.kind === 'end' || next.kind === ',') {
        if (next.kind === 'end') throw new Failure(next.start, `missing ')' at column ${next.start} to close the '(' at column ${open.start}`)
        throw new Failure(next.start, `function '${fn}' takes ${arity} arguments (${usage}), found ${describeToken(next)} at column ${next.start} where argument ${args.length + 1} should be`)
      }
      args.push(this.comparison())
      const after = this.peek()
      if (after.kind === ',' && args.length < arity) {
        this.advance()
        continue
      }
      if (after.kind === ')' && args.length === arity) break
      if (after.kind === ')' || after.kind === ',') {
        throw new Failure(after.start, `function '${fn}' takes ${arity} arguments (${usage}), found ${after.kind === ')' ? args.length : 'more'} at column ${after.start}`)
      }
      this.closeParenthesis(open, '')
    }
    this.advance()
    this.leave()
    return apply(fn, args, { start: t.start, end: this.tokens[this.position - 1].end })
  }
}

const depthOf = (root: Expression): number => {
  let deepest = 0
  const stack: Array<[Expression, number]> = [[root, 1]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!
    deepest = Math.max(deepest, depth)
    for (const child of childrenOf(node)) stack.push([child, depth + 1])
  }
  return deepest
}

const isComparison = (t: Token): boolean =>
  t.kind === '<' || t.kind === '<=' || t.kind === '>' || t.kind === '>=' || t.kind === '==' || t.kind === '!='

const childrenOf = (e: Expression): readonly Expression[] =>
  e.kind === 'negate' ? [e.operand] : e.kind === 'binary' ? [e.left, e.right] : e.kind === 'call' ? [e.argument] : e.kind === 'apply' ? e.args : []

/**
 * Parse an expression. Never throws: every problem is a `ParseError` whose
 * message names it and its 1-based column, and whose `formatted` text shows
 * the line with a caret under that column.
 *
 * @example parse('x^2 * y')   // right(binary('*', binary('^', x, 2), y))
 * @example parse('2x')        // left: missing operator before 'x' at column 2: … write 2*x
 */
export const parse = (text: string): Either<ParseError, Expression> => {
  const chars = [...text]
  try {
    const expression = new Parser(tokenize(chars)).parseAll()
    // Long chains such as 1+1+…+1 build deep trees without deep parser recursion.
    if (depthOf(expression) > 4 * maxDepth) {
      throw new Failure(1, `expression too long at column 1: its tree is more than ${4 * maxDepth} levels deep`)
    }
    return right(expression)
  } catch (e) {
    if (e instanceof Failure) return left(parseError(text, e.column, e.message))
    throw e
  }
}

/**
 * Parse and fix the variable order in one go: `vars` (the user's `--vars`)
 * if given, else the expression's variables sorted by name. Errors about a
 * variable of the expression carry its column and a caret.
 */
export const parseFunction = (
  text: string,
  vars?: readonly string[]
): Either<ParseError | VariablesError, ParsedFunction> => {
  const parsed = parse(text)
  if (isLeft(parsed)) return parsed
  const resolved = resolveVariables(parsed.right, vars)
  if (isLeft(resolved)) {
    const e = resolved.left
    return left(e.column === undefined ? e : parseError(text, e.column, e.message))
  }
  return right({ expression: parsed.right, variables: resolved.right })
}

// -------------------------------------------------------------------------------------
// errors
// -------------------------------------------------------------------------------------

const parseError = (source: string, column: number, message: string): ParseError => ({
  kind: 'ParseError',
  message,
  column,
  source,
  formatted: formatAtColumn(source, column, message)
})

/**
 * A message, then the source line indented by two spaces, then a caret under
 * the 1-based `column`. Lines longer than 100 characters are cut to a window
 * around the column, and whitespace is shown as spaces so the caret lines up.
 *
 * @example formatAtColumn('x + y)', 6, "unexpected ')' at column 6")
 *   // "unexpected ')' at column 6\n  x + y)\n       ^"
 */
export const formatAtColumn = (source: string, column: number, message: string): string => {
  const chars = [...source].map((c) => (isSpace(c) ? ' ' : c))
  let from = 0
  let to = chars.length
  const width = 100
  if (chars.length > width) {
    from = Math.max(0, Math.min(column - 1 - width / 2, chars.length - width))
    to = Math.min(chars.length, from + width)
  }
  const prefix = from > 0 ? '…' : ''
  const suffix = to < chars.length ? '…' : ''
  const line = prefix + chars.slice(from, to).join('') + suffix
  const caret = ' '.repeat(Math.max(0, column - 1 - from + prefix.length)) + '^'
  return `${message}\n  ${line}\n  ${caret}`
}

/** The text a terminal should show for a parse error (same as `error.formatted`). */
export const showParseError = (error: ParseError): string => error.formatted

// -------------------------------------------------------------------------------------
// variables
// -------------------------------------------------------------------------------------

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** The distinct variables of an expression, sorted by name (code-unit order, the same in every locale). */
export const variablesOf = (expression: Expression): readonly string[] => {
  const names = new Set<string>()
  walk(expression, (e) => {
    if (e.kind === 'variable') names.add(e.name)
  })
  return [...names].sort(byName)
}

const walk = (root: Expression, visit: (e: Expression) => void): void => {
  const stack: Expression[] = [root]
  while (stack.length > 0) {
    const e = stack.pop()!
    visit(e)
    const children = childrenOf(e)
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i])
  }
}

/** True when `name` can be a variable: an identifier that is neither a function nor a constant. */
export const isValidVariableName = (name: string): boolean => {
  const chars = [...name]
  return chars.length > 0 && isNameStart(chars[0]) && chars.every(isNamePart) && !isFunctionName(name) && !constantSet.has(name)
}

/**
 * The variable order for an expression: `vars` as given (the user's
 * `--vars`; names listed but unused are allowed), or the expression's own
 * variables sorted by name. Refuses a list with a duplicate or an invalid
 * name, and an expression variable the list does not name.
 */
export const resolveVariables = (expression: Expression, vars?: readonly string[]): Either<VariablesError, readonly string[]> => {
  if (vars === undefined) return right(variablesOf(expression))
  const problem = (message: string, column?: number): Either<VariablesError, readonly string[]> =>
    left({ kind: 'VariablesError', message, column, formatted: message })
  const seen = new Set<string>()
  for (const name of vars) {
    if (isFunctionName(name)) return problem(`variable list: '${name}' is a function, not a variable`)
    if (constantSet.has(name)) return problem(`variable list: '${name}' is a constant, not a variable`)
    if (!isValidVariableName(name)) return problem(`variable list: '${name}' is not a valid variable name (letters, digits, _; not starting with a digit)`)
    if (seen.has(name)) return problem(`variable list: '${name}' is listed twice`)
    seen.add(name)
  }
  let missing: Expression | undefined
  walk(expression, (e) => {
    if (missing === undefined && e.kind === 'variable' && !seen.has(e.name)) missing = e
  })
  if (missing !== undefined && missing.kind === 'variable') {
    const where = missing.span.start > 0 ? ` at column ${missing.span.start}` : ''
    const listed = vars.length === 0 ? 'the variable list is empty' : `the variable list has ${vars.join(', ')}`
    return problem(`unknown variable '${missing.name}'${where}: ${listed}`, missing.span.start > 0 ? missing.span.start : undefined)
  }
  return right(vars.slice())
}

// -------------------------------------------------------------------------------------
// printing and comparing
// -------------------------------------------------------------------------------------

/** Binding strength: comparison 0, sum 1, product 2, unary minus 3, power 4, atoms 5. */
const precedence = (e: Expression): number => {
  switch (e.kind) {
    case 'binary':
      return e.operator === '+' || e.operator === '-' ? 1 : e.operator === '^' ? 4 : e.operator === '*' || e.operator === '/' ? 2 : 0
    case 'negate':
      return 3
    default:
      return 5
  }
}

const showNumber = (x: number): string => {
  if (Number.isNaN(x)) return '(0/0)'
  if (x === Infinity) return '(1/0)'
  if (x === -Infinity) return '(-1/0)'
  if (x < 0 || Object.is(x, -0)) return `(-${String(-x)})`
  return String(x)
}

/**
 * Print an expression with the fewest parentheses that parse back to the same
 * tree: `-x^2`, `(-x)^2`, `a - (b - c)`, `2^3^2`, `(2^3)^2`. Spaces around
 * `+` and `-` only. Negative or non-finite number literals (which the parser
 * never makes) print as an equivalent parenthesised expression.
 */
export const showExpression = (e: Expression): string => {
  const wrap = (child: Expression, atLeast: number): string => {
    const text = showExpression(child)
    return precedence(child) >= atLeast ? text : `(${text})`
  }
  switch (e.kind) {
    case 'number':
      return showNumber(e.value)
    case 'variable':
    case 'constant':
      return e.name
    case 'call':
      return `${e.name}(${showExpression(e.argument)})`
    case 'apply':
      return `${e.name}(${e.args.map(showExpression).join(', ')})`
    case 'negate':
      return `-${wrap(e.operand, 3)}`
    case 'binary':
      switch (e.operator) {
        case '+':
        case '-':
          return `${wrap(e.left, 1)} ${e.operator} ${wrap(e.right, 2)}`
        case '*':
        case '/':
          return `${wrap(e.left, 2)}${e.operator}${wrap(e.right, 3)}`
        case '^':
          return `${wrap(e.left, 5)}^${wrap(e.right, 3)}`
        default:
          return `${wrap(e.left, 1)} ${e.operator} ${wrap(e.right, 1)}`
      }
  }
}

/** Structural equality ignoring spans (number literals compared with `Object.is`). */
export const expressionEquals = (a: Expression, b: Expression): boolean => {
  if (a.kind !== b.kind) return false
  switch (a.kind) {
    case 'number':
      return Object.is(a.value, (b as typeof a).value)
    case 'variable':
    case 'constant':
      return a.name === (b as typeof a).name
    case 'negate':
      return expressionEquals(a.operand, (b as typeof a).operand)
    case 'call':
      return a.name === (b as typeof a).name && expressionEquals(a.argument, (b as typeof a).argument)
    case 'apply': {
      const o = b as typeof a
      return a.name === o.name && a.args.length === o.args.length && a.args.every((x, i) => expressionEquals(x, o.args[i]))
    }
    case 'binary': {
      const o = b as typeof a
      return a.operator === o.operator && expressionEquals(a.left, o.left) && expressionEquals(a.right, o.right)
    }
  }
}

// -------------------------------------------------------------------------------------
// numeric meaning
// -------------------------------------------------------------------------------------

/** Each function and operator of the language is one op of the graph's table: its numbers are that op's forward. */
interface Meaning {
  readonly op: ElementwiseOp
  readonly attrs: Attrs
  readonly graph: (...args: (Sym | number)[]) => Sym
}

const meaning = (op: ElementwiseOp, build: (...args: never[]) => Sym, attrs: Attrs = {}): Meaning => ({
  op,
  attrs,
  graph: build as unknown as Meaning['graph']
})

const functionMeanings: Readonly<Record<FunctionName | MultiFunctionName, Meaning>> = {
  sin: meaning('sin', graph.sin),
  cos: meaning('cos', graph.cos),
  tan: meaning('tan', graph.tan),
  exp: meaning('exp', graph.exp),
  log: meaning('log', graph.log),
  sqrt: meaning('sqrt', graph.sqrt),
  tanh: meaning('tanh', graph.tanh),
  sigmoid: meaning('sigmoid', graph.sigmoid),
  abs: meaning('abs', graph.abs),
  atan: meaning('atan', graph.atan),
  asin: meaning('asin', graph.asin),
  acos: meaning('acos', graph.acos),
  sinh: meaning('sinh', graph.sinh),
  cosh: meaning('cosh', graph.cosh),
  asinh: meaning('asinh', graph.asinh),
  log1p: meaning('log1p', graph.log1p),
  expm1: meaning('expm1', graph.expm1),
  erf: meaning('erf', graph.erf),
  sign: meaning('sign', graph.sign),
  relu: meaning('relu', graph.relu),
  softplus: meaning('softplus', graph.softplus),
  huber: meaning('huber', (x: Sym) => graph.huber(x, 1), { delta: 1 }),
  min: meaning('minimum', graph.minimum),
  max: meaning('maximum', graph.maximum),
  where: meaning('where', graph.where),
  clip: meaning('clip', graph.clip)
}

const operatorMeanings: Readonly<Record<BinaryOperator, Meaning>> = {
  '+': meaning('add', graph.add),
  '-': meaning('sub', graph.sub),
  '*': meaning('mul', graph.mul),
  '/': meaning('div', graph.div),
  // a constant exponent becomes the graph's x^c, exact for negative bases too
  '^': meaning('pow', graph.pow),
  '<': meaning('less', graph.less),
  '<=': meaning('lessequal', graph.lessEqual),
  '>': meaning('greater', graph.greater),
  '>=': meaning('greaterequal', graph.greaterEqual),
  '==': meaning('eqmask', graph.equal),
  '!=': meaning('notequal', graph.notEqual)
}

const numberOf = (m: Meaning): ((a: number, b: number, c: number) => number) => numeric[m.op].forward(m.attrs)
const negateNumber = numeric.neg.forward({})

const constantValues: Readonly<Record<ConstantName, number>> = { pi: Math.PI, e: Math.E }

/**
 * Build a plain numeric function of a point: coordinate k of `point` is the
 * value of `vars[k]`. The tree is turned into closures once, so calling it on
 * a 200×200 contour grid costs no tree walks. Real-valued semantics of
 * `Math`: `log` is natural, `(-8)^(1/3)` is NaN, `x/0` is ±Infinity.
 *
 * Throws a RangeError when a variable of the expression is not in `vars`:
 * resolve the order first with `resolveVariables`/`parseFunction`.
 */
export const toNumericFunction = (expression: Expression, vars: readonly string[]): ((point: ArrayLike<number>) => number) => {
  const index = new Map(vars.map((v, k) => [v, k]))
  const build = (e: Expression): ((p: ArrayLike<number>) => number) => {
    switch (e.kind) {
      case 'number': {
        const v = e.value
        return () => v
      }
      case 'constant': {
        const v = constantValues[e.name]
        return () => v
      }
      case 'variable': {
        const k = index.get(e.name)
        if (k === undefined) throw new RangeError(`variable '${e.name}' is not among [${vars.join(', ')}]`)
        return (p) => p[k]
      }
      case 'negate': {
        const f = build(e.operand)
        return (p) => negateNumber(f(p), 0, 0)
      }
      case 'call': {
        const f = build(e.argument)
        const g = numberOf(functionMeanings[e.name])
        return (p) => g(f(p), 0, 0)
      }
      case 'apply': {
        const [f, g, h] = e.args.map(build)
        const op = numberOf(functionMeanings[e.name])
        return h === undefined ? (p) => op(f(p), g(p), 0) : (p) => op(f(p), g(p), h(p))
      }
      case 'binary': {
        const f = build(e.left)
        const g = build(e.right)
        const op = numberOf(operatorMeanings[e.operator])
        return (p) => op(f(p), g(p), 0)
      }
    }
  }
  return build(expression)
}

/**
 * The value of an expression with the variables set from `values`
 * (an independent reference for the graph version in tests, and handy for
 * plots). Throws a RangeError when a variable has no value.
 */
export const evaluateExpression = (expression: Expression, values: Readonly<Record<string, number>>): number => {
  const names = variablesOf(expression)
  for (const name of names) {
    if (!Object.hasOwn(values, name)) throw new RangeError(`no value for variable '${name}'`)
  }
  return toNumericFunction(expression, names)(names.map((n) => values[n]))
}

// -------------------------------------------------------------------------------------
// graph meaning
// -------------------------------------------------------------------------------------

/** Numbers in, a number out (folded with the op's forward); otherwise the graph op. */
const meaningOf = (m: Meaning, args: readonly (Sym | number)[]): Sym | number => {
  if (args.every((a) => typeof a === 'number')) {
    const [a, b, c] = args as number[]
    return numberOf(m)(a, b ?? 0, c ?? 0)
  }
  return m.graph(...args)
}

/**
 * The expression as a function on the autodiff graph, ready for `grad`,
 * `hessian`, `hvp`, `jit`: its argument is a vector of shape
 * `[vars.length]` whose coordinate k is the variable `vars[k]`
 * (`x.at(k)`). Subtrees without variables are folded to numbers first, so
 * `x^(1/2)` uses the graph's constant-exponent power. A constant expression
 * gives a constant node.
 *
 * Throws a RangeError when a variable of the expression is not in `vars`
 * (resolve the order first with `resolveVariables`/`parseFunction`), and
 * when the function is called on a tensor of the wrong shape.
 *
 * @example grad(toFunction(parsed('x^2*y'), ['x', 'y']))(tensor([3, 2])) // [12, 9]
 * @see toNumericFunction for the same function on plain numbers
 */
export const toFunction = (expression: Expression, vars: readonly string[]): ((x: Sym) => Sym) => {
  const index = new Map(vars.map((v, k) => [v, k]))
  for (const name of variablesOf(expression)) {
    if (!index.has(name)) throw new RangeError(`variable '${name}' is not among [${vars.join(', ')}]`)
  }
  return (x: Sym): Sym => {
    if (x.shape.length !== 1 || x.shape[0] !== vars.length) {
      throw new RangeError(`expected a vector of ${vars.length} coordinates (${vars.join(', ')}), got shape [${x.shape.join(',')}]`)
    }
    const build = (e: Expression): Sym | number => {
      switch (e.kind) {
        case 'number':
          return e.value
        case 'constant':
          return constantValues[e.name]
        case 'variable':
          return x.at(index.get(e.name)!)
        case 'negate': {
          const a = build(e.operand)
          return typeof a === 'number' ? negateNumber(a, 0, 0) : graph.neg(a)
        }
        case 'call':
          return meaningOf(functionMeanings[e.name], [build(e.argument)])
        case 'apply':
          return meaningOf(functionMeanings[e.name], e.args.map(build))
        case 'binary':
          return meaningOf(operatorMeanings[e.operator], [build(e.left), build(e.right)])
      }
    }
    const result = build(expression)
    return typeof result === 'number' ? graph.constant(result) : result
  }
}
