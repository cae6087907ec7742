/**
 * fast-check arbitraries for laws and for users' own properties: tensors and
 * trees of tensors (with zero-size and single-element leaves), gradients that
 * match a tree, random directions, orthogonal matrices, symmetric matrices of
 * a chosen spectrum and positive-definite quadratics of a chosen condition
 * number. Doubles are generated bounded (never filtered) so runs stay fast.
 */
import fc from 'fast-check'
import { type Shape, sizeOf } from '../src/tensor/Shape.js'
import { type Tensor, fromArray, zeros } from '../src/tensor/Tensor.js'
import { type Structure, type TensorTree, flattenTensors, unflatten } from '../src/tensor/Tree.js'
import { dot, norm, withValues } from './internal.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Bounds of generated values. */
export interface ValueRange {
  /** Smallest value (default −10). */
  readonly min?: number
  /** Largest value (default 10). */
  readonly max?: number
}

/** Constraints of generated trees: depth, branching, leaf sizes and value bounds. */
export interface TreeConstraints extends ValueRange {
  /** Nesting depth of arrays and records (default 2). */
  readonly maxDepth?: number
  /** Children of an array or record node (default 3). */
  readonly maxChildren?: number
  /** Largest axis length of a leaf (default 4). */
  readonly maxDim?: number
}

/**
 * A symmetric matrix `Q·diag(λ)·Qᵀ` with its exact spectrum: `eigenvalues`
 * ascending, `eigenvectors[i]` the unit eigenvector of `eigenvalues[i]`.
 */
export interface SymmetricMatrix {
  /** Dimension: the matrix is n×n. */
  readonly n: number
  /** The matrix as a tensor of shape [n, n], row-major; the same numbers as `rows`. */
  readonly matrix: Tensor
  /** The matrix as n rows of n numbers, symmetric bit for bit (`rows[i][j] === rows[j][i]`). */
  readonly rows: readonly (readonly number[])[]
  /** The spectrum λ, ascending, each eigenvalue as often as its multiplicity. */
  readonly eigenvalues: readonly number[]
  /** `eigenvectors[i]` is the unit eigenvector of `eigenvalues[i]` (a column of Q), n components. */
  readonly eigenvectors: readonly (readonly number[])[]
}

/**
 * A positive-definite quadratic `f(x) = ½ xᵀAx − bᵀx` with minimiser
 * `x* = A⁻¹b`, largest eigenvalue `L`, smallest `mu`, condition number `kappa`.
 */
export interface Quadratic extends SymmetricMatrix {
  /** The largest eigenvalue of A: ∇f is L-Lipschitz, and gradient descent needs lr < 2/L. */
  readonly L: number
  /** The smallest eigenvalue of A, L/κ (L when n = 1): f is μ-strongly convex. */
  readonly mu: number
  /** The condition number κ = L/μ (1 when n = 1). */
  readonly kappa: number
  /** The linear term, b = A·x*. */
  readonly b: readonly number[]
  /** The minimiser x* = A⁻¹b, each coordinate in [−5, 5]. */
  readonly xStar: readonly number[]
  /** f(x) = ½ xᵀAx − bᵀx, in plain arithmetic. */
  readonly value: (x: readonly number[]) => number
  /** ∇f(x) = Ax − b, in plain arithmetic. */
  readonly gradient: (x: readonly number[]) => number[]
  /** A start point at distance ≈ 1 from x*. */
  readonly start: readonly number[]
}

// -------------------------------------------------------------------------------------
// constructors: tensors and trees
// -------------------------------------------------------------------------------------

/**
 * A double uniform on a fine grid of [min, max] (2³² points), shrinking
 * towards 0 (or the bound nearest 0). `fc.double` alone draws from the bit
 * patterns, so most of its values are tiny (1e-200): fine for edge cases, too
 * weak to exercise a formula.
 */
