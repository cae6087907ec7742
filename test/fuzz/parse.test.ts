/** Fuzzing the expression parser: seeded and bounded, so a failure replays. */
import fc from 'fast-check'
import { isLeft, isRight } from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { evaluateExpression, parse, showExpression, variablesOf } from '../../src/io/parse.js'

const pieces = ['x', 'y', 'z', '1', '2.5', '.5', '1e3', '.e5', '1e', '1.2.3', 'e', 'pi', 'sin', 'exp', 'log', 'sqrt', '(', ')', '+', '-', '*', '/', '^', ',', ' ', '²', '=', 'é', '9'.repeat(400)]
const soup = fc.array(fc.constantFrom(...pieces), { maxLength: 30 }).map((xs) => xs.join(''))
const anything = fc.string({ unit: 'binary', maxLength: 60 })
const settings = { seed: 1201, numRuns: 3000 }

describe('parse on generated text', () => {
  it('never throws; every rejection has a short message, a column inside the text and a caret line', () => {
    fc.assert(
      fc.property(fc.oneof(soup, anything), (text) => {
        const r = parse(text)
        if (isRight(r)) return true
        const { message, column, formatted } = r.left
        expect(message.length).toBeLessThan(400)
        expect(column).toBeGreaterThanOrEqual(1)
        expect(column).toBeLessThanOrEqual([...text].length + 1)
        expect(formatted.split('\n')).toHaveLength(3)
        expect(formatted.length).toBeLessThan(message.length + 2 * 110)
        return true
      }),
      settings
    )
  })
  it('what it accepts prints back to text that parses to the same value', () => {
    fc.assert(
      fc.property(soup, fc.double({ min: -3, max: 3, noNaN: true }), (text, v) => {
        const r = parse(text)
        if (isLeft(r)) return true
        const again = parse(showExpression(r.right))
        expect(isRight(again)).toBe(true)
        if (isLeft(again)) return false
        const values = Object.fromEntries(variablesOf(r.right).map((name) => [name, v]))
        const a = evaluateExpression(r.right, values)
        const b = evaluateExpression(again.right, values)
        expect(Object.is(a, b) || Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a))).toBe(true)
        return true
      }),
      { seed: 1202, numRuns: 2000 }
    )
  })
})
