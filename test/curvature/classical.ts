/**
 * Classical two-variable test functions with their gradients and Hessians
 * derived by hand (the derivations are in the comments), the closed-form
 * eigenvalues of a symmetric 2×2 matrix, and a plain Newton refinement — the
 * independent reference the curvature tests compare against.
 */

export type Vec2 = readonly [number, number]
/** [[a, b], [b, c]]. */
export type Sym2 = readonly [readonly [number, number], readonly [number, number]]

export interface Classical {
  readonly name: string
  readonly f: (x: number, y: number) => number
  readonly gradient: (x: number, y: number) => Vec2
  readonly hessian: (x: number, y: number) => Sym2
}

/** Eigenvalues of [[a, b], [b, c]], ascending: (a + c)/2 ∓ √(((a − c)/2)² + b²). */
export const eig2 = ([[a, b], [, c]]: Sym2): Vec2 => {
  const mean = (a + c) / 2
  const radius = Math.hypot((a - c) / 2, b)
  return [mean - radius, mean + radius]
}

/** Kind by the 2×2 second-derivative test: det < 0 saddle; det > 0 minimum if a > 0 else maximum. */
export const kind2 = (h: Sym2): 'minimum' | 'maximum' | 'saddle' | 'degenerate' => {
  const det = h[0][0] * h[1][1] - h[0][1] * h[1][0]
  if (det < 0) return 'saddle'
  if (det === 0) return 'degenerate'
  return h[0][0] > 0 ? 'minimum' : 'maximum'
}

/** Newton's method on ∇f = 0 with the explicit 2×2 inverse, from a published approximation to full precision. */
export const refine = (fn: Classical, start: Vec2, iterations = 30): Vec2 => {
  let [x, y] = start
  for (let i = 0; i < iterations; i++) {
    const [gx, gy] = fn.gradient(x, y)
    const [[a, b], [, c]] = fn.hessian(x, y)
    const det = a * c - b * b
    const dx = (c * gx - b * gy) / det
    const dy = (a * gy - b * gx) / det
    x -= dx
    y -= dy
    if (Math.abs(dx) + Math.abs(dy) < 1e-15 * (1 + Math.abs(x) + Math.abs(y))) break
  }
  return [x, y]
}

/** f = (1 − x)² + 100(y − x²)²; ∇f = (−2(1 − x) − 400x(y − x²), 200(y − x²)); H = [[2 − 400(y − x²) + 800x², −400x], [−400x, 200]]. */
export const rosenbrock: Classical = {
  name: 'Rosenbrock',
  f: (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
  gradient: (x, y) => [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)],
  hessian: (x, y) => [
    [2 - 400 * (y - x * x) + 800 * x * x, -400 * x],
    [-400 * x, 200]
  ]
}

/**
 * Beale: f = Σᵢ rᵢ², rᵢ = cᵢ − x + x·yⁱ (i = 1, 2, 3; c = 1.5, 2.25, 2.625);
 * ∇rᵢ = (yⁱ − 1, i·x·yⁱ⁻¹), ∇²rᵢ = [[0, i·yⁱ⁻¹], [i·yⁱ⁻¹, i(i−1)·x·yⁱ⁻²]];
 * ∇f = 2Σ rᵢ∇rᵢ, H = 2Σ (∇rᵢ∇rᵢᵀ + rᵢ∇²rᵢ).
 */
export const beale: Classical = (() => {
  const c = [1.5, 2.25, 2.625]
  const parts = (x: number, y: number) =>
    [1, 2, 3].map((i) => ({
      r: c[i - 1] - x + x * y ** i,
      dr: [y ** i - 1, i * x * y ** (i - 1)] as const,
      d2r: [0, i * y ** (i - 1), i * (i - 1) * x * (i >= 2 ? y ** (i - 2) : 0)] as const
    }))
  return {
    name: 'Beale',
    f: (x, y) => parts(x, y).reduce((s, p) => s + p.r * p.r, 0),
    gradient: (x, y) => {
      const ps = parts(x, y)
      return [2 * ps.reduce((s, p) => s + p.r * p.dr[0], 0), 2 * ps.reduce((s, p) => s + p.r * p.dr[1], 0)]
    },
    hessian: (x, y) => {
      const ps = parts(x, y)
      const a = 2 * ps.reduce((s, p) => s + p.dr[0] * p.dr[0] + p.r * p.d2r[0], 0)
      const b = 2 * ps.reduce((s, p) => s + p.dr[0] * p.dr[1] + p.r * p.d2r[1], 0)
      const d = 2 * ps.reduce((s, p) => s + p.dr[1] * p.dr[1] + p.r * p.d2r[2], 0)
      return [
        [a, b],
        [b, d]
      ]
    }
  }
})()

/**
 * Himmelblau: f = u² + w², u = x² + y − 11, w = x + y² − 7;
 * ∇f = (4xu + 2w, 2u + 4yw); H = [[4u + 8x² + 2, 4x + 4y], [4x + 4y, 4w + 8y² + 2]].
 */
