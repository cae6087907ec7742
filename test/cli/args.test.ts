import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { decodeCount, decodeNameList, decodeNumber, decodeNumberList, decodePositive, splitArgs } from '../../src/cli/args.js'
import { showNumber, table } from '../../src/cli/table.js'

const specs = { from: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const

const message = <A>(r: E.Either<{ message: string }, A>): string => (E.isLeft(r) ? r.left.message : 'no error')

describe('splitArgs', () => {
  it('takes a value that starts with a minus, and an expression that starts with one', () => {
    const r = splitArgs(['-x^2', '--from', '-1.5,2', '--json', '-h'], specs)
    expect(E.isRight(r) && r.right).toEqual({ flags: { from: '-1.5,2', json: true, help: true }, positionals: ['-x^2'] })
    const eq = splitArgs(['--from=-3', 'x'], specs)
    expect(E.isRight(eq) && eq.right.flags.from).toBe('-3')
  })

  it('treats everything after -- as positional', () => {
    const r = splitArgs(['--', '--from', 'x'], specs)
    expect(E.isRight(r) && r.right.positionals).toEqual(['--from', 'x'])
  })

  it('names unknown flags (with a suggestion), missing values and values given to a boolean', () => {
    expect(message(splitArgs(['--form', '1'], specs))).toContain('unknown flag --form (did you mean --from?)')
    expect(message(splitArgs(['--from'], specs))).toBe('flag --from needs a value')
    expect(message(splitArgs(['--from', '--json'], specs))).toBe('flag --from needs a value, found the flag --json')
    expect(message(splitArgs(['--json=yes'], specs))).toContain("'--json' does not take an argument")
  })
})

describe('decoders', () => {
  it('decode numbers and lists with a leading minus and exponents', () => {
    expect(decodeNumber('--t', '-1e-3')).toEqual(E.right(-1e-3))
    expect(decodeNumberList('--from', '-1.5, 2,.5')).toEqual(E.right([-1.5, 2, 0.5]))
    expect(decodeCount('--steps', '1000')).toEqual(E.right(1000))
    expect(decodePositive('--grad-tol', '0', true)).toEqual(E.right(0))
    expect(decodeNameList('--vars', 'y, x')).toEqual(E.right(['y', 'x']))
  })

  it('reject what is not a number, naming the flag and the entry', () => {
    expect(message(decodeNumber('--grad-tol', '1e'))).toContain("--grad-tol: '1e' is not a number")
    expect(message(decodeNumber('--grad-tol', 'Infinity'))).toContain('is not a number')
    expect(message(decodeNumber('--grad-tol', '0x10'))).toContain('is not a number')
    expect(message(decodeNumber('--x', '1e400'))).toContain('too large')
    expect(message(decodeNumberList('--from', '1,,2'))).toContain('entry 2')
    expect(message(decodeNumberList('--from', ''))).toContain('empty list')
    expect(message(decodeCount('--steps', '2.5'))).toContain('not a whole number')
    expect(message(decodeCount('--steps', '0'))).toContain('at least 1')
    expect(message(decodePositive('--target', '-1'))).toContain('must be > 0')
    expect(message(decodeNameList('--vars', 'x,,y'))).toContain('entry 2')
  })
})

describe('table', () => {
  it('shows numbers shortly', () => {
    expect(showNumber(1001.6006392325)).toBe('1001.6')
    expect(showNumber(0.3993607674876)).toBe('0.399361')
    expect(showNumber(3.2e-9)).toBe('3.2e-9')
    expect(showNumber(-0)).toBe('0')
    expect(showNumber(2508)).toBe('2508')
    expect(showNumber(Infinity)).toBe('inf')
  })

  it('right-aligns numeric columns and left-aligns text', () => {
    expect(table([['a', '1'], ['bbb', '-22.5']], ['name', 'v'])).toBe('name      v\n────  ─────\na         1\nbbb   -22.5\n')
  })
})
