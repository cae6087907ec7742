/**
 * The matrix-product kernels: the plain-JavaScript ones against a dense
 * reference, and the WebAssembly ones against the JavaScript ones bit for bit
 * (each element accumulated in the same order), over every form, the shapes
 * that exercise each block and tail of the SIMD kernels, and special values.
 */
import { fc, test } from '@fast-check/vitest'
import { describe, expect, it } from 'vitest'
import { type MatmulKernels, jsMatmulKernels, matmulKernels, wasmMatmulKernels } from '../../src/eval/matmul.js'
import { instantiateKernels } from '../../src/eval/wasm/instance.js'

type Form = keyof MatmulKernels
const forms: readonly Form[] = ['mmNN', 'mmNT', 'mmTN', 'mmTT']

/** op(X)[r, c] of a stored matrix: X stored rows×cols, or its transpose stored cols×rows. */
const at = (x: Float64Array, transposed: boolean, rows: number, cols: number, r: number, c: number): number =>
  transposed ? x[c * rows + r] : x[r * cols + c]

/** C = op(A)·op(B) by the definition, accumulated from +0 in increasing p. */
const reference = (form: Form, a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array => {
  const c = new Float64Array(m * n)
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0
      for (let p = 0; p < k; p++) s += at(a, form[2] === 'T', m, k, i, p) * at(b, form[3] === 'T', k, n, p, j)
      c[i * n + j] = s
    }
  }
  return c
}

const seeded = (seed: number, length: number): Float64Array => {
  let s = seed >>> 0
  return Float64Array.from({ length }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 31 - 1
  })
}

const sameBits = (got: Float64Array, want: Float64Array): void => {
  expect(got.length).toBe(want.length)
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) expect.fail(`element ${i}: ${got[i]} vs ${want[i]}`)
  }
}

const wasm = instantiateKernels()
const wasmKernels = wasm === undefined ? undefined : wasmMatmulKernels(wasm)

/** Shapes covering 4×4 blocks, row and column tails of 1–3, the 8-wide vector form and empty products. */
const shapes: ReadonlyArray<readonly [number, number, number]> = [
  [1, 1, 1], [1, 7, 1], [2, 3, 5], [3, 1, 3], [4, 4, 4], [5, 6, 7], [7, 5, 9], [8, 3, 8], [9, 9, 1], [1, 9, 13],
  [13, 2, 1], [1, 17, 23], [17, 1, 23], [33, 31, 29], [64, 16, 10], [256, 64, 128], [128, 256, 1], [256, 128, 1],
  [1, 128, 256], [256, 1, 128], [0, 3, 4], [3, 0, 4], [3, 4, 0]
]

describe('jsMatmulKernels', () => {
  it.each(forms)('%s equals the definition, bit for bit', (form) => {
    for (const [m, k, n] of shapes.filter(([m, k, n]) => m * k * n <= 50_000)) {
      const a = seeded(m * 31 + k, m * k)
      const b = seeded(n * 17 + k, k * n)
      const c = new Float64Array(m * n).fill(NaN)
      jsMatmulKernels[form](a, b, c, m, k, n)
      sameBits(c, reference(form, a, b, m, k, n))
    }
  })
})

describe.runIf(wasmKernels !== undefined)('wasmMatmulKernels', () => {
  it.each(forms)('%s gives the bits of the JavaScript kernel on every shape', (form) => {
    for (const [m, k, n] of shapes) {
      const a = seeded(m * 7 + k * 3 + 1, m * k)
      const b = seeded(n * 5 + k * 11 + 2, k * n)
      const want = new Float64Array(m * n).fill(NaN)
      const got = new Float64Array(m * n).fill(NaN)
      jsMatmulKernels[form](a, b, want, m, k, n)
      wasmKernels![form](a, b, got, m, k, n)
      sameBits(got, want)
    }
  })

  test.prop(
    [
      fc.constantFrom(...forms),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 12 }),
      fc.array(fc.oneof(fc.double(), fc.constantFrom(0, -0, Infinity, -Infinity, NaN, 5e-324, 1e308)), { minLength: 288, maxLength: 288 })
    ],
    { seed: 12, numRuns: 300 }
  )('gives the bits of the JavaScript kernel on arbitrary doubles (−0, ±∞, NaN, subnormals)', (form, m, k, n, values) => {
    const a = Float64Array.from(values.slice(0, m * k))
    const b = Float64Array.from(values.slice(144, 144 + k * n))
    const want = new Float64Array(m * n)
    const got = new Float64Array(m * n)
    jsMatmulKernels[form](a, b, want, m, k, n)
    wasmKernels![form](a, b, got, m, k, n)
    sameBits(got, want)
  })

  it('reads only the m·k and k·n elements of longer buffers and writes only m·n of C', () => {
    const a = seeded(1, 40)
    const b = seeded(2, 40)
    const c = new Float64Array(40).fill(7)
    wasmKernels!.mmNN(a, b, c, 5, 6, 5)
    const want = new Float64Array(25)
    jsMatmulKernels.mmNN(a.subarray(0, 30), b.subarray(0, 30), want, 5, 6, 5)
    sameBits(c.subarray(0, 25), want)
    expect(Array.from(c.subarray(25))).toEqual(new Array(15).fill(7))
  })

  it('grows its memory for large products and keeps giving the same bits', () => {
    const [m, k, n] = [300, 400, 200]
    const a = seeded(3, m * k)
    const b = seeded(4, k * n)
    const want = new Float64Array(m * n)
    const got = new Float64Array(m * n)
    jsMatmulKernels.mmTN(a, b, want, m, k, n)
    wasmKernels!.mmTN(a, b, got, m, k, n)
    sameBits(got, want)
    wasmKernels!.mmNN(a.subarray(0, 16), b.subarray(0, 16), got, 4, 4, 4)
    jsMatmulKernels.mmNN(a.subarray(0, 16), b.subarray(0, 16), want, 4, 4, 4)
    sameBits(got.subarray(0, 16), want.subarray(0, 16))
  })
})

describe('matmulKernels (chosen per shape)', () => {
  it.each(forms)('%s gives the bits of the JavaScript kernel, small and large', (form) => {
    for (const [m, k, n] of shapes) {
      const a = seeded(m + 2 * k, m * k)
      const b = seeded(n + 3 * k, k * n)
      const want = new Float64Array(m * n)
      const got = new Float64Array(m * n)
      jsMatmulKernels[form](a, b, want, m, k, n)
      matmulKernels[form](a, b, got, m, k, n)
      sameBits(got, want)
    }
  })

  it('runs on WebAssembly in Node 20 (so the fast path is the one tested here)', () => {
    expect(wasmKernels).toBeDefined()
  })
})
