import { createHash } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { minimize } from '../../src/drivers/minimize.js'
import {
  type Expected,
  decodeValue,
  encodeValue,
  parseCheckpoint,
  serializeCheckpoint
} from '../../src/io/checkpoint.js'
import { optimizerFromSpec } from '../../src/io/spec.js'
import { adam, nadam } from '../../src/optim/aliases.js'
import { withMomentum, sgd } from '../../src/optim/combinators.js'
import type { Optimizer } from '../../src/optim/Optimizer.js'
import { type Tensor, fromArray, scalar, tensor } from '../../src/tensor/Tensor.js'
import type { TensorTree } from '../../src/tensor/Tree.js'

const awkward = [0, -0, NaN, Infinity, -Infinity, 5e-324, 2.2250738585072014e-308 / 3, Number.MAX_VALUE, 0.1, -1 / 3, 1e-310]
const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => {
  if (a.length !== b.length) return false
  const x = new Float64Array(Array.from(a))
  const y = new Float64Array(Array.from(b))
  const bx = new Uint8Array(x.buffer)
  const by = new Uint8Array(y.buffer)
  return bx.every((v, i) => v === by[i])
}

const rosenbrock = (x: TensorTree): readonly [number, TensorTree] => {
  const [a, b] = (x as { p: Tensor }).p.data
  return [(1 - a) ** 2 + 100 * (b - a * a) ** 2, { p: fromArray([2], [-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)]) }]
}

describe('values round-trip bit for bit', () => {
  it('tensors keep −0, NaN, ±Infinity and subnormals', () => {
    const t = fromArray([11], awkward)
    const back = decodeValue(JSON.parse(JSON.stringify(encodeValue({ t }))))
    expect(E.isRight(back)).toBe(true)
    if (E.isRight(back)) expect(sameBits((back.right as { t: Tensor }).t.data, awkward)).toBe(true)
  })
  it('plain numbers too', () => {
    const back = decodeValue(JSON.parse(JSON.stringify(encodeValue(awkward))))
    if (E.isLeft(back)) throw new Error(back.left.join('\n'))
    expect(sameBits(back.right as number[], awkward)).toBe(true)
    expect(Object.is((back.right as number[])[1], -0)).toBe(true)
  })
})