export const uniformDouble = (min: number, max: number): fc.Arbitrary<number> => {
  if (!(min <= max) || !Number.isFinite(min) || !Number.isFinite(max)) throw new RangeError(`uniformDouble: need finite min ≤ max, got [${min}, ${max}]`)
  if (min === max) return fc.constant(min)
  const scale = 2 ** 32 / (max - min)
  const origin = min > 0 ? min : max < 0 ? max : 0
  const lo = Math.ceil((min - origin) * scale)
  const hi = Math.floor((max - origin) * scale)
  return fc.integer({ min: lo, max: hi }).map((k) => Math.min(max, Math.max(min, origin + k / scale)))
}

/**
 * A bounded double, never NaN or infinite (defaults [−10, 10]): mostly
 * uniform, sometimes one of `fc.double`'s edge cases (0, −0, tiny, the bounds).
 */
export const boundedDouble = (range: ValueRange = {}): fc.Arbitrary<number> => {
  const min = range.min ?? -10
  const max = range.max ?? 10
  return fc.oneof(
    { weight: 4, arbitrary: uniformDouble(min, max) },
    { weight: 1, arbitrary: fc.double({ min, max, noNaN: true, noDefaultInfinity: true }) }
  )
}

/**
 * Shapes of rank ≤ 2 with axes ≤ `maxDim`, biased towards the edge cases:
 * scalars `[]`, single elements `[1]`, zero-size `[0]` and `[0, k]`.
 */
export const shapeArb = (maxDim = 4): fc.Arbitrary<Shape> =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constant<Shape>([]) },
    { weight: 1, arbitrary: fc.constant<Shape>([1]) },
    { weight: 1, arbitrary: fc.constant<Shape>([0]) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: maxDim }).map((k): Shape => [0, k]) },
    { weight: 3, arbitrary: fc.integer({ min: 1, max: maxDim }).map((k): Shape => [k]) },
    { weight: 3, arbitrary: fc.tuple(fc.integer({ min: 1, max: maxDim }), fc.integer({ min: 1, max: maxDim })).map(([a, b]): Shape => [a, b]) }
  )

/** A tensor of the given shape with bounded values. */
export const tensorOfShape = (shape: Shape, range: ValueRange = {}): fc.Arbitrary<Tensor> =>
  fc
    .array(boundedDouble(range), { minLength: sizeOf(shape), maxLength: sizeOf(shape) })
    .map((values) => fromArray(shape, values))

/** A tensor of a random shape (see `shapeArb`) with bounded values. */
export const tensorArb = (constraints: TreeConstraints = {}): fc.Arbitrary<Tensor> =>
  shapeArb(constraints.maxDim).chain((shape) => tensorOfShape(shape, constraints))

const keyArb = fc.constantFrom('w', 'b', 'bias', 'kernel', 'scale', 'z')

/**
 * A tree of tensors: arrays and records (keys from a small alphabet) nested up
 * to `maxDepth`, leaves from `tensorArb`. The top may itself be a leaf.
 */
export const tensorTreeArb = (constraints: TreeConstraints = {}): fc.Arbitrary<TensorTree> => {
  const maxChildren = constraints.maxChildren ?? 3
  const leaf = tensorArb(constraints)
  const { tree } = fc.letrec<{ tree: TensorTree }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', maxDepth: constraints.maxDepth ?? 2, withCrossShrink: true },
      { weight: 2, arbitrary: leaf },
      { weight: 1, arbitrary: fc.array(tie('tree'), { minLength: 0, maxLength: maxChildren }) },
      { weight: 1, arbitrary: fc.dictionary(keyArb, tie('tree'), { minKeys: 0, maxKeys: maxChildren, noNullPrototype: true }) }
    )
  }))
  return tree
}

/** A tree with the same structure and leaf shapes as `like` (a gradient for `like`), bounded values. */
export const treeLike = (like: TensorTree, range: ValueRange = {}): fc.Arbitrary<TensorTree> => {
  const flat = flattenTensors(like)
  return fc
    .tuple(...flat.leaves.map((l) => tensorOfShape(l.shape, range)))
    .map((leaves) => unflatten(flat.structure, leaves))
}

/**
 * Like `treeLike`, but every element has magnitude in [`minAbs`, `maxAbs`]
 * (random sign): gradients far from zero, for laws whose ε terms must stay
 * negligible (scale invariance, effective learning rates).
 */
