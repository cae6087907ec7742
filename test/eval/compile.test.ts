/**
 * The compiler in its two halves: the plan (a value: where each node lives)
 * and the code emitted from it, checked against the interpreter.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as G from '../../src/graph/index.js'
import type { Graph, Sym } from '../../src/graph/index.js'
import { compileGraph, planGraph, sourceOf } from '../../src/eval/compile.js'
import { interpret } from '../../src/eval/interpret.js'
import { train } from '../../src/drivers/train.js'
import { sgd } from '../../src/optim/combinators.js'
import { type Tensor, fromArray, tensor } from '../../src/tensor/Tensor.js'
import type { TensorTree } from '../../src/tensor/Tree.js'

describe('planGraph', () => {
  it('is a value: buffers for outputs and reductions, locals for one-element nodes, aliases for reshapes of buffers', () => {
    const t = G.trace((x: Sym) => G.reshape(G.exp(x).sum(0), [3, 1]).add(G.sum(x)), tensor([[1, 2, 3], [4, 5, 6]]))
    const plan = planGraph(t.graph)
    const ops = (s: Iterable<Sym>): string[] => [...s].map((n) => n.op).sort()
    expect(ops(plan.buffers)).toEqual(['add', 'sum'])
    expect(ops(plan.locals)).toEqual(['sum'])
    expect(ops(plan.aliases.keys())).toEqual(['reshape'])
    // planning twice gives the same plan, and emitting does not change it
    const before = [...plan.buffers]
    compileGraph(t.graph)
    expect([...planGraph(t.graph).buffers].map((n) => n.id)).toEqual(before.map((n) => n.id))
  })

  it('carries an expression read at shifted indices across iterations instead of recomputing it', () => {
    // extended Rosenbrock's gradient reads 200(xᵢ₊₁ − xᵢ²) at i and at i − 1 (through a pad)
    const rosenbrock = (x: Sym): Sym => {
      const head = x.slice(0, -1)
      return x.slice(1).sub(head.square()).square().mul(100).add(head.neg().add(1).square()).sum()
    }
    const x = fromArray([6], [0.5, -1.2, 0.3, 2, 0.9, -0.1])
    const t = G.trace(G.symGrad(rosenbrock), x)
    const plan = planGraph(t.graph)
    const [[root, carried]] = [...plan.carries]
    expect(root).toBe(t.graph.outputs[0])
    // x itself is read at i and i + 1: loaded once per iteration, and carried too
    expect([...carried].map(([n, c]) => [n.op, c])).toEqual([['input', { lo: 0, hi: 1 }], ['mul', { lo: -1, hi: 0 }]])
    // …and stores nothing but the result
    expect([...plan.buffers]).toEqual([t.graph.outputs[0]])
    expect(Array.from(compileGraph(t.graph)([x])[0])).toEqual(Array.from(interpret(t.graph, [x])[0].data))
  })

  it('carries a window of three shifts, in an elementwise loop and in a reduction, bit-identical to the interpreter', () => {
    const f = (x: Sym): Sym => {
      const e = x.square().mul(x)
      const stencil = e.slice(0, -2).add(e.slice(1, -1)).mul(e.slice(2)).sum()
      return G.pad(e.slice(1), [0], [1]).sub(G.pad(e.slice(0, -1), [1], [0])).add(stencil)
    }
    const x = fromArray([7], [0.5, -1.2, 0.3, 2, 0.9, -0.1, 4])
    const t = G.trace(f, x)
    const plan = planGraph(t.graph)
    const windows = [...plan.carries.values()].flatMap((m) => [...m.values()])
    expect(windows).toContainEqual({ lo: 0, hi: 2 })
    expect(windows).toContainEqual({ lo: -1, hi: 1 })
    expect(Array.from(compileGraph(t.graph)([x])[0])).toEqual(Array.from(interpret(t.graph, [x])[0].data))
  })

  it('gives a one-element matrix product, and what it reads, a buffer', () => {
    const t = G.trace((x: Sym) => G.matmul(tensor([[1, 2]]), x).square().sum(), tensor([[3], [4]]))
    const plan = planGraph(t.graph)
    expect([...plan.buffers].some((n) => n.op === 'matmul' && n.size === 1)).toBe(true)
  })
})

describe('compileGraph', () => {
  it('a one-element matmul result feeding an elementwise op compiles under grad, jit and hvp (was: matmul node N was not given a buffer)', () => {
    const f = (x: Sym): Sym => G.matmul(tensor([[1, 2]]), x).square().sum()
    const x = tensor([[3], [4]])
    // (3 + 8)² = 121; ∇ = 2·11·[1, 2]; H = 2·[1, 2]ᵀ[1, 2]
    expect(G.jit(f)(x).item()).toBe(121)
    expect(Array.from(G.grad(f)(x).data)).toEqual([22, 44])
    expect(Array.from(G.hvp(f)(x, tensor([[1], [0]])).data)).toEqual([2, 4])
    // a vector-matrix product of one element, a [1,1] constant operand
    const g = (v: Sym): Sym => G.matmul(G.matmul(v, tensor([[2], [1]])), tensor([[3]])).sigmoid().sum()
    const v = tensor([[0.1, -0.4]])
    const gradGraph = G.trace(G.symGrad(g), v).graph
    const s = 1 / (1 + Math.exp(-3 * (0.2 - 0.4)))
    expect(Array.from(G.grad(g)(v).data)).toEqual(Array.from(interpret(gradGraph, [v])[0].data))
    expect(Array.from(compileGraph(gradGraph)([v])[0])).toEqual(Array.from(interpret(gradGraph, [v])[0].data))
    expect(G.grad(g)(v).data[0]).toBeCloseTo(s * (1 - s) * 3 * 2, 15)
  })

  it('elementwise code comes from the op table: a library scalar function is called, not rewritten', () => {
    const t = G.trace((x: Sym) => G.erf(x).add(G.sigmoid(x)), tensor([0.5, -720]))
    const c = compileGraph(t.graph)
    expect(sourceOf(c)).toContain('F.erf(')
    expect(sourceOf(c)).toContain('F.sigmoid(')
    expect(Array.from(c([tensor([0.5, -720])])[0])).toEqual(Array.from(interpret(t.graph, [tensor([0.5, -720])])[0].data))
  })

  it('train with batchSize 1 on a graph model whose matrix product has one element (the seed m = 1)', () => {
    const X = fromArray([4, 2], [1, 0, 0, 1, 1, 1, 2, -1])
    const y = fromArray([4, 1], [2, -1, 1, 5]) // y = X·[2, −1]ᵀ
    const loss = (w: Sym, batch: { x: Sym; y: Sym }): Sym => G.matmul(batch.x, w).sub(batch.y).square().mean()
    const step = G.valueAndGrad(loss)
    const lossAndGrad = (w: TensorTree, batch: TensorTree): readonly [number, TensorTree] =>
      step(w as Tensor, batch as { x: Tensor; y: Tensor })
    const t = train(lossAndGrad, tensor([[0], [0]]), { x: X, y }, sgd(0.1), { batchSize: 1, epochs: 200, seed: 3 })
    expect(t.steps).toBe(800)
    expect((t.params as Tensor).data[0]).toBeCloseTo(2, 8)
    expect((t.params as Tensor).data[1]).toBeCloseTo(-1, 8)
  })
})

/** Compiled and interpreted values of `g` at `inputs` agree in every bit (Object.is: −0 is not 0). */
const expectSameBits = (g: Graph, inputs: readonly Tensor[]): void => {
  const compiled = compileGraph(g)(inputs)
  const interpreted = interpret(g, inputs)
  expect(compiled.length).toBe(interpreted.length)
  compiled.forEach((c, k) => {
    const want = interpreted[k].data
    expect(c.length).toBe(want.length)
    const differ = Array.from(c).flatMap((x, i) => (Object.is(x, want[i]) ? [] : [{ output: k, index: i, compiled: x, interpreted: want[i] }]))
    expect(differ).toEqual([])
  })
}