describe('checkpoints', () => {
  const params = { p: tensor([-1.2, 1]) }
  const opt = adam({ lr: 0.01 })

  it('resuming from a checkpoint gives exactly the trajectory of not stopping', () => {
    const straight = minimize(rosenbrock, params, opt, { maxSteps: 40, gradTol: 0, trajectory: true })
    const first = minimize(rosenbrock, params, opt, { maxSteps: 15, gradTol: 0 })
    const text = serializeCheckpoint({ step: first.steps, params: first.params, state: first.state })
    const cp = parseCheckpoint(text, { optimizer: opt, params })
    if (E.isLeft(cp)) throw new Error(cp.left.join('\n'))
    expect(cp.right.step).toBe(15)
    const rest = minimize(rosenbrock, cp.right.params, opt, { maxSteps: 25, gradTol: 0, state: cp.right.state, trajectory: true })
    const tail = straight.trajectory!.slice(15)
    rest.trajectory!.forEach((x, k) => expect(sameBits((x as { p: Tensor }).p.data, (tail[k] as { p: Tensor }).p.data)).toBe(true))
  })

  it('keeps scalar state (NAdam running product) and a checkpoint written mid-run by onStep', () => {
    const o = nadam({ lr: 0.01 })
    let saved = ''
    const straight = minimize(rosenbrock, params, o, { maxSteps: 12, gradTol: 0 })
    minimize(rosenbrock, params, o, {
      maxSteps: 12,
      gradTol: 0,
      onStep: (i) => {
        if (i.step === 5) saved = serializeCheckpoint({ step: i.step, params: i.params, state: i.state })
      }
    })
    const cp = parseCheckpoint(saved, { optimizer: o, params })
    if (E.isLeft(cp)) throw new Error(cp.left.join('\n'))
    const rest = minimize(rosenbrock, cp.right.params, o, { maxSteps: 7, gradTol: 0, state: cp.right.state })
    expect(sameBits((rest.params as { p: Tensor }).p.data, (straight.params as { p: Tensor }).p.data)).toBe(true)
  })

  const good = (): string => serializeCheckpoint({ step: 3, params, state: opt.init(params), optimizer: { adam: { lr: 0.01 } } })
  const errors = <S>(text: string, expected: Expected<S>): string => {
    const r = parseCheckpoint(text, expected)
    if (E.isRight(r)) throw new Error('expected a rejection')
    return r.left.join('\n')
  }

  it('rejects truncated text, a flipped digit, another version and another format', () => {
    const text = good()
    expect(errors(text.slice(0, text.length - 10), { optimizer: opt })).toMatch(/not valid JSON.*truncated or corrupt/)
    const json = JSON.parse(text)
    json.payload.step = 4
    expect(errors(JSON.stringify(json), { optimizer: opt })).toMatch(/\$\.sha256: the payload does not match its checksum/)
    const v2 = JSON.parse(text)
    v2.version = 2
    expect(errors(JSON.stringify(v2), { optimizer: opt })).toMatch(/\$\.version: unsupported checkpoint version 2 \(this build reads version 1\)/)
    const other = JSON.parse(text)
    other.format = 'something'
    expect(errors(JSON.stringify(other), { optimizer: opt })).toMatch(/^\$\.format/)
  })
  it('rejects a different tree, different shapes and a different optimizer', () => {
    const text = good()
    expect(errors(text, { optimizer: opt, params: { q: tensor([1, 2]) } })).toMatch(/parameter tree differs/)
    expect(errors(text, { optimizer: opt, params: { p: tensor([1, 2, 3]) } })).toMatch(/parameter p has shape \[2\] in the checkpoint, expected \[3\]/)
    expect(errors(text, { optimizer: withMomentum(sgd(0.1)) })).toMatch(/does not belong to the expected optimizer: first difference at \$\.payload\.state/)
    expect(errors(text, { optimizer: adam({ amsgrad: true }) })).toMatch(/nuMax/)
    expect(errors(text, { optimizer: opt, spec: { adam: { lr: 0.1 } } })).toMatch(/written by optimizer \{"adam":\{"lr":0.01\}\}, expected \{"adam":\{"lr":0.1\}\}/)
  })
  it('accepts the matching optimizer built from the same spec', () => {
    const spec = { adam: { lr: 0.01 } }
    const r = parseCheckpoint(good(), { optimizer: optimizerFromSpec(spec), params, spec })
    expect(E.isRight(r)).toBe(true)
  })

  it('reads a checkpoint that starts with a byte-order mark', () => {
    const r = parseCheckpoint(`\uFEFF${good()}`, { optimizer: opt, params })
    expect(E.isRight(r) && r.right.step).toBe(3)
  })
  it('keeps the checksum of node:crypto, so files written before the pure-JS SHA-256 still verify', () => {
    const json = JSON.parse(good()) as { sha256: string; payload: unknown }
    expect(json.sha256).toBe(createHash('sha256').update(JSON.stringify(json.payload)).digest('hex'))
  })
})

