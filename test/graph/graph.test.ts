/**
 * The graph as a value (printing, counting, simplifying, sharing), errors,
 * caches, code-injection safety and very long chains.
 */
import { describe, expect, it } from 'vitest'
import * as G from '../../src/graph/index.js'
import type { Sym } from '../../src/graph/index.js'
import { compileGraph, sourceOf } from '../../src/eval/compile.js'
import { interpret } from '../../src/eval/interpret.js'
import { Tensor, fromArray, tensor, zeros } from '../../src/tensor/Tensor.js'

const rosenbrock = (p: Sym) => {
  const x = p.at(0)
  const y = p.at(1)
  return G.sub(1, x).square().add(y.sub(x.square()).square().mul(100))
}

describe('the graph is a value', () => {
  it('prints as a readable expression with shared subexpressions bound once', () => {
    const t = G.trace(rosenbrock as never, tensor([1, 2]) as never)
    expect(G.showGraph(t.graph, ['p'])).toBe(
      ['let t0 = reshape(slice(p, 0:1), [])', 'out = (square((1 - t0)) + (square((reshape(slice(p, 1:2), []) - square(t0))) * 100))'].join('\n')
    )
  })

  it('shares identical subexpressions and folds constants while tracing', () => {
    const t = G.trace(((x: Sym) => G.sin(x).add(G.sin(x)).mul(G.add(2, 3))) as never, tensor([1]) as never)
    // x, sin(x), sin+sin, the folded constant 5, its broadcast to [1], the product
    expect(G.showGraph(t.graph, ['x'])).toBe('let t0 = sin(x)\nout = ((t0 + t0) * broadcast(5, [1]))')
    expect(G.nodeCount(t.graph)).toBe(6)
  })

  it('simplify removes identities that a derivative leaves behind', () => {
    const x = G.trace(((v: Sym) => v) as never, tensor([1, 2]) as never).graph.inputs[0]
    const g: G.Graph = { inputs: [x], outputs: [G.mul(G.add(G.neg(G.neg(x)), -0), 1)] }
    expect(G.showGraph(G.simplify(g), ['x'])).toBe('out = x')
  })

  it('keeps x + 0 and 0 − x, which are not x and −x at x = ∓0 (only IEEE-exact rewrites)', () => {
    const x = G.trace(((v: Sym) => v) as never, tensor([1, 2]) as never).graph.inputs[0]
    expect(G.showGraph(G.simplify({ inputs: [x], outputs: [G.add(x, 0)] }), ['x'])).toBe('out = (x + broadcast(0, [2]))')
    expect(G.showGraph(G.simplify({ inputs: [x], outputs: [G.sub(0, x)] }), ['x'])).toBe('out = (broadcast(0, [2]) - x)')
    expect(G.showGraph(G.simplify({ inputs: [x], outputs: [G.sub(x, 0)] }), ['x'])).toBe('out = x')
    expect(G.showGraph(G.simplify({ inputs: [x], outputs: [G.sub(-0, x)] }), ['x'])).toBe('out = -x')
    // 1/(0 − x) at x = 0 is +∞ in IEEE arithmetic, and x + 0 at −0 is +0
    const recip = G.jit((v: Sym) => G.div(1, G.sub(0, v)))
    expect(recip(tensor([0])).data[0]).toBe(Infinity)
    expect(Object.is(G.jit((v: Sym) => G.add(v, 0))(tensor([-0])).data[0], 0)).toBe(true)
  })

  it('grad is a graph transformation: the gradient graph of x·sin(x) prints as sin(x) + x·cos(x)', () => {
    const t = G.trace(((v: Sym) => v.mul(v.sin()).sum()) as never, tensor([1]) as never)
    const [g] = G.vjpGraph(t.graph.outputs[0], t.graph.inputs, G.constant(1))
    const text = G.showGraph({ inputs: t.graph.inputs, outputs: [g] }, ['x'])
    expect(text).toBe('out = (sin(x) + (x * cos(x)))')
    expect(interpret({ inputs: t.graph.inputs, outputs: [g] }, [tensor([0.7])])[0].item()).toBeCloseTo(Math.sin(0.7) + 0.7 * Math.cos(0.7), 15)
  })
})

