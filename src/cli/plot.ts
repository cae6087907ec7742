/**
 * SVG plots for the command line, as pure functions from data to SVG text:
 * a contour plot of a 2-D function with optimizer trajectories, and loss
 * curves on a log axis. Contour lines come from d3-contour (marching squares
 * on a grid), scales and tick positions from d3-scale; only the SVG assembly
 * is written here. No browser is needed to produce or to test them.
 */
import { contours } from 'd3-contour'
import { scaleLinear, scaleLog, type ScaleContinuousNumeric } from 'd3-scale'
import {
  type Box,
  type Point,
  clipPolyline,
  element,
  escapeXml,
  inBox,
  pathData,
  powerOfTen,
  px,
  seriesStyle,
  shortNumber,
  text,
  textWidth,
  truncate
} from './svg.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** One optimizer's path: points from the start (element 0) to the end. */
export interface Trajectory {
  readonly name: string
  readonly points: readonly Point[]
  /** Any SVG colour; defaults to the palette colour of its position. */
  readonly color?: string
  /** An SVG dash pattern such as `'6 3'`; defaults to solid until the palette runs out. */
  readonly dash?: string
}

/** A labelled point drawn as a star, e.g. the known minimum. */
export interface Marker {
  readonly point: Point
  readonly label: string
}

export interface ContourPlotOptions {
  /** The function whose level sets are drawn. Non-finite values count as the largest value seen. */
  readonly f: (x: number, y: number) => number
  readonly xDomain: readonly [number, number]
  readonly yDomain: readonly [number, number]
  /** `'log'` (default): log-spaced levels of f − min; `'linear'`: evenly spaced; or the levels themselves. */
  readonly levels?: 'log' | 'linear' | readonly number[]
  /** Number of levels for `'log'`/`'linear'`; default 24. */
  readonly levelCount?: number
  /** Grid samples per axis; default 200. */
  readonly resolution?: number
  readonly trajectories?: readonly Trajectory[]
  readonly markers?: readonly Marker[]
  readonly title: string
  readonly xLabel?: string
  readonly yLabel?: string
  /** Default 820. */
  readonly width?: number
  /** Default 620. */
  readonly height?: number
}

export interface LossSeries {
  readonly name: string
  readonly values: readonly number[]
  readonly color?: string
  readonly dash?: string
}

export interface LossPlotOptions {
  readonly series: readonly LossSeries[]
  readonly title: string
  /** Default true. Values ≤ 0 are then drawn on the bottom edge, and a note on the plot says how many. */
  readonly logY?: boolean
  /** Default `step`. */
  readonly xLabel?: string
  /** Default `loss`. */
  readonly yLabel?: string
  /** Default 820. */
  readonly width?: number
  /** Default 520. */
  readonly height?: number
}

// -------------------------------------------------------------------------------------
// levels
// -------------------------------------------------------------------------------------

/**
 * Log-spaced contour levels between `min` and `max`:
 * `min + (max − min)·10^(−decades·(1 − k/count))` for k = 0 … count−1, so
 * `level − min` grows by the same factor 10^(decades/count) from one level to
 * the next and the levels crowd towards the minimum, where narrow valleys
 * (Rosenbrock) need them. Defaults: 24 levels over 5 decades.
 */
export const logLevels = (min: number, max: number, count = 24, decades = 5): number[] => {
  const spread = max - min
  if (!(spread > 0) || !Number.isFinite(spread)) return []
  return Array.from({ length: count }, (_, k) => min + spread * Math.pow(10, -decades * (1 - k / count)))
}

/** Evenly spaced "nice" contour levels strictly between `min` and `max` (d3's ticks), about `count` of them. */
export const linearLevels = (min: number, max: number, count = 24): number[] => {
  if (!(max > min) || !Number.isFinite(max - min)) return []
  return scaleLinear().domain([min, max]).ticks(count).filter((v) => v > min && v < max)
}