describe('hostile and unusual input', () => {
  const counter: Optimizer<unknown> = { init: () => ({ count: 0 }), step: (s, g) => [s, g] }
  const envelope = (payload: unknown): string =>
    JSON.stringify({ format: 'descent-checkpoint', version: 1, sha256: createHash('sha256').update(JSON.stringify(payload)).digest('hex'), payload })
  const nested = (depth: number): unknown => {
    let v: unknown = 1
    for (let i = 0; i < depth; i++) v = i % 2 === 0 ? [v] : { k: v }
    return v
  }

  it('rejects nesting 10,000 deep with a message, before the checksum (right or wrong) is computed', () => {
    const payload = `{"step":0,"optimizer":null,"params":${buildDeepText(10000)},"state":{"count":0}}`
    for (const sha256 of ['0'.repeat(64), createHash('sha256').update(payload).digest('hex')]) {
      const r = parseCheckpoint(`{"format":"descent-checkpoint","version":1,"sha256":"${sha256}","payload":${payload}}`, { optimizer: counter })
      expect(E.isLeft(r) && r.left.join('\n')).toMatch(/^\$\.payload\.params(\[0\])+: nested deeper than 1000 levels: the checkpoint is corrupt$/)
    }
  })
  it('accepts nesting up to the documented depth, and says what it cannot store', () => {
    const state = { count: 0, deep: nested(900) }
    const r = parseCheckpoint(serializeCheckpoint({ step: 1, params: { w: scalar(1) }, state }), { optimizer: { init: () => state, step: (s, g) => [s, g] } })
    expect(E.isRight(r)).toBe(true)
    expect(() => serializeCheckpoint({ step: 1, params: { w: scalar(1) }, state: nested(1200) })).toThrow(/nests deeper than 1000 levels/)
    expect(() => serializeCheckpoint({ step: 1, params: { w: scalar(1) }, state: { xs: new Array(3) } })).toThrow(/the array at \$\.payload\.state\.xs is sparse \(nothing at index 0\)/)
    expect(() => serializeCheckpoint({ step: 1, params: { w: scalar(1) }, state: { f: () => 1 } })).toThrow(/cannot store .* at \$\.payload\.state\.f/)
  })
  it('a $f64 tag naming an Object.prototype property is an error, not Object.prototype', () => {
    for (const tag of ['__proto__', 'toString', 'constructor', 'hasOwnProperty']) {
      const r = decodeValue({ x: { $f64: tag } })
      expect(E.isLeft(r) && r.left[0]).toBe(`$.x.$f64: expected the only key, one of "-0", "NaN", "Infinity", "-Infinity", got ${JSON.stringify(tag)}`)
    }
    const viaFile = parseCheckpoint(envelope({ step: 0, optimizer: null, params: { w: { $f64: '__proto__' } }, state: { count: 0 } }), { optimizer: counter })
    expect(E.isLeft(viaFile)).toBe(true)
  })
  it('stores keys that start with $ (doubled in the JSON) and rejects unknown tags', () => {
    const state = { $lr: 0.5, $$x: [1, { $f64: 2 }], plain: { $tensor: 1 } }
    const text = serializeCheckpoint({ step: 1, params: { $w: scalar(-0) }, state })
    expect(JSON.parse(text).payload.state).toEqual({ $$lr: 0.5, $$$x: [1, { $$f64: 2 }], plain: { $$tensor: 1 } })
    const r = parseCheckpoint(text, { optimizer: { init: () => state, step: (s, g) => [s, g] }, params: { $w: scalar(0) } })
    if (E.isLeft(r)) throw new Error(r.left.join('\n'))
    expect(r.right.state).toEqual(state)
    expect(Object.is((r.right.params as { $w: Tensor }).$w.data[0], -0)).toBe(true)
    expect(decodeValue({ $other: 1 })).toEqual(E.left([`$.$other: unknown tag '$other' (keys starting with '$' are stored as '$$…')`]))
  })
  it('rejects holes in arrays handed to decodeValue', () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is what is tested
    expect(decodeValue({ xs: [1, , 2] })).toEqual(E.left(['$.xs[1]: unexpected hole in a sparse array']))
  })
})

/** The JSON text of an array nested `depth` deep, built as text (JSON.stringify itself would overflow). */
const buildDeepText = (depth: number): string => `${'['.repeat(depth)}1${']'.repeat(depth)}`

