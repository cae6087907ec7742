import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { adam } from '../../src/optim/aliases.js'
import { masked } from '../../src/optim/wrappers.js'
import { type Tensor, tensor } from '../../src/tensor/Tensor.js'
import { type TensorTree, flattenTensors, pathOf, unflatten } from '../../src/tensor/Tree.js'

const leafValues = (tree: TensorTree): number[] => flattenTensors(tree).leaves.map((t) => t.data[0])

describe('paths', () => {
  it('name one leaf each: nested keys, dotted keys, indices and bracketed keys differ', () => {
    const t = tensor([1])
    const tree = { a: { b: t, '': t }, 'a.b': t, c: [t], 'c[0]': t, '0': t, 'x y': t, $ok: t, 'a"q': t }
    const paths = flattenTensors(tree).paths
    expect(new Set(paths).size).toBe(paths.length)
    expect(paths).toContain('a.b')
    expect(paths).toContain('["a.b"]')
    expect(paths).toContain('c[0]')
    expect(paths).toContain('["c[0]"]')
    expect(paths).toContain('a[""]')
    expect(pathOf('', 'w')).toBe('w')
    expect(pathOf('layers[0]', 'bias')).toBe('layers[0].bias')
    expect(pathOf('', 'a"b')).toBe('["a\\"b"]')
  })

  it('are distinct for any tree of any keys (generated)', () => {
    const key = fc.oneof(fc.constantFrom('a', 'b', 'a.b', 'a[0]', '[0]', '0', '', '"', '.', 'a.b.c'), fc.string({ maxLength: 4 }))
    const tree: fc.Arbitrary<TensorTree> = fc.letrec<{ node: TensorTree }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constant(tensor([0])),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(key, tie('node'), { maxKeys: 4, noNullPrototype: true })
      )
    })).node
    fc.assert(
      fc.property(tree, (t) => {
        const { paths } = flattenTensors(t)
        return new Set(paths).size === paths.length
      }),
      { seed: 7, numRuns: 500 }
    )
  })
})

describe('two leaves never share optimizer state', () => {
  // Adam with a constant gradient moves every leaf by −lr·g/(|g| + ε) on each step (m̂ = g, v̂ = g²).
  const params = (): TensorTree => ({ a: { b: tensor([0]) }, 'a.b': tensor([0]), c: [tensor([0])], 'c[0]': tensor([0]) })
  const grad = (): TensorTree => ({ a: { b: tensor([1]) }, 'a.b': tensor([-3]), c: [tensor([2])], 'c[0]': tensor([-0.5]) })

  it('adam: the second update of every leaf is −lr·g/(|g| + ε), as for a leaf alone', () => {
    const opt = adam({ lr: 0.1 })
    const [s1] = opt.step(opt.init(params()), grad(), params())
    const [, u2] = opt.step(s1, grad(), params())
    const got = leafValues(u2)
    const want = leafValues(grad()).map((g) => (-0.1 * g) / (Math.abs(g) + 1e-8))
    got.forEach((u, i) => expect(u).toBeCloseTo(want[i], 14))
  })

  it('masked selects by the unambiguous path', () => {
    const opt = masked(adam({ lr: 0.1 }), (p) => p === 'a.b')
    const [, u] = opt.step(opt.init(params()), grad(), params())
    const flat = flattenTensors(u)
    const moved = flat.paths.filter((_, i) => flat.leaves[i].data[0] !== 0)
    expect(moved).toEqual(['a.b'])
  })

  it('unflatten rebuilds the tree with its keys', () => {
    const tree = params()
    const flat = flattenTensors(tree)
    const back = unflatten(flat.structure, flat.leaves) as Record<string, Tensor | unknown>
    expect(Object.keys(back).sort()).toEqual(['a', 'a.b', 'c', 'c[0]'])
  })
})