export const treeLikeAwayFromZero = (like: TensorTree, minAbs = 0.1, maxAbs = 10): fc.Arbitrary<TensorTree> => {
  const flat = flattenTensors(like)
  const element = fc
    .tuple(fc.boolean(), uniformDouble(minAbs, maxAbs))
    .map(([negative, m]) => (negative ? -m : m))
  return fc
    .tuple(...flat.leaves.map((l) => fc.array(element, { minLength: l.size, maxLength: l.size }).map((v) => fromArray(l.shape, v))))
    .map((leaves) => unflatten(flat.structure, leaves))
}

/** Parameters, and a sequence of `steps` gradients that match them. */
export interface ParamsAndGrads {
  /** The starting parameters θ. */
  readonly params: TensorTree
  /** One gradient per step, in order, each with the structure and leaf shapes of `params`. */
  readonly grads: readonly TensorTree[]
}

/** A random parameter tree and `steps` matching gradients (default 1–5 of them). */
export const paramsAndGradsArb = (
  constraints: TreeConstraints & { readonly minSteps?: number; readonly maxSteps?: number } = {}
): fc.Arbitrary<ParamsAndGrads> =>
  tensorTreeArb(constraints).chain((params) =>
    fc
      .array(treeLike(params, constraints), { minLength: constraints.minSteps ?? 1, maxLength: constraints.maxSteps ?? 5 })
      .map((grads) => ({ params, grads }))
  )

/**
 * Rebuild a tree of `structure` from leaves in flatten order, inserting each
 * record's keys in an order shuffled by `seed`: equal as a tree to
 * `unflatten(structure, leaves)`, but `Object.keys` and `Object.values` see
 * another order, as they do on trees users build by hand.
 */
export const unflattenShuffled = (structure: Structure, leaves: readonly Tensor[], seed: number): TensorTree => {
  let k = 0
  let s = seed >>> 0 || 1
  const next = (): number => {
    // xorshift32: a few bits of order per record are all that is needed
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 2 ** 32
  }
  const build = (node: Structure): TensorTree => {
    switch (node.kind) {
      case 'leaf':
        return leaves[k++]
      case 'array':
        return node.items.map(build)
      case 'record': {
        const built = node.items.map(build)
        const order = node.keys.map((_, i) => i)
        for (let i = order.length - 1; i > 0; i--) {
          const j = Math.floor(next() * (i + 1))
          ;[order[i], order[j]] = [order[j], order[i]]
        }
        const out: Record<string, TensorTree> = {}
        for (const i of order) Object.defineProperty(out, node.keys[i], { value: built[i], enumerable: true, writable: true, configurable: true })
        return out
      }
    }
  }
  return build(structure)
}

/** The structure and leaf shapes of a tree, without its values. */
export interface TreeSkeleton {
  /** The nesting, record keys and array lengths, as `flattenTensors` gives them. */
  readonly structure: Structure
  /** The shape of each leaf, in flatten order. */
  readonly shapes: readonly Shape[]
}

const skeletonOfTree = (tree: TensorTree): TreeSkeleton => {
  const flat = flattenTensors(tree)
  return { structure: flat.structure, shapes: flat.leaves.map((l) => l.shape) }
}

const nonEmptyShapeArb = (maxDim: number): fc.Arbitrary<Shape> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant<Shape>([]) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: maxDim }).map((k): Shape => [k]) },
    { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 1, max: maxDim }), fc.integer({ min: 1, max: maxDim })).map(([a, b]): Shape => [a, b]) }
  )

/**
 * Skeletons of model-like trees: two or three layers of one shape under
 * different names (so leaf names like `w` and `b` repeat at different paths),
 * every leaf non-empty, sometimes a list of blocks; mixed with the edge-case
 * trees of `tensorTreeArb` (zero-size leaves, empty records, a lone leaf).
 */