describe('errors name what and where', () => {
  it('shape mismatches name the op and both shapes', () => {
    const f = (x: Sym) => x.add(G.constant(zeros([3]))).sum()
    expect(() => G.grad(f)(tensor([1, 2]))).toThrow('add: shapes [2] and [3] do not broadcast')
    expect(() => G.jit((x: Sym) => G.matmul(x, x))(zeros([2, 3]))).toThrow('matmul: inner dimensions differ: shapes [2,3] and [2,3]')
    expect(() => G.jit((x: Sym) => x.reshape([4]))(zeros([3]))).toThrow('reshape: cannot reshape [3] (3 elements) to [4]')
  })

  it('grad of a non-scalar function says so', () => {
    expect(() => G.grad((x: Sym) => x.square())(tensor([1, 2]))).toThrow('grad: the function must return a scalar, it returned shape [2]')
  })

  it('indices out of range say which', () => {
    expect(() => G.grad((x: Sym) => x.at(5))(tensor([1, 2]))).toThrow('at: index 5 out of range for axis 0 of size 2 (shape [2])')
    expect(() => G.grad((x: Sym) => x.slice(1, 7).sum())(tensor([1, 2]))).toThrow('slice: range 1:7 out of bounds for axis 0 of size 2')
    expect(() => G.grad((x: Sym) => x.sum(3))(tensor([1, 2]))).toThrow('sum: axis 3 out of range for shape [2]')
  })

  it('a function that returns something that is not a traced value says so', () => {
    expect(() => G.grad((() => 'hello') as unknown as (x: Sym) => Sym)(tensor([1]))).toThrow('grad: the function must return a symbolic tensor built with graph ops, it returned string hello')
    expect(() => G.grad(((x: Sym) => [x]) as unknown as (x: Sym) => Sym)(tensor([1]))).toThrow('it returned an array')
  })

  it('arguments that are not tensors are rejected with their path', () => {
    expect(() => G.grad((p: { w: Sym }) => p.w.sum())({ w: [1, 2] } as never)).toThrow('argument 1: expected a tensor, an array or a record at w[0], got number 1')
  })

  it('an error leaves the cache as it was: the next good call works', () => {
    let calls = 0
    const f = (x: Sym) => {
      calls++
      if (x.size === 3) return x.reshape([5]).sum()
      return x.square().sum()
    }
    const g = G.grad(f)
    expect(() => g(tensor([1, 2, 3]))).toThrow('reshape')
    expect(Array.from(g(tensor([1, 2])).data)).toEqual([2, 4])
    expect(() => g(tensor([1, 2, 3]))).toThrow('reshape')
    expect(Array.from(g(tensor([3, 4])).data)).toEqual([6, 8])
    // traced once per signature that succeeded, again for each failed attempt
    expect(calls).toBe(3)
  })
})

describe('caching', () => {
  it('a gradient is traced once per input signature', () => {
    let traces = 0
    const g = G.grad((x: Sym) => {
      traces++
      return x.square().sum()
    })
    for (let i = 0; i < 10; i++) g(tensor([i, 1]))
    expect(traces).toBe(1)
    g(tensor([1, 2, 3]))
    expect(traces).toBe(2)
    g(tensor([[1, 2]]))
    expect(traces).toBe(3)
  })
})

