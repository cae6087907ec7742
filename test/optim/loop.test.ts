/**
 * The per-element loops of fused chains (`optim/internal/loop.ts`) take four
 * elements a turn on leaves of 64 elements or more, and have a kernel per
 * pattern of arrays given as the same object. Neither may change a bit:
 * element i of a step on n elements is the step of a 1-element tensor holding
 * element i (which runs the plain loop), whatever n is modulo 4; and the
 * kernels for aliased arrays (donated state and parameters, written in place)
 * agree with the one for distinct arrays (a pure step).
 */
import { describe, expect, it } from 'vitest'
import { adam, adamw, classicSgd, rmsprop } from '../../src/optim/aliases.js'
import { chain } from '../../src/optim/chain.js'
import { sgd } from '../../src/optim/combinators.js'
import type { Optimizer } from '../../src/optim/Optimizer.js'
import * as stages from '../../src/optim/stages.js'
import { random } from '../../src/tensor/Random.js'
import { Tensor } from '../../src/tensor/Tensor.js'

// biome-ignore lint/suspicious/noExplicitAny: optimizers of different state types in one table
type Any = Optimizer<any>
const optimizers: [string, () => Any][] = [
  ['adam', () => adam({ lr: 1e-2 }) as Any],
  ['adamw', () => adamw({ lr: 1e-2, weightDecay: 0.1 }) as Any],
  ['nesterov sgd with weight decay (g is written too)', () => classicSgd({ lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 }) as Any],
  ['centered rmsprop with momentum', () => rmsprop({ lr: 0.01, centered: true, momentum: 0.5 }) as Any],
  ['a user stage between built-in ones', () => chain(stages.ewma({ beta: 0.8, debias: true }), stages.elementwise({ name: 'cube', rule: ({ d }) => ({ d: d.mul(d).mul(d) }) }), sgd(0.05)) as Any]
]

const same = (a: Float64Array, b: Float64Array, what: string): void => {
  expect(a.length, what).toBe(b.length)
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) expect.fail(`${what}: element ${i} of ${a.length}: ${a[i]} vs ${b[i]}`)
}

// short leaves take the plain loop, from 64 elements on four a turn and a remainder
const lengths = [...Array.from({ length: 14 }, (_, n) => n), ...Array.from({ length: 9 }, (_, k) => 63 + k), 130]

describe('fused loops, four elements a turn', () => {
  it.each(optimizers)('%s: element i of n is the 1-element step of element i, for n = 0 … 13, 63 … 71 and 130, over 4 steps', (_, make) => {
    const rng = random(29)
    for (const n of lengths) {
      const opt = make()
      let p = rng.normal([n])
      let state = opt.init(p)
      const ones = Array.from({ length: n }, (_, i) => {
        const q = Tensor.unsafeFromBuffer([1], p.data.slice(i, i + 1))
        return { p: q, state: opt.init(q) }
      })
      for (let k = 0; k < 4; k++) {
        const g = rng.normal([n])
        const [s, q] = opt.stepApplied!(state, g, p, false)
        state = s
        p = q as Tensor
        const each = new Float64Array(n)
        ones.forEach((one, i) => {
          const [s1, q1] = opt.stepApplied!(one.state, Tensor.unsafeFromBuffer([1], g.data.slice(i, i + 1)), one.p, false)
          one.state = s1
          one.p = q1 as Tensor
          each[i] = one.p.data[0]
        })
        same(p.data, each, `n = ${n}, step ${k + 1}`)
      }
    }
  })

  it.each(optimizers)('%s: in place (state and parameters donated) gives the bits of the pure step', (_, make) => {
    const rng = random(31)
    for (const n of [1, 4, 7, 1000, 5003]) {
      const opt = make()
      const p0 = rng.normal([n])
      let pure = p0
      let pureState = opt.init(p0)
      let mine = Tensor.unsafeFromBuffer([n], p0.data.slice())
      let mineState = opt.init(mine)
      for (let k = 0; k < 5; k++) {
        const g = rng.normal([n])
        const before = pure.data.slice()
        const [s1, q1] = opt.stepApplied!(pureState, g, pure, false)
        const [s2, q2] = opt.stepApplied!(mineState, g, mine, true, undefined, mine)
        expect((q2 as Tensor).data, 'written in place').toBe(mine.data)
        same(pure.data, before, `n = ${n}: the pure step left its parameters alone`)
        pureState = s1
        pure = q1 as Tensor
        mineState = s2
        mine = q2 as Tensor
        same(mine.data, pure.data, `n = ${n}, step ${k + 1}: parameters`)
        expect(JSON.stringify(mineState)).toBe(JSON.stringify(pureState))
      }
    }
  })
})