/**
 * A domain that shows where the trajectories went: the box around every
 * start, every finite end and every marker, grown to take in the points of
 * runs with a finite end that stay within three box-widths of it (overshoots
 * and spirals), but nothing of a run that diverged beyond its start, padded by `padding` (default 10%) on each side and rounded
 * to nice numbers. An empty box becomes ±1 around its point.
 *
 * @example plotDomain([{ name: 'adam', points }], [{ point: [1, 1], label: 'minimum' }])
 */
export const plotDomain = (
  trajectories: readonly Trajectory[],
  markers: readonly Marker[] = [],
  padding = 0.1
): { readonly xDomain: readonly [number, number]; readonly yDomain: readonly [number, number] } => {
  const finite = (p: Point | undefined): p is Point => p !== undefined && Number.isFinite(p[0]) && Number.isFinite(p[1])
  const anchors = [
    ...trajectories.flatMap((t) => [t.points[0], t.points[t.points.length - 1]]),
    ...markers.map((m) => m.point)
  ].filter(finite)
  const boxOf = (points: readonly Point[]): Box => ({
    x0: Math.min(...points.map((p) => p[0])),
    x1: Math.max(...points.map((p) => p[0])),
    y0: Math.min(...points.map((p) => p[1])),
    y1: Math.max(...points.map((p) => p[1]))
  })
  if (anchors.length === 0) return { xDomain: [-1, 1], yDomain: [-1, 1] }
  const core = boxOf(anchors)
  const reach = Math.max(core.x1 - core.x0, core.y1 - core.y0, 1e-9) * 3
  const near: Box = { x0: core.x0 - reach, x1: core.x1 + reach, y0: core.y0 - reach, y1: core.y1 + reach }
  const settled = trajectories.filter((t) => finite(t.points[t.points.length - 1]))
  const shown = boxOf([...anchors, ...settled.flatMap((t) => t.points.filter((p) => finite(p) && inBox(near, p)))])
  const grow = (lo: number, hi: number): [number, number] => {
    if (hi - lo <= 1e-12 * Math.max(1, Math.abs(lo), Math.abs(hi))) return [lo - 1, hi + 1]
    const pad = (hi - lo) * padding
    return scaleLinear().domain([lo - pad, hi + pad]).nice().domain() as [number, number]
  }
  return { xDomain: grow(shown.x0, shown.x1), yDomain: grow(shown.y0, shown.y1) }
}

// -------------------------------------------------------------------------------------
// layout helpers
// -------------------------------------------------------------------------------------

const fontFamily = "'DejaVu Sans', 'Helvetica Neue', Helvetica, Arial, sans-serif"
const frameColor = '#333333'
const noteColor = '#555555'

/** A valid domain: finite and increasing, widened when empty. */
const sanitizeDomain = (d: readonly [number, number]): [number, number] => {
  let [a, b] = [Math.min(d[0], d[1]), Math.max(d[0], d[1])]
  if (!Number.isFinite(a) || !Number.isFinite(b)) [a, b] = [-1, 1]
  if (b - a <= Math.max(Math.abs(a), Math.abs(b)) * 1e-12) {
    const pad = Math.max(Math.abs(a) * 0.1, 1e-9)
    ;[a, b] = [a - pad, b + pad]
  }
  return [a, b]
}

/** Deterministic id so that several plots inlined in one page do not share clip paths. */
const idFor = (seed: string): string => {
  let h = 2166136261
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619)
  return `descent-clip-${(h >>> 0).toString(36)}`
}

interface Frame {
  readonly left: number
  readonly top: number
  readonly right: number
  readonly bottom: number
}

const svgDocument = (width: number, height: number, title: string, body: string): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${px(width)}" height="${px(height)}" viewBox="0 0 ${px(width)} ${px(height)}" font-family="${escapeXml(fontFamily)}" font-size="12">\n` +
  `<title>${escapeXml(title)}</title>\n` +
  element('rect', { width, height, fill: '#ffffff' }) +
  '\n' +
  body +
  '</svg>\n'