describe('generated code holds no user text', () => {
  it('a hostile record key cannot inject code, and never reaches the source', () => {
    const evil = '"]; globalThis.__pwned = 1; //'
    const f = (p: Record<string, Sym>) => p[evil].square().sum()
    const g = G.grad(f)({ [evil]: tensor([1, 2]) })
    expect(Array.from(g[evil].data)).toEqual([2, 4])
    expect((globalThis as Record<string, unknown>).__pwned).toBeUndefined()
    const t = G.trace(f as never, { [evil]: tensor([1, 2]) } as never)
    const src = sourceOf(compileGraph(t.graph))
    expect(src).not.toContain('pwned')
    // every identifier is a keyword, a Math function, a kernel, or an internal name (letters then digits)
    const allowed = new Set(['use', 'strict', 'const', 'let', 'for', 'return', 'function', 'compiled', 'ins', 'data', 'new',
      'Float64Array', 'of', 'slice', 'fill', 'Math', 'kernels', 'consts', 'F', 'scalars', 'A', 'arrays', 'mmNN', 'mmNT', 'mmTN', 'mmTT', 'NaN', 'Infinity'])
    const strange = (src.match(/[A-Za-z_$][\w$]*/g) ?? []).filter((id) => !allowed.has(id) && !/^[a-z]+\d[\w]*$/.test(id) && !/^Math$/.test(id))
    const mathCalls = (src.match(/(?:Math|F|A)\.(\w+)/g) ?? []).map((m) => m.slice(m.indexOf('.') + 1))
    expect(strange.filter((id) => !mathCalls.includes(id))).toEqual([])
    // the only string literal is the directive
    expect(src.replace('"use strict"', '')).not.toMatch(/["'`]/)
  })
})

describe('long chains', () => {
  it('a chain of 1,000,000 ops evaluates and differentiates without a stack overflow', () => {
    const n = 1_000_000
    // x ↦ x·c·c·…·c with c = 1 + 1e-7: value x·cⁿ, derivative cⁿ
    const c = 1 + 1e-7
    const f = (x: Sym) => {
      let y = x
      for (let i = 0; i < n; i++) y = y.mul(c)
      return y.sum()
    }
    const [value, g] = G.valueAndGrad(f)(tensor([2]))
    const cn = Math.pow(c, n)
    expect(value).toBeCloseTo(2 * cn, 8)
    expect(g.item()).toBeCloseTo(cn, 8)
  }, 180_000)
})

describe('evaluation', () => {
  it('jit evaluates a function of several shapes; outputs are fresh tensors', () => {
    const f = G.jit((x: Sym, y: Sym) => G.matmul(x, y).add(1))
    const a = f(tensor([[1, 2], [3, 4]]), tensor([1, -1]))
    expect(a.shape).toEqual([2])
    expect(Array.from(a.data)).toEqual([0, 0])
    const b = f(tensor([[1, 2], [3, 4]]), tensor([1, -1]))
    expect(b.data).not.toBe(a.data)
  })

  it('an input returned as output is copied, not aliased', () => {
    const x = tensor([1, 2])
    const out = G.jit((v: Sym) => v)(x)
    expect(out.data).not.toBe(x.data)
    expect(Array.from(out.data)).toEqual([1, 2])
  })

  it('NaN and infinities propagate as in IEEE arithmetic', () => {
    const f = G.jit((x: Sym) => x.mul(0).add(x.max()))
    const out = f(fromArray([3], [1, NaN, Infinity]))
    expect(out.data.every(Number.isNaN)).toBe(true)
    expect(G.jit((x: Sym) => x.relu())(fromArray([2], [NaN, -1])).data[0]).toBeNaN()
  })

  it('zero-size tensors', () => {
    expect(G.jit((x: Sym) => x.sum())(fromArray([0], [])).item()).toBe(0)
    const g = G.grad((x: Sym) => x.square().sum())(fromArray([0], []))
    expect(g.shape).toEqual([0])
  })

  it('reductions over some axes, max with ties sharing the gradient', () => {
    const x = tensor([[1, 5, 5], [2, 0, -1]])
    expect(Array.from(G.jit((v: Sym) => v.sum(0))(x).data)).toEqual([3, 5, 4])
    expect(Array.from(G.jit((v: Sym) => v.max(1))(x).data)).toEqual([5, 2])
    expect(Array.from(G.grad((v: Sym) => v.max())(x).data)).toEqual([0, 0.5, 0.5, 0, 0, 0])
    expect(G.jit((v: Sym) => v.logsumexp())(tensor([1000, 1000])).item()).toBeCloseTo(1000 + Math.log(2), 10)
  })

  it('transposes, pads and concats of multi-dimensional tensors match their definitions', () => {
    const x = fromArray([2, 3], [1, 2, 3, 4, 5, 6])
    expect(G.jit((v: Sym) => v.transpose())(x).toArray()).toEqual([[1, 4], [2, 5], [3, 6]])
    expect(G.jit((v: Sym) => G.pad(v, [1, 0], [0, 1]))(x).toArray()).toEqual([[0, 0, 0, 0], [1, 2, 3, 0], [4, 5, 6, 0]])
    expect(G.jit((v: Sym) => G.concat([v, v.mul(10)], 1))(x).toArray()).toEqual([[1, 2, 3, 10, 20, 30], [4, 5, 6, 40, 50, 60]])
    expect(G.jit((v: Sym) => G.stack([v.at(0, 0), v.at(1, 2)]))(x).toArray()).toEqual([1, 6])
    expect(G.jit((v: Sym) => v.transpose().matmul(v))(x).toArray()).toEqual([[17, 22, 27], [22, 29, 36], [27, 36, 45]])
    expect(G.jit((v: Sym) => v.matmul(v.transpose()))(x).toArray()).toEqual([[14, 32], [32, 77]])
  })
})

describe('the fluent and function forms agree', () => {
  it('x.sub(1).square() is square(sub(x, 1))', () => {
    const a = G.jit((x: Sym) => x.sub(1).square())(tensor([3]))
    const b = G.jit((x: Sym) => G.square(G.sub(x, 1)))(tensor([3]))
    expect(a.item()).toBe(4)
    expect(b.item()).toBe(4)
    expect(Tensor.unsafeFromBuffer([], Float64Array.of(4)).item()).toBe(4)
  })
})

describe('symbolic tensors belong to their trace', () => {
  it('one kept from another trace is reported, not miscompiled', () => {
    let kept: Sym | undefined
    G.jit((x: Sym) => {
      kept = x
      return x.sum()
    })(tensor([1, 2]))
    expect(() => G.jit((y: Sym) => y.add(kept!).sum())(tensor([3, 4]))).toThrow('was a symbolic tensor kept from another traced function')
  })
})

describe('deep graphs under the compile limit', () => {
  it('a chain of 15,000 slices compiles without a deep recursion', () => {
    const n = 15_002
    const f = (x: Sym) => {
      let y = x
      for (let i = 0; i < n - 2; i++) y = y.slice(1)
      return y.square().sum()
    }
    const x = fromArray([n], Array.from({ length: n }, (_, i) => i))
    // only the last two elements survive: (n−2)² + (n−1)²
    expect(G.jit(f)(x).item()).toBe((n - 2) ** 2 + (n - 1) ** 2)
    const g = G.grad(f)(x)
    expect(g.data[n - 1]).toBe(2 * (n - 1))
    expect(g.data[0]).toBe(0)
  }, 60_000)
})
