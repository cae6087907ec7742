/**
 * The graph workloads W1–W4 (and W2, W6 from curvature): their problems, the
 * descent implementations, and the handwritten peers — what a careful person
 * writes by hand with Float64Array loops and analytic derivatives.
 */
import { type Sym, grad, hessian, hvp, jit, valueAndGrad } from '../src/graph/index.js'
import { random } from '../src/tensor/Random.js'
import { type Tensor, fromArray } from '../src/tensor/Tensor.js'

// -------------------------------------------------------------------------------------
// W1: gradient of 2-D Rosenbrock at (−1.2, 1); answer (−215.6, −88)
// -------------------------------------------------------------------------------------

export const rosenbrock = (p: Sym): Sym => {
  const x = p.at(0)
  const y = p.at(1)
  return x.sub(1).square().add(y.sub(x.square()).square().mul(100))
}

export const rosenbrockGradHandwritten = (x: number, y: number): Float64Array => {
  const r = y - x * x
  const g = new Float64Array(2)
  g[0] = 2 * (x - 1) - 400 * x * r
  g[1] = 200 * r
  return g
}

// -------------------------------------------------------------------------------------
// W3: extended Rosenbrock in 10,000 dimensions
// -------------------------------------------------------------------------------------

/** f(x) = Σᵢ₌₀ⁿ⁻² 100(xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)² */
export const extendedRosenbrock = (x: Sym): Sym => {
  const head = x.slice(0, -1)
  const tail = x.slice(1)
  return tail.sub(head.square()).square().mul(100).add(head.neg().add(1).square()).sum()
}

export const extendedPoint = (n: number): { x: Tensor; v: Tensor } => ({
  x: fromArray([n], Array.from({ length: n }, (_, i) => 0.5 + 0.1 * Math.sin(i))),
  v: fromArray([n], Array.from({ length: n }, (_, i) => Math.cos(i)))
})

/** ∇f in one pass, carrying 200(xᵢ₊₁ − xᵢ²) to the next element; no allocation but the result. */
export const extendedGradHandwritten = (x: Float64Array): Float64Array => {
  const n = x.length
  const g = new Float64Array(n)
  let carry = 0
  for (let i = 0; i < n - 1; i++) {
    const xi = x[i]
    const r = x[i + 1] - xi * xi
    g[i] = carry - 400 * xi * r - 2 * (1 - xi)
    carry = 200 * r
  }
  g[n - 1] = carry
  return g
}

/**
 * Hv for the tridiagonal Hessian, Hᵢᵢ = 1200xᵢ² − 400xᵢ₊₁ + 2 (+200 for i ≥ 1),
 * Hᵢ,ᵢ₊₁ = −400xᵢ, in one pass: each element written once, the lower band's
 * term carried to the next; no allocation but the result.
 */
export const extendedHvpHandwritten = (x: Float64Array, v: Float64Array): Float64Array => {
  const n = x.length
  const out = new Float64Array(n)
  let carry = 0
  for (let i = 0; i < n - 1; i++) {
    const xi = x[i]
    const off = -400 * xi
    const vi = v[i]
    const next = v[i + 1]
    out[i] = carry + (1200 * xi * xi - 400 * x[i + 1] + 2) * vi + off * next
    carry = off * vi + 200 * next
  }
  out[n - 1] = carry
  return out
}

// -------------------------------------------------------------------------------------
// W4: MLP 64 → 128 tanh → 1, batch 256, mean squared error (8,321 parameters)
// -------------------------------------------------------------------------------------

export interface MlpParams {
  readonly w1: Tensor
  readonly b1: Tensor
  readonly w2: Tensor
  readonly b2: Tensor
}

export interface MlpProblem {
  readonly params: MlpParams
  readonly x: Tensor
  readonly y: Tensor
}

export const mlpProblem = (seed = 42): MlpProblem => {
  const rng = random(seed)
  const [d, h, b] = [64, 128, 256]
  return {
    params: {
      w1: rng.normal([d, h], 0, 1 / Math.sqrt(d)),
      b1: rng.normal([h], 0, 0.1),
      w2: rng.normal([h, 1], 0, 1 / Math.sqrt(h)),
      b2: rng.normal([1], 0, 0.1)
    },
    x: rng.normal([b, d]),
    y: rng.normal([b, 1])
  }
}

export const mlpLoss = (p: { w1: Sym; b1: Sym; w2: Sym; b2: Sym }, x: Sym, y: Sym): Sym =>
  x.matmul(p.w1).add(p.b1).tanh().matmul(p.w2).add(p.b2).sub(y).square().mean()