const titleText = (width: number, title: string): string =>
  text(width / 2, 26, truncate(title, Math.floor(width / 9)), { 'text-anchor': 'middle', 'font-size': 16, 'font-weight': 'bold', fill: '#111111' })

/** Ticks and labels along the bottom and left of the frame, plus the axis titles. */
const axes = (
  frame: Frame,
  x: { readonly ticks: readonly number[]; readonly label: (v: number) => string; readonly at: (v: number) => number; readonly title: string },
  y: {
    readonly ticks: readonly number[]
    readonly label: (v: number) => string
    readonly at: (v: number) => number
    readonly title: string
    readonly minor?: readonly number[]
  }
): string => {
  const parts: string[] = []
  for (const v of x.ticks) {
    const p = x.at(v)
    parts.push(element('line', { x1: p, x2: p, y1: frame.bottom, y2: frame.bottom + 5, stroke: frameColor }))
    parts.push(text(p, frame.bottom + 18, x.label(v), { 'text-anchor': 'middle', fill: frameColor }))
  }
  for (const v of y.minor ?? []) {
    const p = y.at(v)
    parts.push(element('line', { x1: frame.left - 3, x2: frame.left, y1: p, y2: p, stroke: frameColor }))
  }
  for (const v of y.ticks) {
    const p = y.at(v)
    parts.push(element('line', { x1: frame.left - 5, x2: frame.left, y1: p, y2: p, stroke: frameColor }))
    parts.push(text(frame.left - 8, p + 4, y.label(v), { 'text-anchor': 'end', fill: frameColor }))
  }
  const xMid = (frame.left + frame.right) / 2
  const yMid = (frame.top + frame.bottom) / 2
  parts.push(text(xMid, frame.bottom + 38, x.title, { 'text-anchor': 'middle', 'font-size': 13, fill: '#111111' }))
  const yTitleX = frame.left - 12 - Math.max(0, ...y.ticks.map((v) => textWidth(y.label(v), 12))) - 10
  parts.push(
    text(yTitleX, yMid, y.title, { 'text-anchor': 'middle', 'font-size': 13, fill: '#111111', transform: `rotate(-90 ${px(yTitleX)} ${px(yMid)})` })
  )
  parts.push(
    element('rect', { x: frame.left, y: frame.top, width: frame.right - frame.left, height: frame.bottom - frame.top, fill: 'none', stroke: frameColor })
  )
  return parts.join('\n') + '\n'
}

interface LegendEntry {
  readonly label: string
  readonly color: string
  readonly dash: string | undefined
}

/** Width of the legend column: fits the longest label, at most 260 px and a third of the picture. */
const legendWidth = (labels: readonly string[], width: number): number =>
  Math.min(260, Math.max(110, width * 0.3), Math.max(110, 44 + Math.max(0, ...labels.map((l) => textWidth(truncate(l, 34), 12))) + 12))

/** How many characters of a label fit in a legend column of `legendW` pixels. */
const legendChars = (legendW: number): number => Math.max(6, Math.min(34, Math.floor((legendW - 48) / (12 * 0.58))))

/** About one tick per `spacing` pixels, between 2 and 10. */
const tickCount = (pixels: number, spacing: number): number => Math.max(2, Math.min(10, Math.floor(pixels / spacing)))

/** A legend in the right margin, outside the data: line samples with their names, then extra rows. */
const legend = (x: number, y: number, entries: readonly LegendEntry[], maxChars: number): string => {
  const parts: string[] = []
  entries.forEach((entry, i) => {
    const row = y + i * 20
    parts.push(
      element('line', { x1: x, x2: x + 28, y1: row, y2: row, stroke: entry.color, 'stroke-width': 2.5, 'stroke-dasharray': entry.dash, 'stroke-linecap': 'round' })
    )
    parts.push(text(x + 36, row + 4, truncate(entry.label, maxChars), { fill: '#111111' }))
  })
  return parts.join('\n') + '\n'
}

// -------------------------------------------------------------------------------------
// contour plot
// -------------------------------------------------------------------------------------