const vector = (n: number, f: (i: number) => number): Tensor => fromArray([n], Array.from({ length: n }, (_, i) => f(i)))

/** f(x) = Σᵢ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)², as the W3 benchmark writes it. */
const extendedRosenbrock = (x: Sym): Sym => {
  const head = x.slice(0, -1)
  return x.slice(1).sub(head.square()).square().mul(100).add(head.neg().add(1).square()).sum()
}

/** The graphs of the gradient and of H·v (built as `hvp` builds them in each mode) of a function of a vector. */
const derivativeGraphs = (f: (x: Sym) => Sym, x: Tensor, v: Tensor): readonly [Graph, Tensor[]][] => [
  [G.trace(G.symGrad(f), x).graph, [x]],
  [G.trace((y: Sym, w: Sym) => G.jvpGraph([G.symGrad(f)(y)], [y], [w])[0], x, v).graph, [x, v]],
  [G.trace((y: Sym, w: Sym) => G.symGrad((z: Sym) => G.symGrad(f)(z).mul(w).sum())(y), x, v).graph, [x, v]]
]

describe('compileGraph: one-axis loops', () => {
  it('the W3 gradient and HVP at n = 1 … 9 (an interior that is empty, then one element, then more) are bit-identical to the interpreter', () => {
    for (let n = 1; n <= 9; n++) {
      const x = vector(n, (i) => 0.5 + 0.1 * Math.sin(i))
      const v = vector(n, (i) => Math.cos(i))
      for (const [g, inputs] of derivativeGraphs(extendedRosenbrock, x, v)) expectSameBits(g, inputs)
    }
  })

  it('the W3 HVP runs its interior without clamps or masks, and keeps no buffer but its result', () => {
    const n = 50
    const [, [g, inputs]] = derivativeGraphs(extendedRosenbrock, vector(n, (i) => 0.5 + 0.1 * Math.sin(i)), vector(n, Math.cos))
    const source = sourceOf(compileGraph(g))
    const lines = source.split('\n')
    const start = lines.findIndex((l) => /^for \(let (\w+) = 1; \1 < 49; \1\+\+\) \{$/.test(l))
    expect(start).toBeGreaterThan(0)
    const interior = lines.slice(start + 1, lines.indexOf('}', start))
    expect(interior.length).toBeGreaterThan(5)
    // no ternary: no clamped index, no masked read
    expect(interior.filter((l) => l.includes('?'))).toEqual([])
    expect(source.match(/new Float64Array\(\d+\)/g)).toEqual([`new Float64Array(${n})`])
    expectSameBits(g, inputs)
  })

  it('a carried node whose value is another one\'s earlier value (a shifted copy) keeps it through the moves', () => {
    // t = pad(e[0 : n−1], 1, 0) is e one place later; under the HVP both are read at several shifts
    const f = (x: Sym): Sym => {
      const e = G.neg(x)
      const t = G.pad(e.slice(0, -1), [1], [0])
      return G.sin(G.sin(e.add(t.mul(e)))).mul(G.concat([x, x]).slice(1, x.shape[0] + 1).add(0.5)).sum()
    }
    for (let n = 2; n <= 6; n++) {
      for (const [g, inputs] of derivativeGraphs(f, vector(n, (i) => 1.4 * Math.sin(1 + 3 * i)), vector(n, (i) => Math.cos(7 + i)))) {
        expectSameBits(g, inputs)
      }
    }
  })

  /** Programs over a vector of n made of slices and pads at both ends, shifts and shared stencils. */
  type Program =
    | { readonly op: 'x' }
    | { readonly op: 'c'; readonly value: number }
    | { readonly op: 'sin' | 'square' | 'neg' | 'tanh'; readonly a: Program }
    | { readonly op: 'add' | 'sub' | 'mul'; readonly a: Program; readonly b: Program }
    | { readonly op: 'window'; readonly a: Program; readonly start: number; readonly end: number; readonly lo: number }
    | { readonly op: 'stencil'; readonly a: Program; readonly p: number; readonly q: number }

  const { program } = fc.letrec<{ program: Program }>((tie) => ({
    program: fc.oneof(
      { maxDepth: 5, depthSize: 'small' },
      fc.constant<Program>({ op: 'x' }),
      fc.double({ min: -2, max: 2, noNaN: true }).map((value): Program => ({ op: 'c', value })),
      fc.record({ op: fc.constantFrom('sin', 'square', 'neg', 'tanh') as fc.Arbitrary<'sin'>, a: tie('program') }),
      fc.record({ op: fc.constantFrom('add', 'sub', 'mul') as fc.Arbitrary<'add'>, a: tie('program'), b: tie('program') }),
      fc.record({ op: fc.constant('window' as const), a: tie('program'), start: fc.nat(3), end: fc.nat(3), lo: fc.nat(6) }),
      fc.record({ op: fc.constant('stencil' as const), a: tie('program'), p: fc.integer({ min: -3, max: 3 }), q: fc.integer({ min: -3, max: 3 }) })
    )
  }))

  /** e moved by k places (zeros come in): a slice and a pad. */
  const shift = (e: Sym, k: number, n: number): Sym => {
    const s = Math.max(-n, Math.min(n, k))
    return s > 0 ? G.pad(G.slice(e, s), [0], [s]) : s < 0 ? G.pad(G.slice(e, 0, n + s), [-s], [0]) : e
  }

  const build = (p: Program, x: Sym, n: number): Sym => {
    switch (p.op) {
      case 'x': return x
      case 'c': return G.broadcastTo(p.value, [n])
      case 'sin': return G.sin(build(p.a, x, n))
      case 'tanh': return G.tanh(build(p.a, x, n))
      case 'square': return G.square(build(p.a, x, n))
      case 'neg': return G.neg(build(p.a, x, n))
      case 'add': return G.add(build(p.a, x, n), build(p.b, x, n))
      case 'sub': return G.sub(build(p.a, x, n), build(p.b, x, n))
      case 'mul': return G.mul(build(p.a, x, n), build(p.b, x, n))
      case 'window': {
        // cut at both ends, then pad back to n with the zeros split lo / the rest
        const s = Math.min(p.start, n)
        const e = Math.min(p.end, n - s)
        const lo = Math.min(p.lo, s + e)
        return G.pad(G.slice(build(p.a, x, n), s, n - e), [lo], [s + e - lo])
      }
      case 'stencil': {
        // one shared expression read at three shifts (0, p, q)
        const e = build(p.a, x, n)
        return shift(e, p.p, n).add(shift(e, p.q, n).mul(e))
      }
    }
  }

  it('random programs of slices and pads, at n = 1 … 9, in every kind of loop and under both HVP modes, are bit-identical to the interpreter', () => {
    fc.assert(
      fc.property(program, fc.integer({ min: 1, max: 9 }), fc.nat(2), fc.nat(2), fc.nat(1000), (p, n, cutA, cutB, seed) => {
        const x = vector(n, (i) => 1.4 * Math.sin(seed + 3 * i))
        const v = vector(n, (i) => Math.cos(7 * seed + i))
        const a = Math.min(cutA, n - 1)
        const b = Math.min(cutB, n - 1 - a)
        const f = (y: Sym): Sym => build(p, y, n)
        // an elementwise loop, one over a slice of it (a root of another length), a reduction and a concatenation
        for (const h of [f, (y: Sym) => f(y).slice(a, n - b), (y: Sym) => G.sum(f(y)), (y: Sym) => G.concat([f(y).slice(a, n - b), G.sin(y)])]) {
          expectSameBits(G.trace(h, x).graph, [x])
        }
        const weights = (y: Sym): Sym => G.concat([y, y]).slice(1, n + 1).add(0.5)
        for (const [g, inputs] of derivativeGraphs((y) => f(y).mul(weights(y)).sum(), x, v)) expectSameBits(g, inputs)
      }),
      { seed: 20240611, numRuns: 200 }
    )
  })
})
