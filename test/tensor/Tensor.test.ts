import { describe, expect, it } from 'vitest'
import { Tensor, arange, fromArray, full, linspace, ones, scalar, tensor, zeros } from '../../src/tensor/Tensor.js'
import { broadcastShapes, sizeOf, stridesOf } from '../../src/tensor/Shape.js'
import { random } from '../../src/tensor/Random.js'
import { flattenTensors, mapTensors, signatureOf, unflatten } from '../../src/tensor/Tree.js'

describe('constructors', () => {
  it('tensor reads nested arrays row-major and infers the shape', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]])
    expect(t.shape).toEqual([2, 3])
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6])
    expect(t.get(1, 0)).toBe(4)
    expect(t.get(-1, -1)).toBe(6)
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]])
    expect(scalar(3).shape).toEqual([])
    expect(tensor(7).item()).toBe(7)
  })

  it('ragged arrays and bad indices are rejected with where', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow('ragged array: [1] has shape [1], [0] has [2]')
    expect(() => tensor([1, 'a'] as never)).toThrow('expected a number or an array at [1], got string')
    expect(() => tensor([[1, 2]]).get(0, 2)).toThrow('get: index 2 out of range for axis 1 of size 2 (shape [1,2])')
    expect(() => fromArray([2, 2], [1, 2, 3])).toThrow('fromArray: shape [2,2] needs 4 values, got 3')
    expect(() => tensor([1, 2]).item()).toThrow('item() needs a one-element tensor')
  })

  it('zeros, ones, full, arange and linspace', () => {
    expect(Array.from(zeros([2]).data)).toEqual([0, 0])
    expect(Array.from(ones([1, 2]).data)).toEqual([1, 1])
    expect(Array.from(full([3], 2.5).data)).toEqual([2.5, 2.5, 2.5])
    expect(Array.from(arange(4).data)).toEqual([0, 1, 2, 3])
    expect(Array.from(arange(1, 2, 0.25).data)).toEqual([1, 1.25, 1.5, 1.75])
    expect(Array.from(linspace(0, 1, 5).data)).toEqual([0, 0.25, 0.5, 0.75, 1])
    expect(() => arange(0, 1, 0)).toThrow('step must be finite and non-zero')
  })

  it('prints readably, eliding the middle of long axes', () => {
    expect(tensor([[1, 2], [3, 4]]).toString()).toBe('tensor([[1, 2],\n        [3, 4]], shape=[2,2])')
    expect(arange(10).toString()).toBe('tensor([0, 1, 2, …, 7, 8, 9], shape=[10])')
    expect(scalar(-0).toString()).toBe('tensor(-0, shape=[])')
  })

  it('copies its input: changing the source array later changes nothing', () => {
    const src = [1, 2, 3]
    const t = fromArray([3], src)
    src[0] = 99
    expect(t.get(0)).toBe(1)
    expect(Tensor.unsafeFromBuffer([2], new Float64Array(2)).shape).toEqual([2])
  })
})

describe('shapes', () => {
  it('broadcasts as NumPy does', () => {
    expect(broadcastShapes([2, 3], [3])).toEqual([2, 3])
    expect(broadcastShapes([4, 1], [1, 5])).toEqual([4, 5])
    expect(broadcastShapes([2], [3])).toBeUndefined()
    expect(stridesOf([2, 3, 4])).toEqual([12, 4, 1])
    expect(sizeOf([])).toBe(1)
  })
})

describe('seeded random numbers', () => {
  it('the same seed gives the same stream; another seed another', () => {
    const a = random(1).uniform([5]).data
    expect(Array.from(random(1).uniform([5]).data)).toEqual(Array.from(a))
    expect(Array.from(random(2).uniform([5]).data)).not.toEqual(Array.from(a))
  })

  it('uniform and normal draws have the moments they should (n = 100,000)', () => {
    const rng = random(7)
    const u = rng.uniform([100_000]).data
    const mean = u.reduce((s, x) => s + x, 0) / u.length
    // mean of U(0,1) is 1/2 with standard error √(1/12/n) ≈ 0.0009
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.004)
    const z = rng.normal([100_000], 2, 3).data
    const zm = z.reduce((s, x) => s + x, 0) / z.length
    const zv = z.reduce((s, x) => s + (x - zm) ** 2, 0) / z.length
    expect(Math.abs(zm - 2)).toBeLessThan(0.04)
    expect(Math.abs(Math.sqrt(zv) - 3)).toBeLessThan(0.04)
    expect(u.every((x) => x >= 0 && x < 1)).toBe(true)
  })

  it('permutations contain every index once', () => {
    const p = random(3).permutation(50)
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect(p).not.toEqual(Array.from({ length: 50 }, (_, i) => i))
  })
})

describe('trees', () => {
  it('flatten visits record keys in sorted order and names paths', () => {
    const tree = { w: tensor([1]), layers: [{ b: tensor([2]), a: tensor([3]) }] }
    const flat = flattenTensors(tree)
    expect(flat.paths).toEqual(['layers[0].a', 'layers[0].b', 'w'])
    expect(flat.leaves.map((t) => t.item())).toEqual([3, 2, 1])
    expect(unflatten(flat.structure, flat.leaves)).toEqual(tree)
    expect(signatureOf(flat)).toBe('{"layers":[{"a":*,"b":*}],"w":*}|[1];[1];[1]')
  })

  it('mapTensors keeps the structure; bad leaves are named by path', () => {
    const out = mapTensors({ a: tensor([1, 2]) }, (t) => fromArray(t.shape, Array.from(t.data, (x) => 2 * x)))
    expect(Array.from((out as { a: Tensor }).a.data)).toEqual([2, 4])
    expect(() => flattenTensors({ a: [tensor([1]), 'x'] } as never)).toThrow('expected a tensor, an array or a record at a[1], got string x')
  })
})

describe('hostile record keys', () => {
  it('a key named __proto__ survives flatten and unflatten as an own entry', () => {
    const tree: Record<string, Tensor> = {}
    Object.defineProperty(tree, '__proto__', { value: tensor([1]), enumerable: true, configurable: true, writable: true })
    const flat = flattenTensors(tree)
    expect(flat.paths).toEqual(['__proto__'])
    const back = unflatten(flat.structure, flat.leaves) as Record<string, Tensor>
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype)
    expect(Object.keys(back)).toEqual(['__proto__'])
    expect(Object.getOwnPropertyDescriptor(back, '__proto__')?.value).toBe(flat.leaves[0])
  })
})
