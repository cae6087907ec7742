/**
 * The graph workloads W1–W4 (and W2, W6 from curvature): their problems, the
 * descent implementations, and the handwritten peers — what a careful person
 * writes by hand with Float64Array loops and analytic derivatives.
 */
import { type Sym, grad, hessian, hvp, jit, valueAndGrad } from '../src/graph/index.js'
import { random } from '../src/tensor/Random.js'
import { Tensor, fromArray } from '../src/tensor/Tensor.js'

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

export const extendedGradHandwritten = (x: Float64Array): Float64Array => {
  const n = x.length
  const g = new Float64Array(n)
  for (let i = 0; i < n - 1; i++) {
    const xi = x[i]
    const r = x[i + 1] - xi * xi
    g[i] += -400 * xi * r - 2 * (1 - xi)
    g[i + 1] += 200 * r
  }
  return g
}

/** Hv for the tridiagonal Hessian: Hᵢᵢ = 1200xᵢ² − 400xᵢ₊₁ + 2 (+200 for i ≥ 1), Hᵢ,ᵢ₊₁ = −400xᵢ. */
export const extendedHvpHandwritten = (x: Float64Array, v: Float64Array): Float64Array => {
  const n = x.length
  const out = new Float64Array(n)
  for (let i = 0; i < n - 1; i++) {
    const xi = x[i]
    const off = -400 * xi
    out[i] += (1200 * xi * xi - 400 * x[i + 1] + 2) * v[i] + off * v[i + 1]
    out[i + 1] += 200 * v[i + 1] + off * v[i]
  }
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
interface MlpBuffers {
  readonly w1: Float64Array
  readonly b1: Float64Array
  readonly w2: Float64Array
  readonly b2: Float64Array
}

/**
 * The forward pass by hand: hidden = tanh(x·w1 + b1) into `hidden` (256×128),
 * and each sample's output o = hidden·w2 + b2 into `out`. The sizes are
 * literals, as a person writing one network by hand would have them.
 */
const mlpForwardHandwritten = (p: MlpBuffers, x: Float64Array, hidden: Float64Array, out: Float64Array): void => {
  const d = 64
  const h = 128
  const n = 256
  const { w1, b1, w2, b2 } = p
  for (let s = 0; s < n; s++) {
    const hs = s * h
    for (let j = 0; j < h; j++) hidden[hs + j] = b1[j]
    for (let k = 0; k < d; k++) {
      const xk = x[s * d + k]
      const wk = k * h
      for (let j = 0; j < h; j++) hidden[hs + j] += xk * w1[wk + j]
    }
    let o = b2[0]
    for (let j = 0; j < h; j++) {
      const t = Math.tanh(hidden[hs + j])
      hidden[hs + j] = t
      o += t * w2[j]
    }
    out[s] = o
  }
}

export const mlpLossHandwritten = (p: MlpBuffers, x: Float64Array, y: Float64Array): number => {
  const n = 256
  const hidden = new Float64Array(n * 128)
  const out = new Float64Array(n)
  mlpForwardHandwritten(p, x, hidden, out)
  let loss = 0
  for (let s = 0; s < n; s++) loss += (out[s] - y[s]) ** 2
  return loss / n
}

/** Gradient of the MLP loss, by hand: the forward pass, then backpropagation through each layer. */
export const mlpGradHandwritten = (p: MlpBuffers, x: Float64Array, y: Float64Array): MlpBuffers => {
  const d = 64
  const h = 128
  const n = 256
  const w2 = p.w2
  const hidden = new Float64Array(n * h)
  const out = new Float64Array(n)
  mlpForwardHandwritten(p, x, hidden, out)
  const dz = new Float64Array(n * h)
  const [gw1, gb1, gw2, gb2] = [new Float64Array(d * h), new Float64Array(h), new Float64Array(h), new Float64Array(1)]
  for (let s = 0; s < n; s++) {
    const hs = s * h
    const dO = (2 * (out[s] - y[s])) / n
    gb2[0] += dO
    for (let j = 0; j < h; j++) {
      const t = hidden[hs + j]
      gw2[j] += t * dO
      const dj = dO * w2[j] * (1 - t * t)
      dz[hs + j] = dj
      gb1[j] += dj
    }
  }
  for (let s = 0; s < n; s++) {
    const hs = s * h
    for (let k = 0; k < d; k++) {
      const xk = x[s * d + k]
      const wk = k * h
      for (let j = 0; j < h; j++) gw1[wk + j] += xk * dz[hs + j]
    }
  }
  return { w1: gw1, b1: gb1, w2: gw2, b2: gb2 }
}

/**
 * Hessian-vector product of the MLP loss by hand (Pearlmutter's R-operator):
 * the forward and backward passes, each differentiated along the direction v.
 */
export const mlpHvpHandwritten = (p: MlpBuffers, v: MlpBuffers, x: Float64Array, y: Float64Array): MlpBuffers => {
  const D = 64
  const H = 128
  const B = 256
  const { w1, b1, w2, b2 } = p
  const [vw1, vb1, vw2, vb2] = [v.w1, v.b1, v.w2, v.b2]
  const hid = new Float64Array(B * H)
  const rh = new Float64Array(B * H)
  const rdz = new Float64Array(B * H)
  const [ow1, ob1, ow2, ob2] = [new Float64Array(D * H), new Float64Array(H), new Float64Array(H), new Float64Array(1)]
  for (let s = 0; s < B; s++) {
    const hs = s * H
    for (let j = 0; j < H; j++) {
      hid[hs + j] = b1[j]
      rh[hs + j] = vb1[j]
    }
    for (let k = 0; k < D; k++) {
      const xk = x[s * D + k]
      const wk = k * H
      for (let j = 0; j < H; j++) {
        hid[hs + j] += xk * w1[wk + j]
        rh[hs + j] += xk * vw1[wk + j]
      }
    }
    let o = b2[0]
    let ro = vb2[0]
    for (let j = 0; j < H; j++) {
      const t = Math.tanh(hid[hs + j])
      hid[hs + j] = t
      const rz = rh[hs + j]
      const r = (1 - t * t) * rz // R{h}
      rh[hs + j] = r
      o += t * w2[j]
      ro += r * w2[j] + t * vw2[j]
    }
    const dO = (2 * (o - y[s])) / B
    const rdO = (2 * ro) / B
    ob2[0] += rdO
    for (let j = 0; j < H; j++) {
      const t = hid[hs + j]
      const r = rh[hs + j]
      ow2[j] += r * dO + t * rdO
      const dh = dO * w2[j]
      const rdh = rdO * w2[j] + dO * vw2[j]
      const d = rdh * (1 - t * t) - 2 * dh * t * r
      rdz[hs + j] = d
      ob1[j] += d
    }
  }
  for (let s = 0; s < B; s++) {
    const hs = s * H
    for (let k = 0; k < D; k++) {
      const xk = x[s * D + k]
      const wk = k * H
      for (let j = 0; j < H; j++) ow1[wk + j] += xk * rdz[hs + j]
    }
  }
  return { w1: ow1, b1: ob1, w2: ow2, b2: ob2 }
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
