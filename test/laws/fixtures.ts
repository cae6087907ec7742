/**
 * Tiny optimizers for testing the laws themselves: correct ones written from
 * the formulas, and deliberately broken ones, each broken in one way that one
 * law must catch.
 */
import type { Optimizer } from '../../src/optim/Optimizer.js'
import { Tensor } from '../../src/tensor/Tensor.js'
import { type TensorTree, flattenTensors, unflatten } from '../../src/tensor/Tree.js'
import { mapTree, zipWith } from '../../laws/internal.js'

export const tinySgd = (lr: number): Optimizer<null> => ({
  init: () => null,
  step: (s, g) => [s, mapTree(g, (x) => -lr * x)]
})

interface V {
  readonly v: TensorTree | undefined
}

/** PyTorch's momentum sgd: v ← βv + g, update −lr·v (nesterov: −lr·(g + βv)). */
export const tinyMomentum = (lr: number, beta: number, nesterov = false): Optimizer<V> => ({
  init: () => ({ v: undefined }),
  step: (s, g) => {
    const v = s.v === undefined ? g : zipWith([s.v, g], ([a, b]) => beta * a + b)
    return [{ v }, nesterov ? zipWith([g, v], ([a, b]) => -lr * (a + beta * b)) : mapTree(v, (x) => -lr * x)]
  }
})

interface AdamState {
  readonly t: number
  readonly m: TensorTree
  readonly r: TensorTree
}

/** Adam, optionally without bias correction (broken). */
export const tinyAdam = (lr: number, options: { b1?: number; b2?: number; eps?: number; biasCorrection?: boolean } = {}): Optimizer<AdamState> => {
  const { b1 = 0.9, b2 = 0.999, eps = 1e-8, biasCorrection = true } = options
  return {
    init: (p) => ({ t: 0, m: mapTree(p, () => 0), r: mapTree(p, () => 0) }),
    step: (s, g) => {
      const t = s.t + 1
      const m = zipWith([s.m, g], ([a, x]) => b1 * a + (1 - b1) * x)
      const r = zipWith([s.r, g], ([a, x]) => b2 * a + (1 - b2) * x * x)
      const c1 = biasCorrection ? 1 - b1 ** t : 1
      const c2 = biasCorrection ? 1 - b2 ** t : 1
      return [{ t, m, r }, zipWith([m, r], ([a, b]) => (-lr * (a / c1)) / (Math.sqrt(b / c2) + eps))]
    }
  }
}

/** RMSProp: r ← ρr + (1−ρ)g², update −lr·g/(√r + ε). */
export const tinyRms = (lr: number, rho = 0.9, eps = 1e-8): Optimizer<{ readonly r: TensorTree }> => ({
  init: (p) => ({ r: mapTree(p, () => 0) }),
  step: (s, g) => {
    const r = zipWith([s.r, g], ([a, x]) => rho * a + (1 - rho) * x * x)
    return [{ r }, zipWith([g, r], ([x, a]) => (-lr * x) / (Math.sqrt(a) + eps))]
  }
})

/** AdaGrad: r ← r + g², update −lr·g/(√r + ε). */
export const tinyAdaGrad = (lr: number, eps = 1e-10): Optimizer<{ readonly r: TensorTree }> => ({
  init: (p) => ({ r: mapTree(p, () => 0) }),
  step: (s, g) => {
    const r = zipWith([s.r, g], ([a, x]) => a + x * x)
    return [{ r }, zipWith([g, r], ([x, a]) => (-lr * x) / (Math.sqrt(a) + eps))]
  }
})

// -------------------------------------------------------------------------------------
// broken
// -------------------------------------------------------------------------------------

/** Momentum that updates its velocity in place (writes into the old state). */
export const mutatingMomentum = (lr: number, beta: number): Optimizer<{ readonly v: TensorTree }> => ({
  init: (p) => ({ v: mapTree(p, () => 0) }),
  step: (s, g) => {
    const vs = flattenTensors(s.v).leaves
    const gs = flattenTensors(g).leaves
    vs.forEach((v, k) => {
      for (let i = 0; i < v.size; i++) v.data[i] = beta * v.data[i] + gs[k].data[i]
    })
    return [s, mapTree(s.v, (x) => -lr * x)]
  }
})

/** Sgd whose step size depends on a hidden counter: the same state stepped twice differs. */
export const countingSgd = (lr: number): Optimizer<null> => {
  let calls = 0
  return {
    init: () => null,
    step: (s, g) => {
      calls++
      return [s, mapTree(g, (x) => (-lr * x) / calls)]
    }
  }
}

/** Sgd with a random jitter in the step. */
export const jitterySgd = (lr: number): Optimizer<null> => ({
  init: () => null,
  step: (s, g) => [s, mapTree(g, (x) => -lr * x * (1 + 1e-3 * Math.random()))]
})

/** Remembers the starting parameters in its state: init depends on values. */
export const anchoredSgd = (lr: number): Optimizer<{ readonly anchor: TensorTree }> => ({
  init: (p) => ({ anchor: mapTree(p, (x) => x) }),
  step: (s, g) => [s, mapTree(g, (x) => -lr * x)]
})

/** Returns the update as a flat list of leaves, losing the tree's structure. */
export const flatteningSgd = (lr: number): Optimizer<null> => ({
  init: () => null,
  step: (s, g) => [s, flattenTensors(mapTree(g, (x) => -lr * x)).leaves.slice()]
})

/** Keeps a growing history in its state. */
export const hoardingSgd = (lr: number): Optimizer<{ readonly history: readonly TensorTree[] }> => ({
  init: () => ({ history: [] }),
  step: (s, g) => [{ history: [...s.history, g] }, mapTree(g, (x) => -lr * x)]
})

/** Normalised sgd without ε: g/|g| is NaN at g = 0. */
export const signSgdWithoutEps = (lr: number): Optimizer<null> => ({
  init: () => null,
  step: (s, g) => [s, mapTree(g, (x) => (-lr * x) / Math.abs(x))]
})

/** Normalises each leaf by its largest element: breaks on zero-size leaves (max of nothing). */
export const leafNormalisedSgd = (lr: number): Optimizer<null> => ({
  init: () => null,
  step: (s, g) => {
    const flat = flattenTensors(g)
    const leaves = flat.leaves.map((l) => {
      if (l.size === 0) throw new RangeError('empty leaf')
      const m = Math.max(...Array.from(l.data, Math.abs), 1)
      return Tensor.unsafeFromBuffer(l.shape, l.data.map((x) => (-lr * x) / m))
    })
    return [s, unflatten(flat.structure, leaves)]
  }
})

/** A stepDonated that disagrees with step (uses float32 rounding). */
export const sloppyDonated = (lr: number): Optimizer<null> => ({
  init: () => null,
  step: (s, g) => [s, mapTree(g, (x) => -lr * x)],
  stepDonated: (s, g) => [s, mapTree(g, (x) => Math.fround(-lr * x))]
})
