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

// -------------------------------------------------------------------------------------
// one-line bugs: each is a correct optimizer above with one line changed
// -------------------------------------------------------------------------------------

/** Adam with β₁ and β₂ swapped (β₁ = 0.999, β₂ = 0.9), declared with the default betas. */
export const adamSwappedBetas = (lr: number): Optimizer<AdamState> => tinyAdam(lr, { b1: 0.999, b2: 0.9 })

/** Adam with ε inside the square root: √(v̂ + ε) instead of √v̂ + ε. */
export const adamEpsInsideSqrt = (lr: number, b1 = 0.9, b2 = 0.999, eps = 1e-8): Optimizer<AdamState> => ({
  init: (p) => ({ t: 0, m: mapTree(p, () => 0), r: mapTree(p, () => 0) }),
  step: (s, g) => {
    const t = s.t + 1
    const m = zipWith([s.m, g], ([a, x]) => b1 * a + (1 - b1) * x)
    const r = zipWith([s.r, g], ([a, x]) => b2 * a + (1 - b2) * x * x)
    return [{ t, m, r }, zipWith([m, r], ([a, b]) => (-lr * (a / (1 - b1 ** t))) / Math.sqrt(b / (1 - b2 ** t) + eps))]
  }
})

/** PyTorch's momentum with dampening τ applied on the first step too: v₁ = (1 − τ)g. */
export const dampenedFromTheStart = (lr: number, beta: number, dampening: number): Optimizer<V> => ({
  init: () => ({ v: undefined }),
  step: (s, g) => {
    const v = zipWith([s.v ?? mapTree(g, () => 0), g], ([a, b]) => beta * a + (1 - dampening) * b)
    return [{ v }, mapTree(v, (x) => -lr * x)]
  }
})

/** RMSProp without the (1 − ρ) factor: r ← ρr + g². */
export const rmsWithoutOneMinusRho = (lr: number, rho = 0.9, eps = 1e-8): Optimizer<{ readonly r: TensorTree }> => ({
  init: (p) => ({ r: mapTree(p, () => 0) }),
  step: (s, g) => {
    const r = zipWith([s.r, g], ([a, x]) => rho * a + x * x)
    return [{ r }, zipWith([g, r], ([x, a]) => (-lr * x) / (Math.sqrt(a) + eps))]
  }
})

/** Sgd with L2 weight decay of the wrong sign: g − λθ. */
export const weightDecayWrongSign = (lr: number, lambda: number): Optimizer<null> => ({
  init: () => null,
  step: (s, g, p) => [s, zipWith([g, p], ([x, w]) => -lr * (x - lambda * w))]
})

/** Sgd with a schedule read one step late: lr(t) at step t instead of lr(t − 1). */
export const scheduleOffByOne = (lr: (count: number) => number): Optimizer<{ readonly count: number }> => ({
  init: () => ({ count: 0 }),
  step: (s, g) => [{ count: s.count + 1 }, mapTree(g, (x) => -lr(s.count + 1) * x)]
})

/** An optimizer that never moves. */
export const zeroUpdate: Optimizer<null> = { init: () => null, step: (s, g) => [s, mapTree(g, () => 0)] }

/** Gradient leaves in insertion order (`Object.values`), as a hand-written walk would read them. */
const leavesInInsertionOrder = (tree: TensorTree): Tensor[] =>
  tree instanceof Tensor ? [tree] : Array.isArray(tree) ? tree.flatMap(leavesInInsertionOrder) : Object.values(tree).flatMap(leavesInInsertionOrder)

/** Momentum whose velocity is in flatten (sorted) order but reads the gradient with `Object.values`. */
export const objectValuesMomentum = (lr: number, beta: number): Optimizer<{ readonly v: readonly Float64Array[] }> => ({
  init: (p) => ({ v: flattenTensors(p).leaves.map((l) => new Float64Array(l.size)) }),
  step: (s, g) => {
    const gs = leavesInInsertionOrder(g)
    const v = s.v.map((old, k) => old.map((x, i) => beta * x + gs[k].data[i]))
    return [{ v }, unflatten(flattenTensors(g).structure, v.map((x, k) => Tensor.unsafeFromBuffer(flattenTensors(g).leaves[k].shape, x.map((y) => -lr * y))))]
  }
})

/** Momentum whose state is keyed by leaf name (`w`), not by path (`encoder.w`): layers share a velocity. */
export const nameKeyedMomentum = (lr: number, beta: number): Optimizer<{ readonly v: Readonly<Record<string, Float64Array>> }> => ({
  init: () => ({ v: {} }),
  step: (s, g) => {
    const flat = flattenTensors(g)
    const v: Record<string, Float64Array> = {}
    const leaves = flat.leaves.map((leaf, k) => {
      const name = flat.paths[k].split(/[.[\]]/).filter((x) => x !== '').pop() ?? ''
      const old = s.v[name]
      const next = leaf.data.map((x, i) => (old === undefined ? x : beta * (old[i] ?? 0) + x))
      v[name] = next
      return Tensor.unsafeFromBuffer(leaf.shape, next.map((x) => -lr * x))
    })
    return [{ v }, unflatten(flat.structure, leaves)]
  }
})