/** Samples of f on an n×n grid spanning the domain (row j is y = y0 + j·Δy), with the finite min and max. */
const sampleGrid = (
  f: (x: number, y: number) => number,
  [x0, x1]: readonly [number, number],
  [y0, y1]: readonly [number, number],
  n: number
): { values: Float64Array; min: number; max: number } => {
  const values = new Float64Array(n * n)
  let min = Infinity
  let max = -Infinity
  for (let j = 0; j < n; j++) {
    const y = y0 + ((y1 - y0) * j) / (n - 1)
    for (let i = 0; i < n; i++) {
      const v = f(x0 + ((x1 - x0) * i) / (n - 1), y)
      values[j * n + i] = v
      if (Number.isFinite(v)) {
        if (v < min) min = v
        if (v > max) max = v
      }
    }
  }
  // Holes (NaN, ±∞) would tear the contours: show them as the highest (or lowest) value.
  for (let k = 0; k < values.length; k++) {
    if (!Number.isFinite(values[k])) values[k] = values[k] === -Infinity ? min : max
  }
  return { values, min, max }
}

/**
 * Draw the level sets of `f` over a rectangle with optimizer trajectories on top.
 *
 * The function is sampled on a `resolution`² grid and traced by d3-contour;
 * the bands between levels are tinted (darker is lower) and the levels drawn
 * as thin lines. Each trajectory is a polyline in its own colour-blind-safe
 * colour with a hollow circle at the start and a filled square at the end;
 * the parts that leave the domain are clipped away, and the legend says
 * "(diverged)" or "(ends outside)" when the end is not on the plot. The
 * legend sits in the right margin so it never covers the data. All text
 * (title, names) is escaped.
 *
 * @example contourPlot({ f: (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2, xDomain: [-2, 2], yDomain: [-1, 3],
 *   trajectories: [{ name: 'adam', points }], title: 'Rosenbrock' })
 */
