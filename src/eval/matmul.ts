/**
 * Matrix-product kernels on row-major buffers: C (m×n) = op(A) · op(B), where
 * op is the identity (N) or the transpose (T) of the stored matrix, so that a
 * transposed operand is read in place and never copied. Loops are ordered so
 * the innermost one walks contiguous memory.
 */

/** C = A·B; A stored m×k, B stored k×n. */
const mmNN = (a: Float64Array, b: Float64Array, c: Float64Array, m: number, k: number, n: number): void => {
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
const mmTN = (a: Float64Array, b: Float64Array, c: Float64Array, m: number, k: number, n: number): void => {
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
const mmNT = (a: Float64Array, b: Float64Array, c: Float64Array, m: number, k: number, n: number): void => {
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
const mmTT = (a: Float64Array, b: Float64Array, c: Float64Array, m: number, k: number, n: number): void => {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0
      for (let p = 0; p < k; p++) s += a[p * m + i] * b[j * k + p]
      c[i * n + j] = s
    }
  }
}

export const matmulKernels = { mmNN, mmNT, mmTN, mmTT } as const