export const himmelblau: Classical = {
  name: 'Himmelblau',
  f: (x, y) => (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2,
  gradient: (x, y) => {
    const u = x * x + y - 11
    const w = x + y * y - 7
    return [4 * x * u + 2 * w, 2 * u + 4 * y * w]
  },
  hessian: (x, y) => {
    const u = x * x + y - 11
    const w = x + y * y - 7
    return [
      [4 * u + 8 * x * x + 2, 4 * x + 4 * y],
      [4 * x + 4 * y, 4 * w + 8 * y * y + 2]
    ]
  }
}

/** Booth: f = (x + 2y − 7)² + (2x + y − 5)²; H = [[2 + 8, 4 + 4], [8, 8 + 2]] = [[10, 8], [8, 10]]. */
export const booth: Classical = {
  name: 'Booth',
  f: (x, y) => (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2,
  gradient: (x, y) => [2 * (x + 2 * y - 7) + 4 * (2 * x + y - 5), 4 * (x + 2 * y - 7) + 2 * (2 * x + y - 5)],
  hessian: () => [
    [10, 8],
    [8, 10]
  ]
}

/** Matyas: f = 0.26(x² + y²) − 0.48xy; H = [[0.52, −0.48], [−0.48, 0.52]]. */
export const matyas: Classical = {
  name: 'Matyas',
  f: (x, y) => 0.26 * (x * x + y * y) - 0.48 * x * y,
  gradient: (x, y) => [0.52 * x - 0.48 * y, 0.52 * y - 0.48 * x],
  hessian: () => [
    [0.52, -0.48],
    [-0.48, 0.52]
  ]
}

/**
 * Six-hump camel: f = (4 − 2.1x² + x⁴/3)x² + xy + (−4 + 4y²)y²
 * = 4x² − 2.1x⁴ + x⁶/3 + xy − 4y² + 4y⁴;
 * ∇f = (8x − 8.4x³ + 2x⁵ + y, x − 8y + 16y³); H = [[8 − 25.2x² + 10x⁴, 1], [1, −8 + 48y²]].
 */
export const sixHumpCamel: Classical = {
  name: 'six-hump camel',
  f: (x, y) => (4 - 2.1 * x * x + x ** 4 / 3) * x * x + x * y + (-4 + 4 * y * y) * y * y,
  gradient: (x, y) => [8 * x - 8.4 * x ** 3 + 2 * x ** 5 + y, x - 8 * y + 16 * y ** 3],
  hessian: (x, y) => [
    [8 - 25.2 * x * x + 10 * x ** 4, 1],
    [1, -8 + 48 * y * y]
  ]
}

/** x² − y²: H = diag(2, −2) everywhere. */
export const saddle: Classical = {
  name: 'x² − y²',
  f: (x, y) => x * x - y * y,
  gradient: (x, y) => [2 * x, -2 * y],
  hessian: () => [
    [2, 0],
    [0, -2]
  ]
}

/** Monkey saddle x³ − 3xy²: ∇f = (3x² − 3y², −6xy), H = [[6x, −6y], [−6y, −6x]], zero at the origin. */
export const monkeySaddle: Classical = {
  name: 'monkey saddle x³ − 3xy²',
  f: (x, y) => x ** 3 - 3 * x * y * y,
  gradient: (x, y) => [3 * x * x - 3 * y * y, -6 * x * y],
  hessian: (x, y) => [
    [6 * x, -6 * y],
    [-6 * y, -6 * x]
  ]
}

/** A critical point from the literature, with the kind it is reported to be. */
export interface KnownPoint {
  readonly fn: Classical
  readonly at: Vec2
  readonly kind: 'minimum' | 'maximum' | 'saddle' | 'degenerate'
  readonly source: string
}

/**
 * Himmelblau's nine critical points. The minimum (3, 2) is exact (u = w = 0);
 * the other minima and the maximum (f = 181.617) are as tabulated on
 * Wikipedia's "Himmelblau's function" (after Himmelblau 1972, "Applied
 * Nonlinear Programming"). The four saddles are starting guesses to 6
 * decimals; their kind is checked in the tests by the 2×2 determinant at the
 * Newton-refined point and by Morse's count for a coercive function on the
 * plane: #minima − #saddles + #maxima = 1 (4 − 4 + 1).
 */
export const himmelblauPoints: readonly KnownPoint[] = [
  { fn: himmelblau, at: [3, 2], kind: 'minimum', source: 'exact: u = w = 0' },
  { fn: himmelblau, at: [-2.805118, 3.131312], kind: 'minimum', source: 'Wikipedia' },
  { fn: himmelblau, at: [-3.77931, -3.283186], kind: 'minimum', source: 'Wikipedia' },
  { fn: himmelblau, at: [3.584428, -1.848127], kind: 'minimum', source: 'Wikipedia' },
  { fn: himmelblau, at: [-0.270845, -0.923039], kind: 'maximum', source: 'Wikipedia (f = 181.617)' },
  { fn: himmelblau, at: [0.086677, 2.884254], kind: 'saddle', source: 'det H < 0 at the refined point; Morse count' },
  { fn: himmelblau, at: [-3.073026, -0.081353], kind: 'saddle', source: 'det H < 0 at the refined point; Morse count' },
  { fn: himmelblau, at: [3.385154, 0.073852], kind: 'saddle', source: 'det H < 0 at the refined point; Morse count' },
  { fn: himmelblau, at: [-0.127961, -1.953715], kind: 'saddle', source: 'det H < 0 at the refined point; Morse count' }
]

/**
 * The six-hump camel's six minima as tabulated by Molga & Smutnicki 2005
 * ("Test functions for optimization needs"): two global at (±0.0898, ∓0.7126)
 * with f = −1.0316, two at (±1.7036, ∓0.7961), two at (±1.6071, ±0.5687).
 */
export const camelMinima: readonly Vec2[] = [
  [0.0898, -0.7126],
  [-0.0898, 0.7126],
  [1.7036, -0.7961],
  [-1.7036, 0.7961],
  [1.6071, 0.5687],
  [-1.6071, -0.5687]
]