export const contourPlot = (options: ContourPlotOptions): string => {
  const width = options.width ?? 820
  const height = options.height ?? 620
  const trajectories = options.trajectories ?? []
  const markers = options.markers ?? []
  const n = Math.max(8, Math.round(options.resolution ?? 200))
  const xDomain = sanitizeDomain(options.xDomain)
  const yDomain = sanitizeDomain(options.yDomain)

  const labels = (traj: Trajectory): string => {
    const last = traj.points[traj.points.length - 1]
    if (last === undefined) return `${traj.name} (no points)`
    if (!Number.isFinite(last[0]) || !Number.isFinite(last[1])) return `${traj.name} (diverged)`
    if (!inBox({ x0: xDomain[0], x1: xDomain[1], y0: yDomain[0], y1: yDomain[1] }, last)) return `${traj.name} (ends outside)`
    return traj.name
  }
  const entries: LegendEntry[] = trajectories.map((t, i) => ({
    label: labels(t),
    color: t.color ?? seriesStyle(i).color,
    dash: t.dash ?? (t.color === undefined ? seriesStyle(i).dash : undefined)
  }))
  const legendLabels = [...entries.map((e) => e.label), ...markers.map((m) => m.label), '○ start   ■ end']
  const hasLegend = trajectories.length > 0 || markers.length > 0
  const legendW = legendWidth(legendLabels, width)
  const frame: Frame = { left: 74, top: 58, right: width - (hasLegend ? legendW + 24 : 24), bottom: height - 56 }

  const xScale = scaleLinear().domain(xDomain).range([frame.left, frame.right])
  const yScale = scaleLinear().domain(yDomain).range([frame.bottom, frame.top])
  const box: Box = { x0: xDomain[0], x1: xDomain[1], y0: yDomain[0], y1: yDomain[1] }

  // contours
  const grid = sampleGrid(options.f, xDomain, yDomain, n)
  const requested = options.levels ?? 'log'
  const count = options.levelCount ?? 24
  const thresholds =
    requested === 'log'
      ? logLevels(grid.min, grid.max, count)
      : requested === 'linear'
        ? linearLevels(grid.min, grid.max, count)
        : [...requested].filter(Number.isFinite).sort((a, b) => a - b)
  // d3-contour puts sample i at grid coordinate i + 0.5.
  const gx = (c: number): number => xScale(xDomain[0] + ((c - 0.5) * (xDomain[1] - xDomain[0])) / (n - 1))
  const gy = (c: number): number => yScale(yDomain[0] + ((c - 0.5) * (yDomain[1] - yDomain[0])) / (n - 1))
  const shapes = grid.min <= grid.max ? contours().size([n, n]).thresholds(thresholds)(Array.from(grid.values)) : []
  const tint = scaleLinear<string>().domain([0, Math.max(1, thresholds.length)]).range(['#c9daf0', '#fbfcfe'])
  const clipId = idFor(`${options.title}|${width}|${height}|${trajectories.length}`)
  const contourParts: string[] = [element('rect', { x: frame.left, y: frame.top, width: frame.right - frame.left, height: frame.bottom - frame.top, fill: tint(0) })]
  shapes.forEach((shape, k) => {
    const d = shape.coordinates
      .map((polygon) => polygon.map((ring) => ring.map(([cx, cy], i) => `${i === 0 ? 'M' : 'L'}${px(gx(cx))},${px(gy(cy))}`).join('') + 'Z').join(''))
      .join('')
    if (d !== '') {
      contourParts.push(element('path', { d, fill: tint(k + 1), 'fill-rule': 'evenodd', stroke: '#7f93ab', 'stroke-width': 0.6, 'stroke-opacity': 0.8, class: 'contour' }))
    }
  })

  // trajectories: halo first so crossings stay readable, then the line, then markers
  const trajectoryParts: string[] = []
  const markerParts: string[] = []
  const sharedStarts = new Set<string>()
  trajectories.forEach((traj, i) => {
    const { color, dash } = entries[i]
    const pieces = clipPolyline(box, traj.points).map((piece) => thin(piece.map(([x, y]): Point => [xScale(x), yScale(y)])))
    const d = pathData(pieces)
    trajectoryParts.push(element('path', { d, fill: 'none', stroke: '#ffffff', 'stroke-width': 4.5, 'stroke-opacity': 0.7, 'stroke-linejoin': 'round' }))
    trajectoryParts.push(
      element('path', { d, fill: 'none', stroke: color, 'stroke-width': 2, 'stroke-dasharray': dash, 'stroke-linejoin': 'round', 'stroke-linecap': 'round', class: 'trajectory', 'data-name': traj.name })
    )
    const first = traj.points[0]
    const last = traj.points[traj.points.length - 1]
    if (first !== undefined && inBox(box, first)) {
      // runs from a common start share one neutral circle instead of hiding each other's
      const shared = trajectories.some((other, j) => j !== i && other.points[0] !== undefined && other.points[0][0] === first[0] && other.points[0][1] === first[1])
      const key = `${first[0]},${first[1]}`
      if (!shared || !sharedStarts.has(key)) {
        sharedStarts.add(key)
        markerParts.push(
          element('circle', { cx: xScale(first[0]), cy: yScale(first[1]), r: 5, fill: '#ffffff', stroke: shared ? '#333333' : color, 'stroke-width': 2, class: 'start' })
        )
      }
    }
    if (last !== undefined && traj.points.length > 1 && inBox(box, last)) {
      markerParts.push(element('rect', { x: xScale(last[0]) - 4.5, y: yScale(last[1]) - 4.5, width: 9, height: 9, fill: color, stroke: '#ffffff', 'stroke-width': 1.2, class: 'end' }))
    }
  })

  // axes, title, note, legend
  const xCount = tickCount(frame.right - frame.left, 80)
  const yCount = tickCount(frame.bottom - frame.top, 50)
  const xTicks = xScale.ticks(xCount)
  const yTicks = yScale.ticks(yCount)
  const axisText = axes(
    frame,
    { ticks: xTicks, label: xScale.tickFormat(xCount), at: xScale, title: options.xLabel ?? 'x' },
    { ticks: yTicks, label: yScale.tickFormat(yCount), at: yScale, title: options.yLabel ?? 'y' }
  )
  const note =
    thresholds.length === 0
      ? 'no contour levels: the function is constant or undefined here'
      : requested === 'log'
        ? `${thresholds.length} contours, log-spaced: f − min from ${shortNumber(thresholds[0] - grid.min)} to ${shortNumber(thresholds[thresholds.length - 1] - grid.min)} (min on grid ${shortNumber(grid.min)})`
        : `${thresholds.length} contours from ${shortNumber(thresholds[0])} to ${shortNumber(thresholds[thresholds.length - 1])}`
  const legendX = frame.right + 20
  const legendRows: string[] = []
  const legendTop = frame.top + 8
  markers.forEach((m, i) => {
    const row = legendTop + (entries.length + i) * 20
    legendRows.push(star(legendX + 14, row, 7, 'legend-marker'))
    legendRows.push(text(legendX + 36, row + 4, truncate(m.label, legendChars(legendW)), { fill: '#111111' }))
  })
  const keyRow = legendTop + (entries.length + markers.length) * 20 + 4
  if (trajectories.length > 0) {
    legendRows.push(element('circle', { cx: legendX + 6, cy: keyRow, r: 4.5, fill: '#ffffff', stroke: '#444444', 'stroke-width': 1.8 }))
    legendRows.push(text(legendX + 16, keyRow + 4, 'start', { fill: noteColor }))
    legendRows.push(element('rect', { x: legendX + 58, y: keyRow - 4, width: 8, height: 8, fill: '#444444' }))
    legendRows.push(text(legendX + 72, keyRow + 4, 'end', { fill: noteColor }))
  }

  const body =
    titleText(width, options.title) +
    '\n' +
    text(width / 2, 44, note, { 'text-anchor': 'middle', 'font-size': 11, fill: noteColor }) +
    '\n' +
    `<defs>${element('clipPath', { id: clipId }, element('rect', { x: frame.left, y: frame.top, width: frame.right - frame.left, height: frame.bottom - frame.top }))}</defs>\n` +
    `<g clip-path="url(#${clipId})">\n${contourParts.join('\n')}\n${trajectoryParts.join('\n')}\n</g>\n` +
    axisText +
    `<g>\n${markerParts.join('\n')}\n${markers.filter((m) => inBox(box, m.point)).map((m) => star(xScale(m.point[0]), yScale(m.point[1]), 8)).join('\n')}\n</g>\n` +
    (hasLegend ? `<g class="legend">\n${legend(legendX, legendTop, entries, legendChars(legendW))}${legendRows.join('\n')}\n</g>\n` : '')
  return svgDocument(width, height, options.title, body)
}

