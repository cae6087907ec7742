/**
 * `stepApplied`, the step with its update applied in one pass: the bits of
 * `applyUpdates(params, step(...)[1])` and the same state, pure and donated,
 * for lone tensors and trees; donation writes only into the buffer given up;
 * and `stepOwnedApplied`, the drivers' step, falls back for optimizers
 * without it.
 */
import { describe, expect, it } from 'vitest'
import { chain } from '../../src/optim/chain.js'
import { adam, classicSgd, rmsprop } from '../../src/optim/aliases.js'
import { type Optimizer, applyUpdates, stepOwnedApplied } from '../../src/optim/Optimizer.js'
import { sgd, withClipByGlobalNorm } from '../../src/optim/combinators.js'
import * as stages from '../../src/optim/stages.js'
import { skipNonFinite } from '../../src/optim/wrappers.js'
import { random } from '../../src/tensor/Random.js'
import type { Tensor } from '../../src/tensor/Tensor.js'
import { type TensorTree, flattenTensors } from '../../src/tensor/Tree.js'

const bits = (t: TensorTree): number[] => flattenTensors(t).leaves.flatMap((l) => Array.from(l.data))

// biome-ignore lint/suspicious/noExplicitAny: optimizers of different state types in one table
type Any = Optimizer<any>
const optimizers: [string, () => Any][] = [
  ['adam', () => adam({ lr: 1e-2 }) as Any],
  ['sgd with momentum and weight decay', () => classicSgd({ lr: 0.1, momentum: 0.9, weightDecay: 0.01 }) as Any],
  ['centered rmsprop', () => rmsprop({ lr: 0.01, centered: true, momentum: 0.5 }) as Any],
  ['a user stage in a chain', () => chain(stages.elementwise({ name: 'half', rule: ({ d }) => ({ d: d.mul(0.5) }) }), stages.ewma({ beta: 0.8, debias: true }), sgd(0.05)) as Any]
]

describe('stepApplied', () => {
  const rng = random(17)
  const lone = (): Tensor => rng.normal([257])
  const tree = (): TensorTree => ({ w: rng.normal([3, 4]), b: rng.normal([4]) })

  it.each(optimizers)('%s: the bits of step then applyUpdates, pure and donated, lone and tree', (_, make) => {
    for (const shape of [lone, tree]) {
      const reference = make()
      const fused = make()
      let p = shape()
      let q = p
      let s = reference.init(p)
      let f = fused.init(q)
      let spare: TensorTree | undefined
      for (let k = 0; k < 6; k++) {
        const g = shape()
        const [s1, u] = reference.step(s, g, p)
        const p1 = applyUpdates(p, u)
        const donate = k % 2 === 1
        const before = bits(q)
        const [f1, q1] = fused.stepApplied!(f, g, q, donate, undefined, donate ? spare : undefined)
        expect(bits(q1)).toEqual(bits(p1))
        expect(bits(q)).toEqual(before) // the parameters stepped from stay valid
        expect(JSON.stringify(f1)).toEqual(JSON.stringify(s1))
        spare = q
        ;[s, p, f, q] = [s1, p1, f1, q1]
      }
    }
  })

  it('with donation, the new parameters go into the buffer given up, never into the current ones', () => {
    const opt = adam({ lr: 1e-2 })
    const p0 = rng.normal([64])
    const s0 = opt.init(p0)
    const [s1, p1] = opt.stepApplied(s0, rng.normal([64]), p0, true)
    const spare = p0
    const kept = Array.from((p1 as Tensor).data)
    const [, p2] = opt.stepApplied(s1, rng.normal([64]), p1, true, undefined, spare)
    expect((p2 as Tensor).data).toBe(spare.data) // written in place of the spare
    expect(Array.from((p1 as Tensor).data)).toEqual(kept)
    // the current parameters given up: the step runs wholly in place, with the same numbers
    const g = rng.normal([64])
    const [, want] = opt.stepApplied(opt.init(p1), g, p1, false)
    const [, p3] = opt.stepApplied(opt.init(p1), g, p1, true, undefined, p1)
    expect((p3 as Tensor).data).toBe((p1 as Tensor).data)
    expect(Array.from((p3 as Tensor).data)).toEqual(Array.from((want as Tensor).data))
    // without donation a spare is ignored
    const [, p4] = opt.stepApplied(opt.init(p1), rng.normal([64]), p1, false, undefined, p0)
    expect((p4 as Tensor).data).not.toBe(p0.data)
  })
})

describe('stepOwnedApplied', () => {
  it('steps and applies through stepApplied, or through stepOwned and applyUpdates for an optimizer without it', () => {
    const rng = random(4)
    const plain: Optimizer<unknown> = skipNonFinite(classicSgd({ lr: 0.1 }) as Any) as Optimizer<unknown>
    expect(plain.stepApplied).toBeUndefined()
    for (const opt of [adam({ lr: 0.1 }) as Any, plain, withClipByGlobalNorm(adam({ lr: 0.1 }) as Any, { maxNorm: 1 }) as Any]) {
      const p = rng.normal([9])
      const g = rng.normal([9])
      const [, u] = opt.step(opt.init(p), g, p)
      const next = stepOwnedApplied(opt, opt.init(p), g, p)
      expect(bits(next.params)).toEqual(bits(applyUpdates(p, u)))
      expect(next.update === undefined).toBe(opt.stepApplied !== undefined)
    }
  })
})