/** Flat parameter layout of the handwritten peer: w1, b1, w2, b2 (the tree's sorted-key order is b1, b2, w1, w2). */
export interface MlpBuffers {
  readonly w1: Float64Array
  readonly b1: Float64Array
  readonly w2: Float64Array
  readonly b2: Float64Array
}

const D = 64
const H = 128
const B = 256

/**
 * C (m×n) = op(A)·B with B k×n row-major and op(A)[i,p] = a[i·rows + p·cols]
 * (A stored m×k: rows = k, cols = 1; Aᵀ with A stored k×m: rows = 1, cols = m),
 * in 4×4 register blocks: sixteen accumulators in locals across the whole k
 * loop, so each loaded element of A and B feeds four multiply-adds. m and n
 * are multiples of 4 (they are here).
 */
const gemm = (a: Float64Array, rows: number, cols: number, b: Float64Array, c: Float64Array, m: number, k: number, n: number): void => {
  for (let i = 0; i < m; i += 4) {
    for (let j = 0; j < n; j += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0
      for (let p = 0, ap = i * rows, bp = j; p < k; p++, ap += cols, bp += n) {
        const b0 = b[bp], b1 = b[bp + 1], b2 = b[bp + 2], b3 = b[bp + 3]
        const a0 = a[ap], a1 = a[ap + rows], a2 = a[ap + 2 * rows], a3 = a[ap + 3 * rows]
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3
      }
      const o = i * n + j
      c[o] = c00; c[o + 1] = c01; c[o + 2] = c02; c[o + 3] = c03
      c[o + n] = c10; c[o + n + 1] = c11; c[o + n + 2] = c12; c[o + n + 3] = c13
      c[o + 2 * n] = c20; c[o + 2 * n + 1] = c21; c[o + 2 * n + 2] = c22; c[o + 2 * n + 3] = c23
      c[o + 3 * n] = c30; c[o + 3 * n + 1] = c31; c[o + 3 * n + 2] = c32; c[o + 3 * n + 3] = c33
    }
  }
}

/** C = A·B, A stored m×k. */
const gemmNN = (a: Float64Array, b: Float64Array, c: Float64Array, m: number, k: number, n: number): void => gemm(a, k, 1, b, c, m, k, n)

/** C = Aᵀ·B, A stored k×m: the weight gradient Xᵀ·dZ in one pass. */
const gemmTN = (a: Float64Array, b: Float64Array, c: Float64Array, m: number, k: number, n: number): void => gemm(a, 1, m, b, c, m, k, n)

/**
 * The MLP by hand, as a careful person writes one network: the batch's
 * forward pass as one register-blocked product, the weight gradient as
 * another, the elementwise work fused into single passes, scratch buffers
 * allocated once. `grad` allocates only its four result buffers.
 */
export const mlpHandwritten = (p: MlpBuffers, x: Float64Array, y: Float64Array) => {
  const { w1, b1, w2, b2 } = p
  const hidden = new Float64Array(B * H)
  const out = new Float64Array(B)
  const dz = new Float64Array(B * H)
  /** hidden = tanh(x·w1 + b1), out = hidden·w2 + b2. */
  const forward = (): void => {
    gemmNN(x, w1, hidden, B, D, H)
    for (let s = 0; s < B; s++) {
      const hs = s * H
      let o = b2[0]
      for (let j = 0; j < H; j++) {
        const t = Math.tanh(hidden[hs + j] + b1[j])
        hidden[hs + j] = t
        o += t * w2[j]
      }
      out[s] = o
    }
  }
  const loss = (): number => {
    forward()
    let l = 0
    for (let s = 0; s < B; s++) l += (out[s] - y[s]) ** 2
    return l / B
  }
  const grad = (): MlpBuffers => {
    forward()
    const [gw1, gb1, gw2, gb2] = [new Float64Array(D * H), new Float64Array(H), new Float64Array(H), new Float64Array(1)]
    let sb2 = 0
    for (let s = 0; s < B; s++) {
      const hs = s * H
      const dO = (2 * (out[s] - y[s])) / B
      sb2 += dO
      for (let j = 0; j < H; j++) {
        const t = hidden[hs + j]
        gw2[j] += t * dO
        const dj = dO * w2[j] * (1 - t * t)
        dz[hs + j] = dj
        gb1[j] += dj
      }
    }
    gb2[0] = sb2
    gemmTN(x, dz, gw1, D, B, H)
    return { w1: gw1, b1: gb1, w2: gw2, b2: gb2 }
  }
  return { loss, grad }
}

