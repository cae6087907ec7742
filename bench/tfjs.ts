/**
 * The TensorFlow.js peers (tfjs-core + the CPU backend, version 4.22.0).
 * TF.js computes in float32 only, so its answers are cross-checked with a
 * float32-sized tolerance. Its Node bundle registers no gradient kernels, so
 * the gradient registrations are loaded explicitly.
 */
import { createRequire } from 'node:module'
import type * as TF from '@tensorflow/tfjs-core'

// tfjs-core's ES build imports directories, which Node's ESM loader refuses: load the CommonJS builds.
const require = createRequire(import.meta.url)
const tf = require('@tensorflow/tfjs-core') as typeof TF
require('@tensorflow/tfjs-backend-cpu')
require('@tensorflow/tfjs-core/dist/register_all_gradients')
import type { MlpProblem } from './workloads.js'

export const tfjsReady = async (): Promise<void> => {
  await tf.setBackend('cpu')
  await tf.ready()
}

const rosen = (p: TF.Tensor): TF.Tensor => {
  const x = tf.slice(p, [0], [1])
  const y = tf.slice(p, [1], [1])
  return tf.sum(tf.add(tf.square(tf.sub(1, x)), tf.mul(100, tf.square(tf.sub(y, tf.square(x))))))
}

/** W1: gradient of 2-D Rosenbrock. */
export const tfjsRosenbrockGrad = (): ((x: number, y: number) => Float32Array) => {
  const g = tf.grad(rosen)
  return (x, y) => tf.tidy(() => g(tf.tensor1d([x, y])).dataSync() as Float32Array)
}

/** W2: the 2×2 Hessian by nested gradients, then its eigenvalues in closed form. */
export const tfjsRosenbrockHessianEig = (): ((x: number, y: number) => Float32Array) => {
  const g = tf.grad(rosen)
  const column = (e: number[]) => tf.grad((p: TF.Tensor) => tf.sum(tf.mul(g(p), tf.tensor1d(e))))
  const c0 = column([1, 0])
  const c1 = column([0, 1])
  return (x, y) =>
    tf.tidy(() => {
      const p = tf.tensor1d([x, y])
      const h0 = c0(p).dataSync()
      const h1 = c1(p).dataSync()
      const [a, b, c] = [h0[0], h0[1], h1[1]]
      const mean = (a + c) / 2
      const radius = Math.hypot((a - c) / 2, b)
      return Float32Array.of(mean - radius, mean + radius)
    })
}

const extended = (x: TF.Tensor): TF.Tensor => {
  const n = x.shape[0]
  const head = tf.slice(x, [0], [n - 1])
  const tail = tf.slice(x, [1], [n - 1])
  return tf.sum(tf.add(tf.mul(100, tf.square(tf.sub(tail, tf.square(head)))), tf.square(tf.sub(1, head))))
}

/** W3g and W3: gradient and HVP (gradient of ⟨∇f, v⟩) of the extended Rosenbrock function. */
export const tfjsExtended = (x: Float64Array, v: Float64Array): { grad: () => Float32Array; hvp: () => Float32Array } => {
  const xt = tf.tensor1d(Float32Array.from(x))
  const vt = tf.tensor1d(Float32Array.from(v))
  const g = tf.grad(extended)
  const h = tf.grad((p: TF.Tensor) => tf.sum(tf.mul(g(p), vt)))
  return {
    grad: () => tf.tidy(() => g(xt).dataSync() as Float32Array),
    hvp: () => tf.tidy(() => h(xt).dataSync() as Float32Array)
  }
}

/** W4 and W4f: the MLP loss and its gradient with respect to the four parameter tensors. */
export const tfjsMlp = (p: MlpProblem): { loss: () => number; grad: () => Float32Array[] } => {
  const t = (a: { shape: readonly number[]; data: Float64Array }) => tf.tensor(Float32Array.from(a.data), a.shape as number[])
  const [x, y] = [t(p.x), t(p.y)]
  const params = [t(p.params.b1), t(p.params.b2), t(p.params.w1), t(p.params.w2)]
  const loss = (b1: TF.Tensor, b2: TF.Tensor, w1: TF.Tensor, w2: TF.Tensor): TF.Scalar =>
    tf.mean(tf.square(tf.sub(tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(x as TF.Tensor2D, w1 as TF.Tensor2D), b1)), w2 as TF.Tensor2D), b2), y)))
  const grads = tf.grads((...ps: TF.Tensor[]) => loss(ps[0], ps[1], ps[2], ps[3]))
  return {
    loss: () => tf.tidy(() => loss(params[0], params[1], params[2], params[3]).dataSync()[0]),
    grad: () => tf.tidy(() => grads(params).map((g) => g.dataSync() as Float32Array))
  }
}
