/** Fuzzing checkpoints: any storable state round-trips bit for bit; corrupt text is rejected, never half-read, never a crash. */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, it } from 'vitest'
import { parseCheckpoint, serializeCheckpoint } from '../../src/io/checkpoint.js'
import type { Optimizer } from '../../src/optim/Optimizer.js'
import { Tensor } from '../../src/tensor/Tensor.js'

const awkward = fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 5e-324, Number.MAX_VALUE, 1e-310, 0.1)
const number = fc.oneof(awkward, fc.double())
const key = fc.oneof(fc.constantFrom('$f64', '$tensor', '$$x', '$', '__proto__', 'a.b', 'toString', ''), fc.string({ maxLength: 4 }))
const tensorArb = fc.array(number, { maxLength: 6 }).map((xs) => Tensor.unsafeFromBuffer([xs.length], Float64Array.from(xs)))
const state: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 5 },
    number,
    fc.string({ maxLength: 6 }),
    fc.boolean(),
    fc.constant(null),
    tensorArb,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(key, tie('value'), { maxKeys: 3, noNullPrototype: true })
  )
})).value

/** Structural equality that tells −0 from 0 and NaN from NaN bit for bit. */
const sameBits = (a: unknown, b: unknown): boolean => {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b)
  if (a instanceof Tensor && b instanceof Tensor) {
    const x = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength)
    const y = new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength)
    return a.shape.join() === b.shape.join() && x.length === y.length && x.every((v, i) => v === y[i])
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameBits(v, b[i]))
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a).sort()
    const kb = Object.keys(b).sort()
    return ka.join('\u0000') === kb.join('\u0000') && ka.every((k) => sameBits((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  }
  return a === b
}

const holding = (s: unknown): Optimizer<unknown> => ({ init: () => s, step: (st, g) => [st, g] })
const params = { w: Tensor.unsafeFromBuffer([2], Float64Array.from([1, -0])) }

describe('checkpoints on generated states', () => {
  it('round-trip bit for bit, whatever the keys and numbers', () => {
    fc.assert(
      fc.property(state, fc.nat(1000), (s, step) => {
        const r = parseCheckpoint(serializeCheckpoint({ step, params, state: s }), { optimizer: holding(s), params })
        if (E.isLeft(r)) throw new Error(r.left.join('\n'))
        return r.right.step === step && sameBits(r.right.state, s) && sameBits(r.right.params, params)
      }),
      { seed: 1206, numRuns: 1500 }
    )
  })
  it('a flipped, dropped or inserted character is rejected with reasons, or reads back exactly the same checkpoint', () => {
    fc.assert(
      fc.property(state, fc.nat(), fc.constantFrom('flip', 'drop', 'insert', 'truncate'), fc.constantFrom('0', '1', '"', '{', ']', ',', 'A', '\\', '$'), (s, at, how, c) => {
        const text = serializeCheckpoint({ step: 3, params, state: s })
        const i = at % text.length
        const bad =
          how === 'flip' ? text.slice(0, i) + c + text.slice(i + 1) : how === 'drop' ? text.slice(0, i) + text.slice(i + 1) : how === 'insert' ? text.slice(0, i) + c + text.slice(i) : text.slice(0, i)
        const r = parseCheckpoint(bad, { optimizer: holding(s), params })
        if (E.isLeft(r)) return r.left.length > 0 && r.left.every((m) => m.length < 2000)
        return r.right.step === 3 && sameBits(r.right.state, s)
      }),
      { seed: 1207, numRuns: 1500 }
    )
  })
  it('arbitrary JSON in place of a checkpoint is rejected, never a crash', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (json) => E.isLeft(parseCheckpoint(JSON.stringify(json), { optimizer: holding(0) }))),
      { seed: 1208, numRuns: 1500 }
    )
  })
})