/** A five-pointed star centred at (cx, cy) with outer radius r. */
const star = (cx: number, cy: number, r: number, cls = 'marker'): string => {
  const points = Array.from({ length: 10 }, (_, k) => {
    const radius = k % 2 === 0 ? r : r * 0.45
    const angle = -Math.PI / 2 + (k * Math.PI) / 5
    return `${px(cx + radius * Math.cos(angle))},${px(cy + radius * Math.sin(angle))}`
  })
  return element('polygon', { points: points.join(' '), fill: '#111111', stroke: '#ffffff', 'stroke-width': 1, class: cls })
}

/** Drop points closer than a quarter pixel to the last kept one (long runs converge onto one spot). */
const thin = (points: readonly Point[]): Point[] => {
  const kept: Point[] = []
  for (let i = 0; i < points.length; i++) {
    const p = points[i]
    const q = kept[kept.length - 1]
    if (q === undefined || i === points.length - 1 || Math.hypot(p[0] - q[0], p[1] - q[1]) >= 0.25) kept.push(p)
  }
  return kept
}

// -------------------------------------------------------------------------------------
// loss plot
// -------------------------------------------------------------------------------------

/**
 * Loss curves against the step number, on a log y-axis by default.
 *
 * On the log axis, values ≤ 0 are drawn on the bottom edge and non-finite
 * values (NaN, ±∞: a diverged run) leave a gap; a note on the plot says how
 * many of each. Long series are reduced to the first, lowest, highest and
 * last point per pixel column, which draws the same picture. Labels are
 * escaped; the legend sits in the right margin.
 */
