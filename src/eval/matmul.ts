/**
 * Matrix-product kernels on row-major buffers: C (m×n) = op(A) · op(B), where
 * op is the identity (N) or the transpose (T) of the stored matrix, so that a
 * transposed operand is read in place and never copied. m, k and n are the
 * sizes of the product: op(A) is m×k, op(B) k×n.
 *
 * Two implementations with the same bits: plain JavaScript (the reference and
 * the fallback) and WebAssembly with SIMD (src/eval/wasm/kernels.wat). Each
 * output element is accumulated in the same order by both: from +0, adding
 * op(A)[i,p]·op(B)[p,j] for p = 0 … k−1. `matmulKernels` picks one per call by
 * shape: WebAssembly where its copies in and out pay for themselves.
 */
import { type KernelExports, heapOf, sharedKernels } from './wasm/instance.js'

/** One kernel: C = op(A)·op(B) into `c`, op(A) m×k, op(B) k×n. */
export type MatmulKernel = (a: Float64Array, b: Float64Array, c: Float64Array, m: number, k: number, n: number) => void

/** The four kernels, named by the forms of A and B (mmTN: C = Aᵀ·B). */
export interface MatmulKernels {
  readonly mmNN: MatmulKernel
  readonly mmNT: MatmulKernel
  readonly mmTN: MatmulKernel
  readonly mmTT: MatmulKernel
}

// -------------------------------------------------------------------------------------
// JavaScript
// -------------------------------------------------------------------------------------

/** C = A·B; A stored m×k, B stored k×n. */
const mmNN: MatmulKernel = (a, b, c, m, k, n) => {
  c.fill(0, 0, m * n)
  for (let i = 0; i < m; i++) {
    const ci = i * n
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p]
      const bp = p * n
      for (let j = 0; j < n; j++) c[ci + j] += aip * b[bp + j]
    }
  }
}

/** C = Aᵀ·B; A stored k×m, B stored k×n. */
const mmTN: MatmulKernel = (a, b, c, m, k, n) => {
  c.fill(0, 0, m * n)
  for (let p = 0; p < k; p++) {
    const ap = p * m
    const bp = p * n
    for (let i = 0; i < m; i++) {
      const api = a[ap + i]
      const ci = i * n
      for (let j = 0; j < n; j++) c[ci + j] += api * b[bp + j]
    }
  }
}

/** C = A·Bᵀ; A stored m×k, B stored n×k. */
const mmNT: MatmulKernel = (a, b, c, m, k, n) => {
  for (let i = 0; i < m; i++) {
    const ai = i * k
    for (let j = 0; j < n; j++) {
      const bj = j * k
      let s = 0
      for (let p = 0; p < k; p++) s += a[ai + p] * b[bj + p]
      c[i * n + j] = s
    }
  }
}

/** C = Aᵀ·Bᵀ; A stored k×m, B stored n×k. */
const mmTT: MatmulKernel = (a, b, c, m, k, n) => {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0
      for (let p = 0; p < k; p++) s += a[p * m + i] * b[j * k + p]
      c[i * n + j] = s
    }
  }
}

/** The plain-JavaScript kernels: the reference, and the fallback where WebAssembly cannot run. */
export const jsMatmulKernels: MatmulKernels = { mmNN, mmNT, mmTN, mmTT }

// -------------------------------------------------------------------------------------
// WebAssembly
// -------------------------------------------------------------------------------------

/** Room after an operand for the kernels' reads past its end (kernels.wat's header). */
const slack = (m: number, k: number): number => 3 * (m + k) + 8

/**
 * The four kernels on a WebAssembly instance of kernels.wat: copy the operands
 * into its memory (B transposed to k×n when stored n×k), run `mm` (blocks of
 * 4×4) or, for a product with one row or one column that reads a stored
 * matrix along its rows, `mv`, and copy C out.
 */
export const wasmMatmulKernels = (w: KernelExports): MatmulKernels => {
  const run = (aT: boolean, bT: boolean): MatmulKernel => (a, b, c, m, k, n) => {
    // the first region holds A, or B for a one-row product
    const offB = m * k + k * n + slack(m + n, k)
    const offC = offB + k * n + slack(k, n)
    const h = heapOf(w, offC + m * n)
    if (m === 1 && !bT) {
      // c = aᵀ-row · B: c[j] = Σₚ B[p,j]·a[p]
      h.set(b.subarray(0, k * n), 0)
      h.set(a.subarray(0, k), offB)
      w.mv(0, offB * 8, offC * 8, n, k)
    } else if (n === 1 && aT && !bT) {
      // c = Aᵀ·b with A stored k×m
      h.set(a.subarray(0, k * m), 0)
      h.set(b.subarray(0, k), offB)
      w.mv(0, offB * 8, offC * 8, m, k)
    } else {
      h.set(a.subarray(0, m * k), 0)
      if (bT) {
        for (let j = 0; j < n; j++) {
          const bj = j * k
          for (let p = 0; p < k; p++) h[offB + p * n + j] = b[bj + p]
        }
      } else h.set(b.subarray(0, k * n), offB)
      w.mm(0, aT ? 8 : 8 * k, aT ? 8 * m : 8, offB * 8, offC * 8, m, k, n)
    }
    c.set(h.subarray(offC, offC + m * n))
  }
  return { mmNN: run(false, false), mmNT: run(false, true), mmTN: run(true, false), mmTT: run(true, true) }
}

// -------------------------------------------------------------------------------------
// choice per shape
// -------------------------------------------------------------------------------------

/**
 * Products with fewer multiply-adds than this stay in JavaScript: below it,
 * calling into WebAssembly and copying the operands cost more than they save
 * (measured: 4×4×4 breaks even, 6×6×6 is twice as fast in WebAssembly, the
 * W4 shapes 10–25 times, outer products and matrix-vector forms 4–20 times).
 */
const WASM_MIN_WORK = 128

/** …and products whose operands would need more than this many doubles of WebAssembly memory (1 GiB) too. */
const WASM_MAX_DOUBLES = 2 ** 27

const prefersWasm = (m: number, k: number, n: number): boolean =>
  m * k * n >= WASM_MIN_WORK && 2 * (m * k + k * n) + m * n + 6 * (m + n + k) < WASM_MAX_DOUBLES

let chosen: MatmulKernels | undefined

const kernels = (): MatmulKernels => {
  if (chosen === undefined) {
    const w = sharedKernels()
    if (w === undefined) chosen = jsMatmulKernels
    else {
      const fast = wasmMatmulKernels(w)
      const pick = (name: keyof MatmulKernels): MatmulKernel => {
        const js = jsMatmulKernels[name]
        const wasm = fast[name]
        return (a, b, c, m, k, n) => (prefersWasm(m, k, n) ? wasm : js)(a, b, c, m, k, n)
      }
      chosen = { mmNN: pick('mmNN'), mmNT: pick('mmNT'), mmTN: pick('mmTN'), mmTT: pick('mmTT') }
    }
  }
  return chosen
}

/**
 * The kernels the compiler and the interpreter call: WebAssembly per shape
 * where it is available and faster, JavaScript otherwise; the same bits either
 * way. The WebAssembly instance is made on first use.
 */
export const matmulKernels: MatmulKernels = {
  mmNN: (a, b, c, m, k, n) => kernels().mmNN(a, b, c, m, k, n),
  mmNT: (a, b, c, m, k, n) => kernels().mmNT(a, b, c, m, k, n),
  mmTN: (a, b, c, m, k, n) => kernels().mmTN(a, b, c, m, k, n),
  mmTT: (a, b, c, m, k, n) => kernels().mmTT(a, b, c, m, k, n)
}
