/**
 * The page's pictures as SVG elements: the contour map with trajectories and
 * the analysed point, the loss curves on a log axis, and f along the
 * gradient against its second-order model. Pure drawing: numbers in,
 * elements out; every number comes from the engine.
 */
import { contours } from 'd3-contour'
import { type ScaleContinuousNumeric, scaleLinear, scaleLog, scaleSymlog } from 'd3-scale'
import type { Window } from './surfaces.js'

// -------------------------------------------------------------------------------------
// elements
// -------------------------------------------------------------------------------------

const ns = 'http://www.w3.org/2000/svg'

type Attributes = Readonly<Record<string, string | number>>

/** An SVG element with attributes and children. */
export const el = (tag: string, attributes: Attributes = {}, ...children: (Node | string)[]): SVGElement => {
  const e = document.createElementNS(ns, tag)
  for (const [k, v] of Object.entries(attributes)) e.setAttribute(k, String(v))
  for (const c of children) e.append(c)
  return e
}

/** Far-off points (a diverging run) are pulled in so the path stays drawable. */
const clampPixel = (v: number): number => (Number.isFinite(v) ? Math.max(-1e5, Math.min(1e5, v)) : 0)

const polyline = (points: readonly (readonly [number, number])[]): string =>
  points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${clampPixel(x).toFixed(2)},${clampPixel(y).toFixed(2)}`).join('')

/** Short tick labels: 3 significant digits, exponents for the very large and small. */
export const tickLabel = (v: number): string => {
  if (v === 0) return '0'
  const a = Math.abs(v)
  return a >= 1e4 || a < 1e-3 ? v.toExponential(0).replace('e+', 'e') : String(Number(v.toPrecision(3)))
}

// -------------------------------------------------------------------------------------
// the map
// -------------------------------------------------------------------------------------

/** The map's frame: pixel size and margins for the axes. */
export const mapFrame = { width: 460, height: 440, left: 40, right: 10, top: 10, bottom: 30 } as const

export interface MapScales {
  readonly x: (v: number) => number
  readonly y: (v: number) => number
  /** Pixel → point. */
  readonly invert: (px: number, py: number) => readonly [number, number]
}

export const mapScales = (w: Window): MapScales => {
  const f = mapFrame
  const x = scaleLinear().domain([w.x0, w.x1]).range([f.left, f.width - f.right])
  const y = scaleLinear().domain([w.y0, w.y1]).range([f.height - f.bottom, f.top])
  return { x, y, invert: (px, py) => [x.invert(px), y.invert(py)] }
}

const mix = (a: readonly number[], b: readonly number[], t: number): string =>
  `rgb(${a.map((v, i) => Math.round(v + (b[i] - v) * t)).join(',')})`

/**
 * Filled contours of f over the window: levels at quantiles of f on a grid,
 * so every surface shows its structure whatever its range (Rosenbrock spans
 * 0 to 10⁴ here, the saddle −4 to 4).
 */
export const contourLayer = (value: (p: readonly [number, number]) => number, w: Window, s: MapScales, n = 90): SVGElement => {
  const grid = new Float64Array(n * n)
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) {
      grid[i + j * n] = value([w.x0 + ((i + 0.5) / n) * (w.x1 - w.x0), w.y0 + ((j + 0.5) / n) * (w.y1 - w.y0)])
    }
  }
  const finite = Array.from(grid).filter(Number.isFinite).sort((a, b) => a - b)
  const top = finite.length > 0 ? finite[finite.length - 1] : 0
  for (let k = 0; k < grid.length; k++) if (!Number.isFinite(grid[k])) grid[k] = top
  const levels = 18
  const thresholds = [...new Set(Array.from({ length: levels }, (_, k) => finite[Math.floor((k / levels) * (finite.length - 1))]))].filter((v) => v !== undefined)
  const low = [38, 84, 124]
  const high = [246, 250, 252]
  const toPixel = (u: number, v: number): [number, number] => [s.x(w.x0 + (u / n) * (w.x1 - w.x0)), s.y(w.y0 + (v / n) * (w.y1 - w.y0))]
  const layer = el('g', { class: 'contours', 'aria-hidden': 'true' })
  contours()
    .size([n, n])
    .thresholds(thresholds)(Array.from(grid))
    .forEach((band, k, all) => {
      const d = band.coordinates.map((polygon) => polygon.map((ring) => polyline(ring.map(([u, v]) => toPixel(u, v))) + 'Z').join('')).join('')
      const t = all.length <= 1 ? 1 : k / (all.length - 1)
      layer.append(el('path', { d, fill: mix(low, high, Math.pow(t, 0.6)), stroke: 'rgba(20,40,60,0.25)', 'stroke-width': 0.6 }))
    })
  return layer
}

/** Axes with ticks and the variable names. */
export const mapAxes = (w: Window, s: MapScales, vars: readonly string[]): SVGElement => {
  const f = mapFrame
  const g = el('g', { class: 'axes' })
  const xs = scaleLinear().domain([w.x0, w.x1]).ticks(6)
  const ys = scaleLinear().domain([w.y0, w.y1]).ticks(6)
  for (const v of xs) g.append(el('text', { x: s.x(v), y: f.height - f.bottom + 14, 'text-anchor': 'middle' }, tickLabel(v)))
  for (const v of ys) g.append(el('text', { x: f.left - 5, y: s.y(v) + 4, 'text-anchor': 'end' }, tickLabel(v)))
  g.append(el('text', { x: f.width - f.right, y: f.height - 3, 'text-anchor': 'end', class: 'var' }, vars[0] ?? 'x'))
  g.append(el('text', { x: 4, y: f.top + 10, class: 'var' }, vars[1] ?? 'y'))
  g.append(el('rect', { id: 'plot-frame', x: f.left, y: f.top, width: f.width - f.left - f.right, height: f.height - f.top - f.bottom, fill: 'none', stroke: '#789' }))
  return g
}

/** A run's path up to step `t`, with a dot where it is. */
export const trajectory = (points: readonly (readonly number[])[], t: number, s: MapScales, colour: string, label: string): SVGElement => {
  const shown = points.slice(0, Math.min(t, points.length - 1) + 1).map(([x, y]) => [s.x(x), s.y(y)] as [number, number])
  const last = shown[shown.length - 1]
  return el(
    'g',
    { class: 'trajectory' },
    el('title', {}, label),
    el('path', { d: polyline(shown), fill: 'none', stroke: colour, 'stroke-width': 2, 'stroke-linejoin': 'round', opacity: 0.9 }),
    el('circle', { cx: clampPixel(last[0]), cy: clampPixel(last[1]), r: 4, fill: colour, stroke: 'white', 'stroke-width': 1.5 })
  )
}

/** An arrow from (x1, y1) to (x2, y2), in pixels. */
export const arrow = (x1: number, y1: number, x2: number, y2: number, colour: string, width = 2): SVGElement => {
  const angle = Math.atan2(y2 - y1, x2 - x1)
  const head = 8
  const a1 = angle + Math.PI - 0.4
  const a2 = angle + Math.PI + 0.4
  return el(
    'g',
    {},
    el('line', { x1, y1, x2, y2, stroke: colour, 'stroke-width': width }),
    el('path', { d: `M${x2},${y2}L${x2 + head * Math.cos(a1)},${y2 + head * Math.sin(a1)}L${x2 + head * Math.cos(a2)},${y2 + head * Math.sin(a2)}Z`, fill: colour })
  )
}

// -------------------------------------------------------------------------------------
// line charts
// -------------------------------------------------------------------------------------

export interface Series {
  readonly values: readonly number[]
  readonly colour: string
  readonly dashed?: boolean
  readonly label: string
}

export interface ChartOptions {
  readonly width: number
  readonly height: number
  readonly xLabel: string
  readonly yLabel: string
  /** x of element k of every series. */
  readonly xs: (k: number) => number
  readonly xDomain: readonly [number, number]
  /** 'log' when every value is positive; otherwise a symmetric log through 0. */
  readonly yScale: 'log' | 'linear'
  /** A vertical marker (the playback's step, ε*). */
  readonly marker?: { readonly x: number; readonly label: string }
}

/** 0 and ±10ᵏ inside the domain, thinned so labels stay 16 px apart. */
const symlogTicks = (y: ScaleContinuousNumeric<number, number>): number[] => {
  const [a, b] = y.domain()
  const top = Math.ceil(Math.log10(Math.max(Math.abs(a), Math.abs(b), 1)))
  const candidates = [0, ...Array.from({ length: top + 1 }, (_, k) => 10 ** k).flatMap((v) => [v, -v])].filter((v) => v >= Math.min(a, b) && v <= Math.max(a, b))
  const kept: number[] = []
  for (const v of candidates.sort((p, q) => Math.abs(p) - Math.abs(q))) {
    if (kept.every((k) => Math.abs(y(k) - y(v)) >= 16)) kept.push(v)
  }
  return kept
}

/**
 * Lines on shared axes. On a log axis a series with values ≤ 0 switches
 * the axis to a symmetric log (linear near 0), so a surface unbounded below
 * (the saddle) still draws.
 */
export const lineChart = (series: readonly Series[], o: ChartOptions): SVGElement => {
  const left = 52
  const right = 10
  const top = 10
  const bottom = 32
  const finite = series.flatMap((s) => s.values.filter(Number.isFinite))
  const lo = finite.length > 0 ? Math.min(...finite) : 0
  const hi = finite.length > 0 ? Math.max(...finite) : 1
  const range: [number, number] = [o.height - bottom, top]
  let y: ScaleContinuousNumeric<number, number>
  let axisName = o.yLabel
  // on a log axis, values that reach 0 (Newton lands exactly on a minimum) sit on a floor 16 decades down
  let floor = -Infinity
  if (o.yScale === 'log' && lo >= 0) {
    const positive = finite.filter((v) => v > 0)
    floor = Math.max(positive.length > 0 ? Math.min(...positive) : 1, hi * 1e-16)
    y = scaleLog().domain([floor, hi > floor ? hi : floor * 10]).range(range).nice()
    axisName += lo < floor ? ' (log; lower values drawn at the bottom)' : ' (log)'
  } else if (o.yScale === 'log') {
    y = scaleSymlog().domain([lo, hi === lo ? lo + 1 : hi]).range(range).nice()
    axisName += ' (symlog: f < 0 occurs)'
  } else {
    y = scaleLinear().domain([lo, hi === lo ? lo + 1 : hi]).range(range).nice()
  }
  const x = scaleLinear().domain(o.xDomain).range([left, o.width - right])
  const chart = el('svg', { viewBox: `0 0 ${o.width} ${o.height}`, class: 'chart', role: 'img', 'aria-label': `${o.yLabel} against ${o.xLabel}` })
  const axes = el('g', { class: 'axes' })
  const yTicks = o.yScale === 'log' ? (lo >= 0 ? y.ticks(5).filter((v) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9) : symlogTicks(y)) : y.ticks(5)
  for (const v of yTicks) {
    axes.append(el('line', { x1: left, x2: o.width - right, y1: y(v), y2: y(v), stroke: '#e2e6ea' }))
    axes.append(el('text', { x: left - 4, y: y(v) + 4, 'text-anchor': 'end' }, tickLabel(v)))
  }
  for (const v of x.ticks(5)) axes.append(el('text', { x: x(v), y: o.height - bottom + 14, 'text-anchor': 'middle' }, tickLabel(v)))
  axes.append(el('text', { x: o.width - right, y: o.height - 4, 'text-anchor': 'end', class: 'var' }, o.xLabel))
  axes.append(el('text', { x: left + 4, y: top + 10, class: 'var' }, axisName))
  axes.append(el('rect', { x: left, y: top, width: o.width - left - right, height: o.height - top - bottom, fill: 'none', stroke: '#789' }))
  chart.append(axes)
  const plot = el('g', {})
  for (const s of series) {
    const points = s.values.map((v, k) => [x(o.xs(k)), y(Number.isFinite(v) ? Math.max(v, floor) : hi)] as [number, number])
    plot.append(el('path', { d: polyline(points), fill: 'none', stroke: s.colour, 'stroke-width': 1.8, ...(s.dashed === true ? { 'stroke-dasharray': '5 4' } : {}) }, el('title', {}, s.label)))
  }
  if (o.marker !== undefined) {
    const mx = x(o.marker.x)
    plot.append(el('line', { x1: mx, x2: mx, y1: top, y2: o.height - bottom, stroke: '#555', 'stroke-dasharray': '2 3' }))
    const nearRight = mx > left + 0.7 * (o.width - left - right)
    plot.append(el('text', { x: nearRight ? mx - 4 : mx + 4, y: o.height - bottom - 6, 'text-anchor': nearRight ? 'end' : 'start', class: 'marker' }, o.marker.label))
  }
  chart.append(plot)
  return chart
}