export const lossPlot = (options: LossPlotOptions): string => {
  const width = options.width ?? 820
  const height = options.height ?? 520
  const series = options.series
  const entries: LegendEntry[] = series.map((s, i) => ({
    label: s.name,
    color: s.color ?? seriesStyle(i).color,
    dash: s.dash ?? (s.color === undefined ? seriesStyle(i).dash : undefined)
  }))
  const hasLegend = series.length > 0
  const legendW = legendWidth(entries.map((e) => e.label), width)
  const frame: Frame = { left: 78, top: 58, right: width - (hasLegend ? legendW + 24 : 24), bottom: height - 56 }

  let positiveMin = Infinity
  let finiteMin = Infinity
  let finiteMax = -Infinity
  let nonPositive = 0
  let nonFinite = 0
  let longest = 0
  for (const s of series) {
    longest = Math.max(longest, s.values.length)
    for (const v of s.values) {
      if (!Number.isFinite(v)) nonFinite++
      else {
        finiteMin = Math.min(finiteMin, v)
        finiteMax = Math.max(finiteMax, v)
        if (v > 0) positiveMin = Math.min(positiveMin, v)
        else nonPositive++
      }
    }
  }
  const logY = (options.logY ?? true) && positiveMin < Infinity
  // A diverging run would stretch the axis to 1e300 and flatten every other curve: cap the top
  // at a thousand times the largest starting value (a tenfold span on a linear axis).
  const starts = series.map((s) => s.values.find(Number.isFinite)).filter((v): v is number => v !== undefined)
  const reference = Math.max(...starts)
  const cap = logY ? reference * 1e3 : reference + 10 * (reference - finiteMin)
  const top = starts.length > 0 && cap > (logY ? positiveMin : finiteMin) && finiteMax > cap ? cap : finiteMax
  const aboveTop = top < finiteMax ? series.reduce((k, s) => k + s.values.filter((v) => Number.isFinite(v) && v > top).length, 0) : 0
  const notes: string[] = []
  if ((options.logY ?? true) && !logY && finiteMax > -Infinity) notes.push('no positive values: linear y-axis')
  if (logY && nonPositive > 0) notes.push(`${nonPositive} value${nonPositive === 1 ? '' : 's'} ≤ 0 drawn on the bottom edge`)
  if (aboveTop > 0) notes.push(`${aboveTop} value${aboveTop === 1 ? '' : 's'} above ${shortNumber(top)} drawn on the top edge`)
  if (nonFinite > 0) notes.push(`${nonFinite} non-finite value${nonFinite === 1 ? '' : 's'} (NaN or ±∞) left out`)

  const xScale = scaleLinear()
    .domain([0, Math.max(1, longest - 1)])
    .range([frame.left, frame.right])
  let yScale: ScaleContinuousNumeric<number, number>
  let yTicks: number[]
  let yMinor: number[] = []
  let yLabel: (v: number) => string
  if (logY) {
    const lo = positiveMin
    const hi = Math.max(top, lo)
    const [a, b] = lo === hi ? [lo / 10, hi * 10] : [lo, hi]
    const log = scaleLog().domain([Math.pow(10, Math.floor(Math.log10(a))), Math.pow(10, Math.ceil(Math.log10(b)))]).range([frame.bottom, frame.top])
    const all = log.ticks()
    const decades = all.filter((v) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9)
    const every = Math.max(1, Math.ceil(decades.length / 9))
    yTicks = decades.filter((v) => Math.round(Math.log10(v)) % every === 0)
    yMinor = all.filter((v) => !yTicks.includes(v))
    yLabel = (v) => powerOfTen(Math.round(Math.log10(v)))
    yScale = log
  } else {
    const lo = finiteMin === Infinity ? 0 : finiteMin
    const hi = top === -Infinity ? 1 : top
    const linear = scaleLinear()
      .domain(sanitizeDomain([lo, hi]))
      .nice(tickCount(frame.bottom - frame.top, 50))
      .range([frame.bottom, frame.top])
    yTicks = linear.ticks(tickCount(frame.bottom - frame.top, 50))
    yLabel = linear.tickFormat(tickCount(frame.bottom - frame.top, 50))
    yScale = linear
  }
  const [yLo, yHi] = yScale.domain() as [number, number]
  const yAt = (v: number): number => yScale(Math.min(yHi, Math.max(yLo, v)))

  const lines: string[] = []
  series.forEach((s, i) => {
    const pieces: Point[][] = []
    let current: Point[] = []
    s.values.forEach((v, step) => {
      if (!Number.isFinite(v)) {
        if (current.length > 0) pieces.push(current)
        current = []
        return
      }
      current.push([xScale(step), yAt(logY && v <= 0 ? yLo : v)])
    })
    if (current.length > 0) pieces.push(current)
    const { color, dash } = entries[i]
    const reduced = pieces.map(perPixelColumn)
    const single = reduced.filter((p) => p.length === 1)
    lines.push(
      element('path', { d: pathData(reduced), fill: 'none', stroke: color, 'stroke-width': 2, 'stroke-dasharray': dash, 'stroke-linejoin': 'round', class: 'series', 'data-name': s.name })
    )
    for (const [p] of single) lines.push(element('circle', { cx: p[0], cy: p[1], r: 2.5, fill: color }))
  })

  const xTicks = xScale.ticks(tickCount(frame.right - frame.left, 80)).filter(Number.isInteger)
  const axisText = axes(
    frame,
    { ticks: xTicks, label: (v) => String(v), at: xScale, title: options.xLabel ?? 'step' },
    { ticks: yTicks, label: yLabel, at: yAt, title: options.yLabel ?? 'loss', minor: yMinor }
  )
  const gridLines = yTicks
    .map((v) => element('line', { x1: frame.left, x2: frame.right, y1: yAt(v), y2: yAt(v), stroke: '#e3e3e3' }))
    .join('\n')
  const clipId = idFor(`loss|${options.title}|${width}|${height}|${series.length}`)
  const body =
    titleText(width, options.title) +
    '\n' +
    (notes.length > 0 ? text(width / 2, 44, `note: ${notes.join('; ')}`, { 'text-anchor': 'middle', 'font-size': 11, fill: '#9a3b00', class: 'note' }) + '\n' : '') +
    `<defs>${element('clipPath', { id: clipId }, element('rect', { x: frame.left - 3, y: frame.top - 3, width: frame.right - frame.left + 6, height: frame.bottom - frame.top + 6 }))}</defs>\n` +
    gridLines +
    '\n' +
    `<g clip-path="url(#${clipId})">\n${lines.join('\n')}\n</g>\n` +
    axisText +
    (hasLegend ? `<g class="legend">\n${legend(frame.right + 20, frame.top + 8, entries, legendChars(legendW))}</g>\n` : '')
  return svgDocument(width, height, options.title, body)
}

/** Keep, per whole-pixel column, the first, lowest, highest and last point, in their original order. */
const perPixelColumn = (points: readonly Point[]): Point[] => {
  if (points.length < 4) return points.slice()
  const out: Point[] = []
  let i = 0
  while (i < points.length) {
    const column = Math.floor(points[i][0])
    let j = i
    let lo = i
    let hi = i
    while (j < points.length && Math.floor(points[j][0]) === column) {
      if (points[j][1] < points[lo][1]) lo = j
      if (points[j][1] > points[hi][1]) hi = j
      j++
    }
    for (const k of [...new Set([i, lo, hi, j - 1])].sort((a, b) => a - b)) out.push(points[k])
    i = j
  }
  return out
}
