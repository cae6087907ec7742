/**
 * The plan of one-axis loops: what they carry across iterations instead of
 * storing, and their interiors, where no read needs clamping or masking.
 * (The numbers the emitted code computes are checked in compile.test.ts.)
 */
import { describe, expect, it } from 'vitest'
import * as G from '../../src/graph/index.js'
import type { Sym } from '../../src/graph/index.js'
import { planGraph } from '../../src/eval/plan.js'
import { fromArray } from '../../src/tensor/Tensor.js'

/** f(x) = Σᵢ 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)², as the W3 benchmark writes it. */
const rosenbrock = (x: Sym): Sym => {
  const head = x.slice(0, -1)
  return x.slice(1).sub(head.square()).square().mul(100).add(head.neg().add(1).square()).sum()
}

const point = (n: number, phase = 0): ReturnType<typeof fromArray> =>
  fromArray([n], Array.from({ length: n }, (_, i) => 0.5 + 0.1 * Math.sin(i + phase)))

/** The graphs of H·v, built as `hvp` builds them in each mode. */
const hessianVectorGraphs = (n: number): Record<string, G.Graph> => ({
  'forward-over-reverse': G.trace((x: Sym, v: Sym) => G.jvpGraph([G.symGrad(rosenbrock)(x)], [x], [v])[0], point(n), point(n, 1)).graph,
  'reverse-over-reverse': G.trace((x: Sym, v: Sym) => G.symGrad((y: Sym) => G.symGrad(rosenbrock)(y).mul(v).sum())(x), point(n), point(n, 1)).graph
})

describe('planGraph: carrying shared nodes', () => {
  it.each(Object.entries(hessianVectorGraphs(10)))('the W3 HVP (%s) carries the tangent of 200(xᵢ₊₁ − xᵢ²) and stores only the result', (_, g) => {
    const plan = planGraph(g)
    const [out] = g.outputs
    // the tangent is read at i − 1 (through a pad) and at i: shared, and once stored in a buffer of its own
    expect([...plan.buffers]).toEqual([out])
    const carried = [...(plan.carries.get(out) ?? [])]
    const computed = carried.filter(([n]) => n.op !== 'input')
    expect(computed.map(([n, c]) => [n.size, c])).toEqual([[9, { lo: -1, hi: 0 }]])
    // x and v are read at i and i + 1: loaded once per iteration
    expect(carried.filter(([n]) => n.op === 'input').map(([, c]) => c)).toEqual([{ lo: 0, hi: 1 }, { lo: 0, hi: 1 }])
    expect(plan.interiors.get(out)).toEqual({ from: 1, to: 9 })
  })

  /** A shared node costly enough to store, e = sin(x)·x + x³, read at shifts 0 and 1 of a loop over n − 1. */
  const stencil = (x: Sym): { e: Sym; pair: Sym } => {
    const e = G.sin(x).mul(x).add(x.square().mul(x))
    return { e, pair: e.slice(1).add(e.slice(0, -1).mul(2)) }
  }

  it('carries a shared node all of whose uses are in one loop', () => {
    let shared: Sym | undefined
    const t = G.trace((x: Sym) => {
      const { e, pair } = stencil(x)
      shared = e
      return pair
    }, point(6))
    const plan = planGraph(t.graph)
    expect(plan.buffers.has(shared!)).toBe(false)
    expect(plan.carries.get(t.graph.outputs[0])?.get(shared!)).toEqual({ lo: 0, hi: 1 })
  })

  it('stores a shared node that a second loop reads too', () => {
    let shared: Sym | undefined
    const t = G.trace((x: Sym) => {
      const { e, pair } = stencil(x)
      shared = e
      return G.concat([pair, G.reshape(G.sum(e), [1])])
    }, point(6))
    expect(planGraph(t.graph).buffers.has(shared!)).toBe(true)
  })

  it('stores a shared node read at shifts further apart than a window holds', () => {
    let shared: Sym | undefined
    const t = G.trace((x: Sym) => {
      const { e } = stencil(x)
      shared = e
      return e.slice(5).add(e.slice(0, -5))
    }, point(9))
    expect(planGraph(t.graph).buffers.has(shared!)).toBe(true)
  })
})

describe('planGraph: interiors', () => {
  it('are the iterations in which every pad reads inside its input, and can be empty', () => {
    // out[i] = x[i + 2] (0 past n − 3) + x[i − 1] (0 before 1)
    const f = (x: Sym): Sym => G.pad(x.slice(2), [0], [2]).add(G.pad(x.slice(0, -1), [1], [0]).sin())
    const interior = (n: number): unknown => {
      const t = G.trace(f, point(n))
      return planGraph(t.graph).interiors.get(t.graph.outputs[0])
    }
    expect(interior(10)).toEqual({ from: 1, to: 8 })
    expect(interior(3)).toEqual({ from: 1, to: 1 })
  })

  it('of a loop whose pads never mask is the whole loop', () => {
    // a pad read only where it holds its input: slice(pad(x, 1, 0), 1) = x, written the long way
    const t = G.trace((x: Sym) => G.pad(x.sin(), [1], [0]).slice(1).add(x), point(5))
    expect(planGraph(t.graph).interiors.get(t.graph.outputs[0])).toEqual({ from: 0, to: 5 })
  })
})