/**
 * The Hessian-vector products of the MLP loss at p by hand (Pearlmutter's
 * R-operator): the forward and backward passes at p once, here; then each
 * product v ↦ Hv (flat, in the tree's order b1, b2, w1, w2) is the two passes
 * differentiated along v, two register-blocked products and fused elementwise
 * passes, allocating only its result.
 */
export const mlpHvpHandwritten = (p: MlpBuffers, x: Float64Array, y: Float64Array): ((v: Float64Array) => Float64Array) => {
  const { w1, b1, w2, b2 } = p
  const t = new Float64Array(B * H)
  const slope = new Float64Array(B * H) // 1 − t²
  const dO = new Float64Array(B)
  gemmNN(x, w1, t, B, D, H)
  for (let s = 0; s < B; s++) {
    const hs = s * H
    let o = b2[0]
    for (let j = 0; j < H; j++) {
      const h = Math.tanh(t[hs + j] + b1[j])
      t[hs + j] = h
      slope[hs + j] = 1 - h * h
      o += h * w2[j]
    }
    dO[s] = (2 * (o - y[s])) / B
  }
  const rh = new Float64Array(B * H)
  const rdz = new Float64Array(B * H)
  return (v) => {
    const vb1 = v.subarray(0, H)
    const vb2 = v[H]
    const vw1 = v.subarray(H + 1, H + 1 + D * H)
    const vw2 = v.subarray(H + 1 + D * H)
    const result = new Float64Array(v.length)
    const ob1 = result.subarray(0, H)
    const ow1 = result.subarray(H + 1, H + 1 + D * H)
    const ow2 = result.subarray(H + 1 + D * H)
    gemmNN(x, vw1, rh, B, D, H)
    let ob2 = 0
    for (let s = 0; s < B; s++) {
      const hs = s * H
      let ro = vb2
      for (let j = 0; j < H; j++) {
        const r = slope[hs + j] * (rh[hs + j] + vb1[j]) // R{h}
        rh[hs + j] = r
        ro += r * w2[j] + t[hs + j] * vw2[j]
      }
      const rdO = (2 * ro) / B
      const d = dO[s]
      ob2 += rdO
      for (let j = 0; j < H; j++) {
        const h = t[hs + j]
        const r = rh[hs + j]
        ow2[j] += r * d + h * rdO
        const rz = (rdO * w2[j] + d * vw2[j]) * slope[hs + j] - 2 * d * w2[j] * h * r
        rdz[hs + j] = rz
        ob1[j] += rz
      }
    }
    result[H] = ob2
    gemmTN(x, rdz, ow1, D, B, H)
    return result
  }
}

export const buffersOf = (p: MlpParams): MlpBuffers => ({ w1: p.w1.data, b1: p.b1.data, w2: p.w2.data, b2: p.b2.data })

/** The four leaves in the tree's flatten order (sorted keys: b1, b2, w1, w2). */
export const flatMlp = (p: MlpBuffers): Float64Array => {
  const out = new Float64Array(p.b1.length + p.b2.length + p.w1.length + p.w2.length)
  let k = 0
  for (const a of [p.b1, p.b2, p.w1, p.w2]) {
    out.set(a, k)
    k += a.length
  }
  return out
}

// -------------------------------------------------------------------------------------
// W6: top Hessian eigenvalue of the MLP loss by 20 power iterations
// -------------------------------------------------------------------------------------

/** The fixed start vector: seeded normal values, as a parameter tree. */
export const powerStart = (p: MlpParams): MlpParams => {
  const rng = random(7)
  return { w1: rng.normal(p.w1.shape), b1: rng.normal(p.b1.shape), w2: rng.normal(p.w2.shape), b2: rng.normal(p.b2.shape) }
}

/** Power iteration on a tree-valued HVP: 20 products, the Rayleigh quotient at the end. */
export const powerIteration = <T>(
  apply: (v: T) => T,
  start: T,
  toFlat: (v: T) => Float64Array,
  fromFlat: (f: Float64Array) => T,
  iterations = 20
): number => {
  let v = toFlat(start)
  let norm = Math.hypot(...v)
  v = v.map((a) => a / norm)
  let lambda = 0
  for (let it = 0; it < iterations; it++) {
    const hv = toFlat(apply(fromFlat(v)))
    lambda = 0
    for (let i = 0; i < v.length; i++) lambda += v[i] * hv[i]
    norm = 0
    for (let i = 0; i < hv.length; i++) norm += hv[i] * hv[i]
    norm = Math.sqrt(norm)
    for (let i = 0; i < hv.length; i++) hv[i] /= norm
    v = hv
  }
  return lambda
}

export { grad, hessian, hvp, jit, valueAndGrad }