export const treeSkeletonArb = (constraints: TreeConstraints = {}): fc.Arbitrary<TreeSkeleton> => {
  const maxDim = constraints.maxDim ?? 3
  const layer = fc
    .uniqueArray(fc.constantFrom('w', 'b', 'scale', 'kernel'), { minLength: 2, maxLength: 3 })
    .chain((keys) => fc.tuple(...keys.map(() => nonEmptyShapeArb(maxDim))).map((shapes) => Object.fromEntries(keys.map((k, i) => [k, zeros(shapes[i])]))))
  const layered = fc
    .record({
      layer,
      names: fc.uniqueArray(fc.constantFrom('encoder', 'decoder', 'head', 'layer0', 'layer1'), { minLength: 2, maxLength: 3 }),
      asList: fc.boolean(),
      bias: fc.option(nonEmptyShapeArb(maxDim), { nil: undefined })
    })
    .map(({ layer, names, asList, bias }): TensorTree => {
      const top: Record<string, TensorTree> = Object.fromEntries(names.map((n) => [n, layer]))
      if (asList) top.blocks = [layer, { w: flattenTensors(layer).leaves[0] }]
      if (bias !== undefined) top.b = zeros(bias)
      return top
    })
  return fc.oneof({ weight: 3, arbitrary: layered }, { weight: 1, arbitrary: tensorTreeArb({ maxDepth: 2, maxChildren: 3, maxDim, ...constraints }) }).map(skeletonOfTree)
}

/** A tree of a skeleton's shapes with elements from `element`, its record keys inserted in a random order. */
export const treeOfSkeleton = (skeleton: TreeSkeleton, element: fc.Arbitrary<number>): fc.Arbitrary<TensorTree> =>
  fc
    .tuple(fc.tuple(...skeleton.shapes.map((s) => fc.array(element, { minLength: sizeOf(s), maxLength: sizeOf(s) }).map((v) => fromArray(s, v)))), fc.integer())
    .map(([leaves, seed]) => unflattenShuffled(skeleton.structure, leaves, seed))

/**
 * Gradient elements: mostly uniform in [−10, 10], sometimes as small as ε
 * (±[1e-9, 1e-7]) so that where ε sits in a formula shows, sometimes 0.
 */
export const gradientElementArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 6, arbitrary: uniformDouble(-10, 10) },
  { weight: 1, arbitrary: fc.tuple(fc.boolean(), uniformDouble(1e-9, 1e-7)).map(([n, m]) => (n ? -m : m)) },
  { weight: 1, arbitrary: fc.constant(0) }
)

/**
 * Parameters and gradients built independently from one skeleton: each tree
 * has its own values and its own key insertion order, none is derived from
 * another's structure. Trees are model-like (repeated leaf names at different
 * paths, several non-empty leaves) or edge cases (see `treeSkeletonArb`).
 */
export const independentParamsAndGradsArb = (
  constraints: TreeConstraints & { readonly minSteps?: number; readonly maxSteps?: number; readonly element?: fc.Arbitrary<number> } = {}
): fc.Arbitrary<ParamsAndGrads> =>
  treeSkeletonArb(constraints).chain((skeleton) =>
    fc.record({
      params: treeOfSkeleton(skeleton, boundedDouble(constraints)),
      grads: fc.array(treeOfSkeleton(skeleton, constraints.element ?? gradientElementArb), { minLength: constraints.minSteps ?? 1, maxLength: constraints.maxSteps ?? 5 })
    })
  )

/** A unit vector of dimension `n` (n ≥ 1), uniform enough for directional checks. */
export const directionArb = (n: number): fc.Arbitrary<number[]> =>
  fc.array(boundedDouble({ min: -1, max: 1 }), { minLength: n, maxLength: n }).map((v) => {
    const r = norm(v)
    return r < 1e-3 ? v.map((_, i) => (i === 0 ? 1 : 0)) : v.map((x) => x / r)
  })

/** A unit-norm tree with the signature of `like` (all zeros if `like` has no elements). */
export const directionLike = (like: TensorTree): fc.Arbitrary<TensorTree> => {
  const n = flattenTensors(like).leaves.reduce((s, l) => s + l.size, 0)
  return directionArb(Math.max(n, 1)).map((v) => withValues(like, v))
}

// -------------------------------------------------------------------------------------
// constructors: matrices and quadratics
// -------------------------------------------------------------------------------------

