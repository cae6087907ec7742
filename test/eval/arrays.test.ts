/**
 * The elementwise array kernels: the WebAssembly tanh computes the bits of
 * the scalar tanh (primitives.ts) for every value class and every length,
 * in place and not, in chunks and not.
 */
import { describe, expect, it } from 'vitest'
import { WHOLE_ARRAY_MIN, tanhArray } from '../../src/eval/arrays.js'
import { compileGraph, sourceOf } from '../../src/eval/compile.js'
import { interpret } from '../../src/eval/interpret.js'
import type { Graph } from '../../src/graph/Graph.js'
import { scalarConstant } from '../../src/graph/build.js'
import { type Sym, trace, vjpGraph } from '../../src/graph/index.js'
import type { Tensor } from '../../src/tensor/Tensor.js'
import { heapOf, instantiateKernels } from '../../src/eval/wasm/instance.js'
import { tanh } from '../../src/graph/primitives.js'
import { random } from '../../src/tensor/Random.js'

/** Values of every kind tanh meets: ±0, subnormals, tiny, the range-reduction boundaries, the saturation at 22, huge, ±∞, NaN. */
const special = [
  0, -0, 5e-324, -5e-324, 1e-310, 1e-300, 1e-17, -1e-9, 1e-5, 0.1, -0.17328679513998632, 0.34657359027997264, 0.5, -0.55, 1, -1.0397207708399179,
  2, 5, -10, 18.5, 21.99999, 22, -22, 22.000001, 30, -700, 1e300, Infinity, -Infinity, NaN
]

const same = (a: number, b: number): boolean => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))

const expectScalarBits = (xs: Float64Array, got: Float64Array): void => {
  const bad: string[] = []
  xs.forEach((x, i) => {
    if (!same(got[i], tanh(x))) bad.push(`tanh(${x}) = ${tanh(x)}, array ${got[i]}`)
  })
  expect(bad.slice(0, 5)).toEqual([])
}

describe('the WebAssembly tanh kernel', () => {
  const w = instantiateKernels()
  it.skipIf(w === undefined)('computes the scalar tanh bit for bit, special values and 20,000 normal ones', () => {
    const rng = random(3)
    const xs = Float64Array.from([...special, ...rng.normal([20000], 0, 3).data, ...rng.normal([2000], 0, 1e-6).data])
    const heap = heapOf(w!, xs.length + 1)
    heap.set(xs)
    w!.tanh(0, xs.length)
    expectScalarBits(xs, heap.subarray(0, xs.length))
  })

  it.skipIf(w === undefined)('writes n doubles and no more, for odd and even n', () => {
    for (const n of [0, 1, 2, 3, 7, 8]) {
      const heap = heapOf(w!, 16)
      heap.fill(0.5, 0, 12)
      w!.tanh(0, n)
      for (let i = 0; i < n; i++) expect(heap[i]).toBe(tanh(0.5))
      // an odd n's last pair writes one double past the end (the callers leave room); beyond that, nothing
      for (let i = n + (n % 2); i < 12; i++) expect(heap[i]).toBe(0.5)
    }
  })
})

describe('tanhArray', () => {
  const rng = random(11)
  it('computes the scalar tanh for every length from 0 to 70, in place and into another array', () => {
    for (let n = 0; n <= 70; n++) {
      const xs = Float64Array.from({ length: n }, (_, i) => special[i % special.length] * (i % 3 === 0 ? 1 : -0.5))
      const out = new Float64Array(n + 3).fill(7)
      tanhArray(xs, out, n)
      expectScalarBits(xs, out)
      expect(Array.from(out.subarray(n))).toEqual([7, 7, 7])
      const inPlace = xs.slice()
      tanhArray(inPlace, inPlace, n)
      expectScalarBits(xs, inPlace)
    }
  })

  it('works through arrays longer than its chunk', () => {
    const xs = rng.normal([70001], 0, 4).data
    const out = new Float64Array(xs.length)
    tanhArray(xs, out, xs.length)
    expectScalarBits(xs, out)
  })

  it('reads only the first n elements', () => {
    const xs = Float64Array.from([0.25, 0.5, 0.75, 1, 1.25])
    const out = new Float64Array(5)
    tanhArray(xs, out, 3)
    expect(Array.from(out)).toEqual([tanh(0.25), tanh(0.5), tanh(0.75), 0, 0])
  })
})

describe('a stored tanh in compiled code', () => {
  const rng = random(5)
  const bitsOf = (g: Graph, inputs: Tensor[]): { compiled: Float64Array[]; interpreted: Float64Array[]; source: string } => {
    const c = compileGraph(g)
    return { compiled: c(inputs), interpreted: interpret(g, inputs).map((t) => t.data), source: sourceOf(c) }
  }
  // which graph stores the tanh: the function's own, or (where the function inlines it into a sum) its gradient's
  const cases: [string, (x: Sym, b: Sym) => Sym, 0 | 1][] = [
    ['of an inlined argument (x + b)', (x, b) => x.add(b).tanh(), 0],
    ['of a graph input', (x) => x.tanh(), 0],
    ['read again by its derivative', (x, b) => x.add(b).tanh().square().sum(), 1]
  ]
  it.each(cases)('%s runs over the whole buffer and equals the interpreter bit for bit', (_, f, stored) => {
    for (const [rows, cols] of [[16, 8], [3, 11], [1, 31], [33, 1]] as const) {
      const x = rng.normal([rows, cols], 0, 2)
      const b = rng.normal([cols], 0, 1)
      const t = trace(f, x, b)
      const out = t.graph.outputs[0]
      const grads = vjpGraph(out.rank === 0 ? out : out.sum(), [t.graph.inputs[0]], scalarConstant(1))
      const graphs = [t.graph, { inputs: t.graph.inputs, outputs: grads }]
      graphs.forEach((g, k) => {
        const { compiled, interpreted, source } = bitsOf(g, [x, b])
        compiled.forEach((c, i) => expect(Array.from(c)).toEqual(Array.from(interpreted[i])))
        if (k === stored) expect(source.includes('A.tanh(')).toBe(rows * cols >= WHOLE_ARRAY_MIN)
      })
    }
  })
})
