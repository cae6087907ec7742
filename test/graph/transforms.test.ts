import { describe, expect, it } from 'vitest'
import { type Sym, compileCacheLimit, grad, hessian, jacobian, jit } from '../../src/graph/index.js'
import { type Tensor, scalar, tensor } from '../../src/tensor/Tensor.js'

// f(p) = Σ aᵢ² bᵢ + sin(c)·a₀, with c a scalar under a key that needs quoting.
type Params = { a: Sym; b: Sym; 'odd.key': { c: Sym } }
const f = (p: Params): Sym => p.a.square().mul(p.b).sum().add(p['odd.key'].c.sin().mul(p.a.at(0)))
const at = { a: tensor([1, 2]), b: tensor([3, 4]), 'odd.key': { c: scalar(0.5) } }

describe('hessian of a tree', () => {
  const h = hessian(f)(at)
  it('has blocks keyed by path in closed form', () => {
    // ∂²f/∂aᵢ² = 2bᵢ, ∂²f/∂aᵢ∂bᵢ = 2aᵢ, ∂²f/∂a₀∂c = cos c, ∂²f/∂c² = −sin(c)·a₀.
    expect(h.paths).toEqual(['a', 'b', '["odd.key"].c'])
    expect(h.blocks.a.a.toArray()).toEqual([[6, 0], [0, 8]])
    expect(h.blocks.a.b.toArray()).toEqual([[2, 0], [0, 4]])
    expect(h.blocks.b.b.toArray()).toEqual([[0, 0], [0, 0]])
    expect(h.blocks.a['["odd.key"].c'].shape).toEqual([2])
    expect(Array.from(h.blocks.a['["odd.key"].c'].data)).toEqual([Math.cos(0.5), 0])
    expect(h.blocks['["odd.key"].c']['["odd.key"].c'].shape).toEqual([])
    expect(h.blocks['["odd.key"].c']['["odd.key"].c'].data[0]).toBeCloseTo(-Math.sin(0.5), 15)
  })
  it('has a symmetric flat form that matches central differences of the gradient', () => {
    const n = 5
    expect(h.flat.shape).toEqual([n, n])
    const g = grad(f)
    const eps = 1e-6
    const flatOf = (t: typeof at): number[] => [...t.a.data, ...t.b.data, t['odd.key'].c.data[0]]
    const fromFlat = (v: number[]): typeof at => ({ a: tensor([v[0], v[1]]), b: tensor([v[2], v[3]]), 'odd.key': { c: scalar(v[4]) } })
    const x = flatOf(at)
    for (let j = 0; j < n; j++) {
      const plus = x.slice()
      const minus = x.slice()
      plus[j] += eps
      minus[j] -= eps
      const gp = flatOf(g(fromFlat(plus)) as typeof at)
      const gm = flatOf(g(fromFlat(minus)) as typeof at)
      for (let i = 0; i < n; i++) {
        expect(Math.abs(h.flat.get(i, j) - (gp[i] - gm[i]) / (2 * eps))).toBeLessThan(1e-6)
        expect(h.flat.get(i, j)).toBe(h.flat.get(j, i))
      }
    }
  })
  it('still gives a tensor for a tensor', () => {
    expect(hessian((x: Sym) => x.square().sum())(tensor([1, 2])).toArray()).toEqual([[2, 0], [0, 2]])
  })
})

describe('jacobian of a tree', () => {
  it('has the [...o, n] flat form and blocks [...o, ...shape] by path', () => {
    // F(p) = a ⊙ b + c: ∂F/∂a = diag(b), ∂F/∂b = diag(a), ∂F/∂c = 1.
    const F = (p: { a: Sym; b: Sym; c: Sym }): Sym => p.a.mul(p.b).add(p.c)
    const j = jacobian(F)({ a: tensor([1, 2]), b: tensor([3, 4]), c: scalar(7) })
    expect(j.paths).toEqual(['a', 'b', 'c'])
    expect(j.flat.toArray()).toEqual([[3, 0, 1, 0, 1], [0, 4, 0, 2, 1]])
    expect(j.blocks.a.toArray()).toEqual([[3, 0], [0, 4]])
    expect(j.blocks.b.toArray()).toEqual([[1, 0], [0, 2]])
    expect(j.blocks.c.toArray()).toEqual([1, 1])
  })
})

describe('the compile cache', () => {
  it(`keeps the ${compileCacheLimit} most recently used signatures and traces an evicted one again`, () => {
    let traces = 0
    const g = jit((x: Sym) => {
      traces++
      return x.sum()
    })
    const ones = (n: number): Tensor => tensor(Array.from({ length: n }, () => 1))
    for (let n = 1; n <= compileCacheLimit; n++) g(ones(n))
    expect(traces).toBe(compileCacheLimit)
    g(ones(1)) // used again: now the most recent
    g(ones(compileCacheLimit + 1)) // evicts the least recent, size 2
    expect(traces).toBe(compileCacheLimit + 1)
    g(ones(1))
    expect(traces).toBe(compileCacheLimit + 1)
    expect(g(ones(2)).data[0]).toBe(2)
    expect(traces).toBe(compileCacheLimit + 2)
  })

  it('the last signature is reused by shape, never across a change of shape, rank, count or a failed call', () => {
    let traces = 0
    const f = grad((x: Sym, y?: Sym) => {
      traces++
      if (x.size === 3) throw new Error('no three')
      return y === undefined ? x.square().sum() : x.mul(y).sum()
    })
    const a = tensor([1, 2])
    expect(Array.from(f(a).data)).toEqual([2, 4])
    expect(Array.from(f(tensor([3, 4])).data)).toEqual([6, 8]) // same shape: no trace
    expect(traces).toBe(1)
    expect(() => f(tensor([1, 2, 3]))).toThrow('no three')
    expect(() => f(tensor([1, 2, 3]))).toThrow('no three') // the failed signature is not taken for the last one
    expect(Array.from(f(tensor([[1, 2]])).data)).toEqual([2, 4]) // rank 2: its own trace
    expect(Array.from(f(a, tensor([5, 6])).data)).toEqual([5, 6]) // two arguments: its own trace
    expect(Array.from(f(a).data)).toEqual([2, 4])
    expect(traces).toBe(5)
  })
})
