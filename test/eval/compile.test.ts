/**
 * The compiler in its two halves: the plan (a value: where each node lives)
 * and the code emitted from it, checked against the interpreter.
 */
import { describe, expect, it } from 'vitest'
import * as G from '../../src/graph/index.js'
import type { Sym } from '../../src/graph/index.js'
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
    expect([...carried.values()]).toEqual([{ lo: -1, hi: 0 }])
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
