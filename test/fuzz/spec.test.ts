/** Fuzzing the optimizer spec decoder: seeded and bounded, so a failure replays. */
import fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { decodeOptimizerSpec, encodeOptimizerSpec, optimizerFromSpec, parseOptimizerSpec } from '../../src/io/spec.js'
import { tensor } from '../../src/tensor/Tensor.js'

const keys = ['sgd', 'adam', 'adamw', 'rmsprop', 'nadam', 'lion', 'momentum', 'ewma', 'rms', 'clip', 'join', 'lr', 'beta', 'betas', 'rho', 'eps', 'max', 'debias', 'constant', 'value', 'schedules', 'boundaries', '__proto__', 'toString', 'constructor', '$', '']
const leaf = fc.oneof(
  // biome-ignore lint/correctness/noPrecisionLoss: 1e309 is meant to overflow to Infinity
  fc.constantFrom(0, 1, -1, 0.5, 0.9, 1e-3, 2, 1e309, NaN, true, false, null, 'adam', ''),
  fc.double(),
  fc.string({ maxLength: 5 })
)
/** JSON-like values over the spec's own words, so many are nearly valid. */
const specLike: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 6 },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom(...keys), tie('value'), { maxKeys: 3 })
  )
})).value

const valid: readonly unknown[] = [
  { adam: { lr: 0.01, betas: [0.9, 0.99] } },
  [{ ewma: { beta: 0.9, debias: true } }, { rms: { rho: 0.999, debias: true } }, { sgd: { lr: 0.001 } }],
  [{ clip: { max: 1 } }, { sgd: { lr: { join: { schedules: [{ constant: { value: 0.1 } }, { constant: { value: 0.01 } }], boundaries: [10] } } } }]
]

/** Replace one node of a JSON value, found by a path of child choices. */
const mutate = (u: unknown, choices: readonly number[], replacement: unknown): unknown => {
  if (choices.length === 0 || typeof u !== 'object' || u === null) return replacement
  const [c, ...rest] = choices
  if (Array.isArray(u)) return u.length === 0 ? replacement : u.map((x, i) => (i === c % u.length ? mutate(x, rest, replacement) : x))
  const entries = Object.entries(u)
  if (entries.length === 0) return replacement
  return Object.fromEntries(entries.map(([k, x], i) => [k, i === c % entries.length ? mutate(x, rest, replacement) : x]))
}

const checkDecoded = (json: unknown): void => {
  const r = decodeOptimizerSpec(json)
  if (E.isLeft(r)) {
    expect(r.left.length).toBeGreaterThan(0)
    for (const m of r.left) {
      expect(m.startsWith('$')).toBe(true)
      expect(m.length).toBeLessThan(600)
    }
    return
  }
  // A decoded spec encodes back to its JSON and builds an optimizer that steps.
  expect(encodeOptimizerSpec(r.right)).toEqual(json)
  const opt = optimizerFromSpec(r.right)
  const x = { w: tensor([1, -2]) }
  const [, u] = opt.step(opt.init(x), { w: tensor([0.5, 0.25]) }, x)
  expect(Array.from((u as unknown as { w: { data: Float64Array } }).w.data).every(Number.isFinite)).toBe(true)
}

describe('decodeOptimizerSpec on generated JSON', () => {
  it('never throws: it decodes to a spec that builds and steps, or names the path of each problem', () => {
    fc.assert(fc.property(specLike, (json) => checkDecoded(json)), { seed: 1203, numRuns: 3000 })
  })
  it('one mutation of a valid spec is decoded or rejected, never crashes', () => {
    fc.assert(
      fc.property(fc.constantFrom(...valid), fc.array(fc.nat(5), { maxLength: 8 }), specLike, (spec, path, replacement) => checkDecoded(mutate(spec, path, replacement))),
      { seed: 1204, numRuns: 3000 }
    )
  })
  it('text of any kind: parseOptimizerSpec never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), specLike.map((j) => JSON.stringify(j) ?? '')), (text) => {
        const r = parseOptimizerSpec(text)
        return E.isRight(r) || r.left.every((m) => m.length < 600)
      }),
      { seed: 1205, numRuns: 2000 }
    )
  })
})
