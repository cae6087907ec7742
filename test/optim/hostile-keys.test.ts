/** Parameter trees may use any key: state is keyed by path, and no path is special. */
import { describe, expect, it } from 'vitest'
import { adam, lookahead, masked, parameterEma, sgd, tensor } from '../../src/index.js'
import type { Tensor, TensorTree } from '../../src/index.js'

const withProtoKey = (): TensorTree => {
  const tree: Record<string, Tensor> = { w: tensor([3]) }
  Object.defineProperty(tree, '__proto__', { value: tensor([1, 2]), enumerable: true, configurable: true, writable: true })
  return tree
}

describe.each([
  ['adam', adam({ lr: 0.1 })],
  ['lookahead', lookahead(sgd(0.1))],
  ['parameterEma', parameterEma(sgd(0.1))],
  ['masked', masked(sgd(0.1), () => true)]
] as const)('%s', (_, opt) => {
  it('keeps a leaf whose key is __proto__ in its state and its update', () => {
    const params = withProtoKey()
    const [state1, u1] = opt.step(opt.init(params) as never, params, params)
    const [, u2] = opt.step(state1 as never, params, params)
    for (const u of [u1, u2] as Record<string, Tensor>[]) {
      expect(Object.keys(u).sort()).toEqual(['__proto__', 'w'])
      expect(Object.getOwnPropertyDescriptor(u, '__proto__')?.value.shape).toEqual([2])
    }
  })
})