/**
 * A random n×n orthogonal matrix (rows orthonormal), as a product of n
 * Householder reflections `I − 2uuᵀ` of random unit vectors: orthogonal by
 * construction, with no filtering.
 */
export const orthogonalArb = (n: number): fc.Arbitrary<number[][]> =>
  fc.array(directionArb(n), { minLength: n, maxLength: n }).map((us) => {
    let q: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)))
    for (const u of us) {
      // q ← q (I − 2uuᵀ)
      q = q.map((row) => {
        const c = 2 * dot(row, u)
        return row.map((x, j) => x - c * u[j])
      })
    }
    return q
  })

/** Build `Q·diag(λ)·Qᵀ` from a spectrum and an orthogonal matrix whose columns are the eigenvectors. */
export const symmetricFromSpectrum = (eigenvalues: readonly number[], q: readonly (readonly number[])[]): SymmetricMatrix => {
  const n = eigenvalues.length
  const order = eigenvalues.map((_, i) => i).sort((i, j) => eigenvalues[i] - eigenvalues[j])
  const rows = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => {
      let s = 0
      for (let k = 0; k < n; k++) s += q[i][k] * eigenvalues[k] * q[j][k]
      return s
    })
  )
  // Symmetrise exactly, so that "the matrix is symmetric" is true bit for bit.
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) rows[j][i] = rows[i][j]
  const sorted = order.map((k) => eigenvalues[k])
  const out: SymmetricMatrix = {
    n,
    rows,
    matrix: fromArray([n, n], rows.flat()),
    eigenvalues: sorted,
    eigenvectors: order.map((k) => q.map((row) => row[k]))
  }
  return Object.assign(out, { [fc.toStringMethod]: () => `symmetric({ eigenvalues: [${sorted.join(', ')}], rows: ${JSON.stringify(rows)} })` })
}

/** Constraints of `symmetricMatrixArb`. */
export interface SpectrumConstraints {
  /** Smallest dimension n (default 1); n is drawn uniformly from minDim to maxDim. */
  readonly minDim?: number
  /** Largest dimension n (default 5). */
  readonly maxDim?: number
  /** Smallest eigenvalue magnitude |λ| (default 0.1); magnitudes are uniform in [minAbs, maxAbs]. */
  readonly minAbs?: number
  /** Largest eigenvalue magnitude |λ| (default 10); a `minGap` that pushes eigenvalues apart can exceed it. */
  readonly maxAbs?: number
  /** Signs allowed: 'positive', 'negative', or 'any' (default). */
  readonly signs?: 'positive' | 'negative' | 'any'
  /** Probability-free option: also allow exact zero eigenvalues (default false). */
  readonly allowZero?: boolean
  /** Smallest gap between distinct eigenvalues (default 0: repeated eigenvalues allowed); signs and zeros are kept, and zeros may repeat. */
  readonly minGap?: number
}

/** A random symmetric matrix with a known spectrum (see `SymmetricMatrix`). */
export const symmetricMatrixArb = (constraints: SpectrumConstraints = {}): fc.Arbitrary<SymmetricMatrix> => {
  const minAbs = constraints.minAbs ?? 0.1
  const maxAbs = constraints.maxAbs ?? 10
  const signs = constraints.signs ?? 'any'
  const magnitude = uniformDouble(minAbs, maxAbs)
  const signed =
    signs === 'positive' ? magnitude : signs === 'negative' ? magnitude.map((x) => -x) : fc.tuple(fc.boolean(), magnitude).map(([s, x]) => (s ? -x : x))
  const eigen = constraints.allowZero === true ? fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: signed }) : signed
  return fc.integer({ min: constraints.minDim ?? 1, max: constraints.maxDim ?? 5 }).chain((n) =>
    fc
      .tuple(fc.array(eigen, { minLength: n, maxLength: n }), orthogonalArb(n))
      .map(([lambdas, q]) => symmetricFromSpectrum(spread(lambdas, constraints.minGap ?? 0), q))
  )
}

