/**
 * The surfaces on the page's list: each an expression in the CLI's syntax,
 * the window of the map, and a start and a point to analyse that show what
 * the surface is known for. The ill-conditioned quadratic carries its
 * condition number κ in the expression itself, so the URL's `f` says it all.
 */
import type { Point } from './state.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The map's window: x from x0 to x1, y from y0 to y1. */
export interface Window {
  readonly x0: number
  readonly x1: number
  readonly y0: number
  readonly y1: number
}

export interface Surface {
  readonly id: string
  readonly name: string
  readonly expression: string
  readonly window: Window
  readonly start: Point
  readonly at: Point
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const square = (r: number, cx = 0, cy = 0): Window => ({ x0: cx - r, x1: cx + r, y0: cy - r, y1: cy + r })

/** ½(x² + κy²): eigenvalues 1 and κ everywhere, so κ is the condition number. */
export const quadratic = (kappa: number): string => `0.5*(x^2 + ${kappa}*y^2)`

const quadraticPattern = /^0\.5\*\(x\^2 \+ ([0-9.eE+-]+)\*y\^2\)$/

/** κ of an expression written by {@link quadratic}, or undefined. */
export const kappaOf = (expression: string): number | undefined => {
  const m = quadraticPattern.exec(expression.trim())
  if (m === null) return undefined
  const k = Number(m[1])
  return Number.isFinite(k) && k > 0 ? k : undefined
}

export const surfaces: readonly Surface[] = [
  { id: 'saddle', name: 'saddle x² − y²', expression: 'x^2 - y^2', window: square(2), start: [-1.5, 0.05], at: [0, 0] },
  { id: 'rosenbrock', name: 'Rosenbrock', expression: '(1 - x)^2 + 100*(y - x^2)^2', window: square(2, 0, 1), start: [-1.5, 2], at: [1, 1] },
  {
    id: 'beale',
    name: 'Beale',
    expression: '(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2',
    window: square(4.5),
    start: [1, 1.5],
    at: [3, 0.5]
  },
  { id: 'himmelblau', name: 'Himmelblau', expression: '(x^2 + y - 11)^2 + (x + y^2 - 7)^2', window: square(5), start: [-0.5, 0.5], at: [3, 2] },
  { id: 'quadratic', name: 'ill-conditioned quadratic ½(x² + κy²)', expression: quadratic(10), window: square(2), start: [-1.8, 1], at: [-1, 0.5] },
  { id: 'huber', name: 'Huber huber(x) + huber(3y)', expression: 'huber(x) + huber(3*y)', window: square(3), start: [-2.5, 1.5], at: [0.5, 0.2] },
  { id: 'hinge', name: 'hinge max(0, 1 − x) + max(0, 1 + x − y) + 0.1y²', expression: 'max(0, 1 - x) + max(0, 1 + x - y) + 0.1*y^2', window: square(3), start: [-2.5, 1.5], at: [1, 0.5] },
  { id: 'monkey', name: 'monkey saddle x³ − 3xy²', expression: 'x^3 - 3*x*y^2', window: square(1.5), start: [0.8, 0.3], at: [0, 0] }
]

// -------------------------------------------------------------------------------------
// operations
// -------------------------------------------------------------------------------------

/** The listed surface an expression is (the quadratic for any κ), or undefined for a typed one. */
export const surfaceOf = (expression: string): Surface | undefined => {
  const text = expression.trim()
  if (kappaOf(text) !== undefined) return surfaces.find((s) => s.id === 'quadratic')
  return surfaces.find((s) => s.expression === text)
}

/**
 * The map's window for an expression: the listed surface's, or for a typed
 * one a square around the origin, grown to hold the points given.
 */
export const windowOf = (expression: string, points: readonly Point[]): Window => {
  const listed = surfaceOf(expression)
  if (listed !== undefined) return listed.window
  const reach = Math.max(3, ...points.flatMap(([x, y]) => [Math.abs(x), Math.abs(y)]).map((r) => r * 1.25))
  return square(reach)
}
