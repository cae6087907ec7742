/**
 * Random programs: a generator of expressions over the ops (fc.letrec,
 * bounded depth) checked for gradient and HVP against finite differences,
 * HVP against the dense Hessian, Hessian symmetry, and the compiled code
 * against the interpreter.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as G from '../../src/graph/index.js'
import type { Sym } from '../../src/graph/index.js'
import { interpret } from '../../src/eval/interpret.js'
import { compileGraph } from '../../src/eval/compile.js'
import { tensor } from '../../src/tensor/Tensor.js'
import { centralDifference, centralDifferenceVec, dotArrays, expectAllClose, expectClose, scalarOf } from './helpers.js'

fc.configureGlobal({ seed: 424242, numRuns: 60 })

const N = 4
const M = tensor([[0.5, -1, 0.25, 2], [1, 0, -0.5, 0.3], [-0.2, 0.7, 1, 0], [0.1, 0.1, -1, 0.6]])

/** An expression over the input vector x ∈ ℝ⁴, each node a vector of 4 (smooth and total everywhere). */
type Program =
  | { readonly op: 'x' }
  | { readonly op: 'c'; readonly value: number }
  | { readonly op: 'sin' | 'cos' | 'tanh' | 'sigmoid' | 'softplus' | 'square' | 'neg' | 'shift' | 'matmul' | 'sum' | 'max' | 'expTanh'; readonly a: Program }
  | { readonly op: 'add' | 'sub' | 'mul'; readonly a: Program; readonly b: Program }

const { program } = fc.letrec<{ program: Program }>((tie) => ({
  program: fc.oneof(
    { maxDepth: 4, depthSize: 'small' },
    fc.constant<Program>({ op: 'x' }),
    fc.double({ min: -2, max: 2, noNaN: true }).map((value): Program => ({ op: 'c', value })),
    fc.record({
      op: fc.constantFrom('sin', 'cos', 'tanh', 'sigmoid', 'softplus', 'square', 'neg', 'shift', 'matmul', 'sum', 'max', 'expTanh') as fc.Arbitrary<'sin'>,
      a: tie('program')
    }),
    fc.record({ op: fc.constantFrom('add', 'sub', 'mul') as fc.Arbitrary<'add'>, a: tie('program'), b: tie('program') })
  )
}))

const build = (p: Program, x: Sym): Sym => {
  switch (p.op) {
    case 'x': return x
    case 'c': return G.broadcastTo(p.value, [N])
    case 'sin': return G.sin(build(p.a, x))
    case 'cos': return G.cos(build(p.a, x))
    case 'tanh': return G.tanh(build(p.a, x))
    case 'sigmoid': return G.sigmoid(build(p.a, x))
    case 'softplus': return G.softplus(build(p.a, x))
    case 'square': return G.square(build(p.a, x))
    case 'neg': return G.neg(build(p.a, x))
    case 'expTanh': return G.exp(G.tanh(build(p.a, x)))
    // rotate by one: a slice and a concat (pad and slice in the derivative)
    case 'shift': {
      const a = build(p.a, x)
      return G.concat([a.slice(1), a.slice(0, 1)])
    }
    case 'matmul': return G.matmul(M, G.tanh(build(p.a, x)))
    case 'sum': return G.broadcastTo(G.sum(build(p.a, x)), [N])
    // distinct offsets keep the maximum away from ties
    case 'max': return G.broadcastTo(G.max(G.add(G.mul(G.tanh(build(p.a, x)), 0.1), tensor([0, 1, 2, 3]))), [N])
    case 'add': return G.add(build(p.a, x), build(p.b, x))
    case 'sub': return G.sub(build(p.a, x), build(p.b, x))
    case 'mul': return G.mul(build(p.a, x), build(p.b, x))
  }
}

/** A scalar objective from a program: Σ wᵢ·pᵢ(x) with fixed distinct weights. */
const objective = (p: Program) => (x: Sym): Sym => G.dot(build(p, x), tensor([1, -0.5, 0.75, 0.3]))

const point = fc.array(fc.double({ min: -1.5, max: 1.5, noNaN: true }), { minLength: N, maxLength: N })
const direction = fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: N, maxLength: N })

describe('random programs', () => {
  it('gradient agrees with central differences along a random direction', () => {
    fc.assert(
      fc.property(program, point, direction, (p, xs, t) => {
        const f = objective(p)
        const x = tensor(xs)
        const g = G.grad(f)(x)
        expectClose(dotArrays(g.data, t), centralDifference(scalarOf(f), x, t, 1e-6), 1e-5, 1e-5)
      })
    )
  })

  it('HVP agrees with central differences of the gradient and with hessian·v; the Hessian is symmetric', () => {
    fc.assert(
      fc.property(program, point, direction, (p, xs, t) => {
        const f = objective(p)
        const x = tensor(xs)
        const v = tensor(t)
        const hv = G.hvp(f)(x, v)
        expectAllClose(hv.data, centralDifferenceVec(G.grad(f), x, t, 1e-5), 1e-4, 1e-5)
        const H = G.hessian(f)(x)
        const Hv = [0, 1, 2, 3].map((i) => dotArrays(H.data.subarray(4 * i, 4 * i + 4), t))
        expectAllClose(hv.data, Hv, 1e-10, 1e-10)
        for (let i = 0; i < N; i++) for (let j = 0; j < i; j++) expectClose(H.get(i, j), H.get(j, i), 1e-10, 1e-12)
      })
    )
  })

  it('compiled code computes exactly what the interpreter computes', () => {
    fc.assert(
      fc.property(program, point, direction, (p, xs, t) => {
        const f = objective(p)
        const x = tensor(xs)
        const tr = G.trace(f as never, x as never)
        const xNode = tr.graph.inputs[0]
        const grads = G.vjpGraph(tr.graph.outputs[0], [xNode], G.constant(1))
        const g = { inputs: tr.graph.inputs, outputs: [tr.graph.outputs[0], ...grads] }
        const compiled = compileGraph(g)([x])
        const interpreted = interpret(g, [x])
        compiled.forEach((c, i) => expect(Array.from(c)).toEqual(Array.from(interpreted[i].data)))
        // and simplification does not change the function
        const s = G.simplify(g)
        interpret(s, [x]).forEach((c, i) => expectAllClose(c.data, interpreted[i].data, 1e-12, 1e-12))
        expect(t.length).toBe(N)
      })
    )
  })
})