/**
 * Push eigenvalues apart so that distinct neighbours differ by at least
 * `gap`, keeping every sign and every zero: within each sign, magnitudes are
 * raised away from zero (so a `maxAbs` can be exceeded, never crossed back),
 * the nonzero eigenvalues nearest zero keep gap/2 from it (a full gap when a
 * zero is drawn), and zeros stay zeros, repeated if several are drawn.
 */
const spread = (lambdas: readonly number[], gap: number): number[] => {
  if (gap <= 0) return lambdas.slice()
  const floor = lambdas.includes(0) ? gap : gap / 2
  const away = (magnitudes: number[]): number[] => {
    let previous = -Infinity
    return magnitudes
      .sort((a, b) => a - b)
      .map((m) => {
        previous = Math.max(m, previous + gap, floor)
        return previous
      })
  }
  const negative = away(lambdas.filter((x) => x < 0).map((x) => -x)).map((m) => -m).reverse()
  const positive = away(lambdas.filter((x) => x > 0))
  return [...negative, ...lambdas.filter((x) => x === 0), ...positive]
}

/** Constraints of `quadraticArb`. */
export interface QuadraticConstraints {
  /** Smallest dimension n (default 2); n is drawn uniformly from minDim to maxDim. */
  readonly minDim?: number
  /** Largest dimension n (default 5). */
  readonly maxDim?: number
  /** Smallest condition number κ (default 1.5); κ is uniform in [minKappa, maxKappa]. */
  readonly minKappa?: number
  /** Largest condition number κ (default 50). */
  readonly maxKappa?: number
  /** Smallest value of the largest eigenvalue L (default 0.5); L is uniform in [minL, maxL]. */
  readonly minL?: number
  /** Largest value of the largest eigenvalue L (default 10). */
  readonly maxL?: number
}

/**
 * A random positive-definite quadratic: `A = Q·diag(λ)·Qᵀ` with Q a random
 * orthogonal matrix and a spectrum that contains both `L` and `mu = L/κ`
 * exactly (the other eigenvalues lie between), a random `x*` in [−5, 5]ⁿ and
 * `b = A x*`. `start` lies at distance 1 from x* along a random direction.
 */
export const quadraticArb = (constraints: QuadraticConstraints = {}): fc.Arbitrary<Quadratic> =>
  fc.integer({ min: constraints.minDim ?? 2, max: constraints.maxDim ?? 5 }).chain((n) =>
    fc
      .record({
        kappa: uniformDouble(constraints.minKappa ?? 1.5, constraints.maxKappa ?? 50),
        L: uniformDouble(constraints.minL ?? 0.5, constraints.maxL ?? 10),
        inner: fc.array(uniformDouble(0, 1), { minLength: Math.max(n - 2, 0), maxLength: Math.max(n - 2, 0) }),
        q: orthogonalArb(n),
        xStar: fc.array(boundedDouble({ min: -5, max: 5 }), { minLength: n, maxLength: n }),
        towards: directionArb(n)
      })
      .map(({ kappa, L, inner, q, xStar, towards }) => {
        const mu = L / kappa
        const lambdas = n === 1 ? [L] : [mu, ...inner.map((t) => mu + t * (L - mu)), L]
        const sym = symmetricFromSpectrum(lambdas, q)
        const A = sym.rows
        const mulA = (x: readonly number[]): number[] => A.map((row) => dot(row, x))
        const b = mulA(xStar)
        return {
          ...sym,
          L,
          mu: n === 1 ? L : mu,
          kappa: n === 1 ? 1 : kappa,
          b,
          xStar,
          value: (x: readonly number[]) => 0.5 * dot(x, mulA(x)) - dot(b, x),
          gradient: (x: readonly number[]) => mulA(x).map((ax, i) => ax - b[i]),
          start: xStar.map((x, i) => x + towards[i]),
          [fc.toStringMethod]: () =>
            `quadratic({ n: ${n}, L: ${L}, mu: ${mu}, kappa: ${kappa}, eigenvalues: [${sym.eigenvalues.join(', ')}], ` +
            `A: ${JSON.stringify(A)}, xStar: [${xStar.join(', ')}], start: [${xStar.map((x, i) => x + towards[i]).join(', ')}] })`
        }
      })
  )
