/**
 * SVG plots for the command line, as pure functions from data to SVG text:
 * a contour plot of a 2-D function with optimizer trajectories (small
 * multiples when there are many), and loss curves with scales chosen for the
 * data and named on the axes. Contour lines come from d3-contour (marching squares
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
  simplify,
  text,
  textWidth,
  truncate
} from './svg.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** One optimizer's path: points from the start (element 0) to the end. */
export interface Trajectory {
  /** Its label in the legend, panel title and notes; identical paths share one entry, `a and b (identical paths)`. */
  readonly name: string
  /** The iterates [x, y]; the parts outside the domain are clipped away. */
  readonly points: readonly Point[]
  /** Any SVG colour; defaults to the k-th palette colour, k the position of its group (identical paths share one line and one colour). */
  readonly color?: string
  /** An SVG dash pattern such as `'6 3'`; defaults to solid until the palette runs out. */
  readonly dash?: string
}

/** A labelled point drawn as a star, e.g. the known minimum. */
export interface Marker {
  /** Where the star goes, [x, y]; not drawn when outside the domain. */
  readonly point: Point
  /** Its text in the legend. */
  readonly label: string
}

/** What `contourPlot` draws: a function's level sets over a box, and optimizer paths on top. */
export interface ContourPlotOptions {
  /** The function whose level sets are drawn. Non-finite values count as the largest value seen. */
  readonly f: (x: number, y: number) => number
  /** The x range drawn, in either order; a non-finite one becomes [−1, 1], an empty one is widened. */
  readonly xDomain: readonly [number, number]
  /** The y range drawn, as `xDomain`. */
  readonly yDomain: readonly [number, number]
  /** `'log'` (default): log-spaced levels of f − min; `'linear'`: evenly spaced; or the levels themselves. */
  readonly levels?: 'log' | 'linear' | readonly number[]
  /** Number of levels for `'log'`/`'linear'`; default 24. */
  readonly levelCount?: number
  /** Grid samples per axis; default 240, refined threefold where a level would come out broken. */
  readonly resolution?: number
  /** `'auto'` (default): small multiples for more than four distinct paths; `'single'`: one frame; `'panels'`: small multiples. */
  readonly layout?: 'auto' | 'single' | 'panels'
  /** The optimizer paths drawn over the contours. Default none. */
  readonly trajectories?: readonly Trajectory[]
  /** Points drawn as stars, e.g. the known minimum. Default none. */
  readonly markers?: readonly Marker[]
  /** The figure's title, above the plot and as the SVG's `<title>`. */
  readonly title: string
  /** The x axis title. Default `x`. */
  readonly xLabel?: string
  /** The y axis title. Default `y`. */
  readonly yLabel?: string
  /** Default 820 (one frame) or 300 per panel column. */
  readonly width?: number
  /** Default 620 (one frame) or what the panels need. */
  readonly height?: number
}

/** One curve of a loss plot. */
export interface LossSeries {
  /** The legend entry. */
  readonly name: string
  /** The loss at each step. */
  readonly values: readonly number[]
  /** The step of each value (ascending); default 0, 1, 2, …. For a sampled run. */
  readonly steps?: readonly number[]
  /** Any SVG colour; defaults to the k-th palette colour, k the position of its group (identical curves share one line and one colour). */
  readonly color?: string
  /** An SVG dash pattern such as `'6 3'`; defaults to solid until the palette runs out, and to solid when `color` is given. */
  readonly dash?: string
}

/** What `lossPlot` and `lossFigure` draw: loss curves against the step. */
export interface LossPlotOptions {
  /** The curves, one per run. */
  readonly series: readonly LossSeries[]
  /** The figure's title. */
  readonly title: string
  /** Default true (linear when no value is positive). Values ≤ 0 then get a ▼ on the bottom edge and a note. */
  readonly logY?: boolean
  /** A log step axis: `'auto'` (default) when the runs' active lengths differ a hundredfold. */
  readonly logX?: boolean | 'auto'
  /** Default `step`. */
  readonly xLabel?: string
  /** Default `loss`. */
  readonly yLabel?: string
  /** Default 820. */
  readonly width?: number
  /** Default 520. */
  readonly height?: number
}

/** A loss plot and the scales it chose. */
export interface LossFigure {
  /** The SVG document, as `lossPlot` returns it. */
  readonly svg: string
  /** Whether the step axis came out logarithmic. */
  readonly logX: boolean
  /** Whether the loss axis came out logarithmic (false when no value is positive). */
  readonly logY: boolean
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
  const boxOf = (points: readonly Point[]): Box => {
    const b = { x0: Infinity, x1: -Infinity, y0: Infinity, y1: -Infinity }
    for (const [x, y] of points) {
      b.x0 = Math.min(b.x0, x)
      b.x1 = Math.max(b.x1, x)
      b.y0 = Math.min(b.y0, y)
      b.y1 = Math.max(b.y1, y)
    }
    return b
  }
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
  const yTitleX = frame.left - 12 - y.ticks.reduce((w, v) => Math.max(w, textWidth(y.label(v), 12)), 0) - 10
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

/** Width of the legend column: fits the longest label (up to 34 characters; longer ones wrap), at most 260 px and 30 % of the picture. */
const legendWidth = (labels: readonly string[], width: number): number => {
  let widest = 0
  for (const l of labels) widest = Math.max(widest, textWidth(truncate(l, 34), 12))
  return Math.min(260, Math.max(110, width * 0.3), Math.max(110, 44 + widest + 12))
}

/** How many characters of a label fit in a legend column of `legendW` pixels. */
const legendChars = (legendW: number): number => Math.max(6, Math.min(34, Math.floor((legendW - 48) / (12 * 0.58))))

/** About one tick per `spacing` pixels, between 2 and 10. */
const tickCount = (pixels: number, spacing: number): number => Math.max(2, Math.min(10, Math.floor(pixels / spacing)))

/**
 * A legend in the right margin, outside the data: line samples with their
 * names, a long name wrapped onto further lines rather than cut. Returns the
 * SVG and the y of the next free row.
 */
const legend = (x: number, y: number, entries: readonly LegendEntry[], maxChars: number): { readonly svg: string; readonly next: number } => {
  const parts: string[] = []
  let row = y
  for (const entry of entries) {
    parts.push(
      element('line', { x1: x, x2: x + 28, y1: row, y2: row, stroke: entry.color, 'stroke-width': 2.5, 'stroke-dasharray': entry.dash, 'stroke-linecap': 'round' })
    )
    const lines = wrap(entry.label, maxChars)
    lines.forEach((line, k) => parts.push(text(x + 36, row + 4 + 15 * k, line, { fill: '#111111' })))
    row += 20 + 15 * (lines.length - 1)
  }
  return { svg: parts.join('\n') + '\n', next: row }
}

/** Split text into lines of at most `max` characters at spaces (a longer word is cut). */
const wrap = (label: string, max: number): string[] => {
  const lines: string[] = []
  let line = ''
  for (const word of label.split(' ')) {
    const next = line === '' ? word : `${line} ${word}`
    if ([...next].length <= max) line = next
    else {
      if (line !== '') lines.push(line)
      line = truncate(word, max)
    }
  }
  if (line !== '') lines.push(line)
  return lines.length > 0 ? lines : ['']
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

/** The level sets of f on a grid: `shapes[k]` is the region f ≥ `thresholds[k]`, in grid coordinates. */
interface ContourField {
  readonly n: number
  readonly min: number
  readonly thresholds: readonly number[]
  readonly shapes: readonly { readonly coordinates: number[][][][] }[]
  /** Levels left out because even the finer grid could not draw them whole. */
  readonly dropped: number
}

/** Area of a ring (shoelace), in grid cells. */
const ringArea = (ring: readonly number[][]): number => {
  let a = 0
  for (let i = 1; i < ring.length; i++) a += ring[i - 1][0] * ring[i][1] - ring[i][0] * ring[i - 1][1]
  return Math.abs(a) / 2
}

/**
 * True when a level comes out as a broken line: three or more rings smaller
 * than two grid cells, which is what marching squares makes of a valley
 * narrower than the grid's spacing (a dotted line of islands).
 */
const isBroken = (shape: { readonly coordinates: number[][][][] }): boolean => {
  let tiny = 0
  for (const polygon of shape.coordinates) for (const ring of polygon) if (ringArea(ring) < 2 && ++tiny >= 3) return true
  return false
}

/**
 * Trace the levels of f. A level that the grid draws broken (see
 * {@link isBroken}) gets the grid refined threefold (unless `resolution` fixes
 * it); a level still broken then is left out and counted in `dropped`, so no
 * level is drawn as a dotted line.
 */
const contourField = (options: ContourPlotOptions, xDomain: readonly [number, number], yDomain: readonly [number, number]): ContourField => {
  const trace = (n: number): ContourField => {
    const grid = sampleGrid(options.f, xDomain, yDomain, n)
    const requested = options.levels ?? 'log'
    const count = options.levelCount ?? 24
    const thresholds =
      requested === 'log'
        ? logLevels(grid.min, grid.max, count)
        : requested === 'linear'
          ? linearLevels(grid.min, grid.max, count)
          : [...requested].filter(Number.isFinite).sort((a, b) => a - b)
    const shapes = grid.min <= grid.max ? contours().size([n, n]).thresholds(thresholds)(Array.from(grid.values)) : []
    return { n, min: grid.min, thresholds, shapes, dropped: 0 }
  }
  const base = Math.max(8, Math.round(options.resolution ?? 240))
  let field = trace(base)
  if (options.resolution === undefined && field.shapes.some(isBroken)) field = trace(base * 3)
  const whole = field.shapes.map((shape) => !isBroken(shape))
  return {
    ...field,
    thresholds: field.thresholds.filter((_, k) => whole[k] ?? true),
    shapes: field.shapes.filter((_, k) => whole[k]),
    dropped: whole.filter((w) => !w).length
  }
}

/** The note under the title that says what the contours are, in words. */
const contourNote = (field: ContourField, requested: ContourPlotOptions['levels']): string => {
  const t = field.thresholds
  const dropped = field.dropped > 0 ? `; ${field.dropped} lower level${field.dropped === 1 ? '' : 's'} too narrow to draw at this size left out` : ''
  if (t.length === 0) return 'no contour levels: the function is constant or undefined here'
  if ((requested ?? 'log') !== 'log' || t.length < 2) return `${t.length} contour lines, from f = ${shortNumber(t[0])} to f = ${shortNumber(t[t.length - 1])}; darker is lower${dropped}`
  const ratio = (t[1] - field.min) / (t[0] - field.min)
  return `${t.length} contour lines from f = ${shortNumber(t[0])} to f = ${shortNumber(t[t.length - 1])}, each ${shortNumber(ratio)}× further above the lowest f in view than the one below; darker is lower${dropped}`
}

/** The tinted bands and level lines of a field, drawn in a frame. */
const contourPaths = (field: ContourField, xDomain: readonly [number, number], yDomain: readonly [number, number], frame: Frame): string => {
  const xScale = scaleLinear().domain(xDomain).range([frame.left, frame.right])
  const yScale = scaleLinear().domain(yDomain).range([frame.bottom, frame.top])
  const n = field.n
  // d3-contour puts sample i at grid coordinate i + 0.5.
  const gx = (c: number): number => xScale(xDomain[0] + ((c - 0.5) * (xDomain[1] - xDomain[0])) / (n - 1))
  const gy = (c: number): number => yScale(yDomain[0] + ((c - 0.5) * (yDomain[1] - yDomain[0])) / (n - 1))
  const tint = scaleLinear<string>().domain([0, Math.max(1, field.thresholds.length)]).range(['#c9daf0', '#fbfcfe'])
  const parts: string[] = [element('rect', { x: frame.left, y: frame.top, width: frame.right - frame.left, height: frame.bottom - frame.top, fill: tint(0) })]
  field.shapes.forEach((shape, k) => {
    const d = shape.coordinates
      .map((polygon) =>
        polygon
          .map((ring) => simplify(ring.map(([cx, cy]): Point => [gx(cx), gy(cy)]), 0.3))
          .filter((ring) => ring.length > 2)
          .map((ring) => ring.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${px(x)},${px(y)}`).join('') + 'Z')
          .join('')
      )
      .join('')
    if (d !== '') parts.push(element('path', { d, fill: tint(k + 1), 'fill-rule': 'evenodd', stroke: '#7f93ab', 'stroke-width': 0.6, 'stroke-opacity': 0.8, class: 'contour' }))
  })
  return parts.join('\n')
}

/** Where a path goes relative to the window. */
type PathStatus = 'inside' | 'leaves' | 'ends outside' | 'diverged' | 'empty'

/** Optimizers whose paths are identical, drawn once under a joint label. */
interface PathGroup {
  readonly names: readonly string[]
  readonly label: string
  readonly points: readonly Point[]
  readonly color: string
  readonly dash: string | undefined
  readonly status: PathStatus
}

const samePath = (a: readonly Point[], b: readonly Point[]): boolean => a.length === b.length && a.every((p, i) => p[0] === b[i][0] && p[1] === b[i][1])

/** "a", "a and b", "a, b and c". */
const listOf = (names: readonly string[]): string => (names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`)

const statusOf = (box: Box, points: readonly Point[]): PathStatus => {
  const last = points[points.length - 1]
  if (last === undefined) return 'empty'
  if (!Number.isFinite(last[0]) || !Number.isFinite(last[1])) return 'diverged'
  if (!inBox(box, last)) return 'ends outside'
  return points.every((p) => inBox(box, p)) ? 'inside' : 'leaves'
}

/** Words for a status, for legends and panel titles; empty when the path stays in view. */
const statusWords: Readonly<Record<PathStatus, string>> = {
  inside: '',
  leaves: 'leaves the window',
  'ends outside': 'ends outside the window',
  diverged: 'diverged',
  empty: 'no points'
}

/** Items in groups of equal ones, in the order of their first members. */
const groupIdentical = <A>(items: readonly A[], same: (a: A, b: A) => boolean): A[][] => {
  const groups: A[][] = []
  for (const item of items) {
    const group = groups.find((g) => same(g[0], item))
    if (group !== undefined) group.push(item)
    else groups.push([item])
  }
  return groups
}

/** The label of a group of identical lines: "a", or "a and b (identical)". */
const jointLabel = (names: readonly string[], what: string): string => (names.length === 1 ? names[0] : `${listOf(names)} (identical ${what})`)

/** Group identical paths; group k takes the k-th palette colour unless its first member has one. */
const groupPaths = (trajectories: readonly Trajectory[], box: Box): PathGroup[] =>
  groupIdentical(trajectories, (a, b) => samePath(a.points, b.points)).map((members, k) => {
    const first = members[0]
    const names = members.map((m) => m.name)
    return {
      names,
      label: jointLabel(names, 'paths'),
      points: first.points,
      color: first.color ?? seriesStyle(k).color,
      dash: first.dash ?? (first.color === undefined ? seriesStyle(k).dash : undefined),
      status: statusOf(box, first.points)
    }
  })

/** One group's path in a frame: a white halo, then the line, clipped and simplified in pixels. */
const pathOf = (group: PathGroup, box: Box, toPx: (p: Point) => Point, width: number): string => {
  const pieces = clipPolyline(box, group.points).map((piece) => simplify(thin(piece.map(toPx)), 0.25))
  const d = pathData(pieces)
  return (
    element('path', { d, fill: 'none', stroke: '#ffffff', 'stroke-width': width + 2.5, 'stroke-opacity': 0.7, 'stroke-linejoin': 'round' }) +
    '\n' +
    element('path', {
      d,
      fill: 'none',
      stroke: group.color,
      'stroke-width': width,
      'stroke-dasharray': group.dash,
      'stroke-linejoin': 'round',
      'stroke-linecap': 'round',
      class: 'trajectory',
      'data-name': group.names.join(' = ')
    })
  )
}

/** Start circles (one neutral circle for a start shared by several paths), the stars, then end squares on top. */
const pathMarkers = (groups: readonly PathGroup[], markers: readonly Marker[], box: Box, toPx: (p: Point) => Point, size: number): string => {
  const parts: string[] = []
  const drawnStarts = new Set<string>()
  groups.forEach((g, i) => {
    const first = g.points[0]
    if (first === undefined || !inBox(box, first)) return
    const shared = groups.some((other, j) => j !== i && other.points[0] !== undefined && other.points[0][0] === first[0] && other.points[0][1] === first[1])
    const key = `${first[0]},${first[1]}`
    if (shared && drawnStarts.has(key)) return
    drawnStarts.add(key)
    const [cx, cy] = toPx(first)
    parts.push(element('circle', { cx, cy, r: size, fill: '#ffffff', stroke: shared ? '#333333' : g.color, 'stroke-width': 2, class: 'start' }))
  })
  for (const m of markers) {
    if (!inBox(box, m.point)) continue
    const [cx, cy] = toPx(m.point)
    // large enough that its tips show around an end square drawn on top of it
    parts.push(star(cx, cy, size * 2.1))
  }
  for (const g of groups) {
    const last = g.points[g.points.length - 1]
    if (last === undefined || g.points.length < 2 || !inBox(box, last)) continue
    const [x, y] = toPx(last)
    const h = size * 0.9
    parts.push(element('rect', { x: x - h, y: y - h, width: 2 * h, height: 2 * h, fill: g.color, stroke: '#ffffff', 'stroke-width': 1.2, class: 'end' }))
  }
  return parts.join('\n')
}

/** More distinct paths than this are drawn as small multiples (`layout: 'auto'`). */
const singleLimit = 4

/**
 * Draw the level sets of `f` over a rectangle with optimizer trajectories on top.
 *
 * The function is sampled on a grid and traced by d3-contour (refined where a
 * level would come out broken); the bands between levels are tinted (darker
 * is lower) and the levels drawn as thin lines. Identical paths are drawn
 * once under a joint label. Each path is a polyline in its own colour with a
 * hollow circle at the start and a filled square at the end (drawn over the
 * markers' stars); the parts that leave the domain are clipped away and a
 * note says so. Lines are simplified in pixels (Douglas–Peucker), so the
 * file stays small whatever the number of points.
 *
 * With more than four distinct paths (`layout: 'auto'`, or `'panels'`) the
 * plot is a grid of small multiples: one panel per path on the same contours
 * and scale, and an overview panel with all of them. Otherwise one frame with
 * the legend in the right margin. All text is escaped.
 *
 * @example contourPlot({ f: (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2, xDomain: [-2, 2], yDomain: [-1, 3],
 *   trajectories: [{ name: 'adam', points }], title: 'Rosenbrock' })
 */
export const contourPlot = (options: ContourPlotOptions): string => {
  const xDomain = sanitizeDomain(options.xDomain)
  const yDomain = sanitizeDomain(options.yDomain)
  const box: Box = { x0: xDomain[0], x1: xDomain[1], y0: yDomain[0], y1: yDomain[1] }
  const groups = groupPaths(options.trajectories ?? [], box)
  const layout = options.layout ?? 'auto'
  const field = contourField(options, xDomain, yDomain)
  return layout === 'panels' || (layout === 'auto' && groups.length > singleLimit)
    ? panelPlot(options, field, groups, xDomain, yDomain)
    : singlePlot(options, field, groups, xDomain, yDomain)
}

/** A note on the paths that leave the window, or undefined. */
const windowNote = (groups: readonly PathGroup[]): string | undefined => {
  const out = groups.filter((g) => g.status === 'leaves' || g.status === 'ends outside')
  if (out.length === 0) return undefined
  return `${listOf(out.map((g) => g.names[0]))} ${out.length === 1 ? 'leaves' : 'leave'} the window: drawn up to its edge`
}

/** The title, the note on the contours, and the note on paths that leave the window. */
const contourHeader = (width: number, options: ContourPlotOptions, field: ContourField, groups: readonly PathGroup[]): string => {
  const leaving = windowNote(groups)
  return (
    titleText(width, options.title) +
    '\n' +
    text(width / 2, 44, contourNote(field, options.levels), { 'text-anchor': 'middle', 'font-size': 11, fill: noteColor }) +
    '\n' +
    (leaving !== undefined ? text(width / 2, 58, `note: ${leaving}`, { 'text-anchor': 'middle', 'font-size': 11, fill: '#9a3b00', class: 'note' }) + '\n' : '')
  )
}

const singlePlot = (options: ContourPlotOptions, field: ContourField, groups: readonly PathGroup[], xDomain: [number, number], yDomain: [number, number]): string => {
  const width = options.width ?? 820
  const height = options.height ?? 620
  const markers = options.markers ?? []
  const box: Box = { x0: xDomain[0], x1: xDomain[1], y0: yDomain[0], y1: yDomain[1] }
  const entries: LegendEntry[] = groups.map((g) => ({ label: g.status === 'inside' ? g.label : `${g.label} (${statusWords[g.status]})`, color: g.color, dash: g.dash }))
  const hasLegend = groups.length > 0 || markers.length > 0
  const legendW = legendWidth([...entries.map((e) => e.label), ...markers.map((m) => m.label)], width)
  const chars = legendChars(legendW)
  const frame: Frame = { left: 74, top: 66, right: width - (hasLegend ? legendW + 24 : 24), bottom: height - 56 }
  const xScale = scaleLinear().domain(xDomain).range([frame.left, frame.right])
  const yScale = scaleLinear().domain(yDomain).range([frame.bottom, frame.top])
  const toPx = (p: Point): Point => [xScale(p[0]), yScale(p[1])]

  const xCount = tickCount(frame.right - frame.left, 80)
  const yCount = tickCount(frame.bottom - frame.top, 50)
  const axisText = axes(
    frame,
    { ticks: xScale.ticks(xCount), label: xScale.tickFormat(xCount), at: xScale, title: options.xLabel ?? 'x' },
    { ticks: yScale.ticks(yCount), label: yScale.tickFormat(yCount), at: yScale, title: options.yLabel ?? 'y' }
  )
  const legendX = frame.right + 20
  const lines = legend(legendX, frame.top + 8, entries, chars)
  const legendRows: string[] = [lines.svg]
  let row = lines.next
  for (const m of markers) {
    legendRows.push(star(legendX + 14, row, 7, 'legend-marker'))
    legendRows.push(text(legendX + 36, row + 4, truncate(m.label, chars), { fill: '#111111' }))
    row += 20
  }
  if (groups.length > 0) legendRows.push(startEndKey(legendX, row + 4))
  const clipId = idFor(`${options.title}|${width}|${height}|${groups.length}`)
  const body =
    contourHeader(width, options, field, groups) +
    `<defs>${element('clipPath', { id: clipId }, element('rect', { x: frame.left, y: frame.top, width: frame.right - frame.left, height: frame.bottom - frame.top }))}</defs>\n` +
    `<g clip-path="url(#${clipId})">\n${contourPaths(field, xDomain, yDomain, frame)}\n${groups.map((g) => pathOf(g, box, toPx, 2)).join('\n')}\n</g>\n` +
    axisText +
    `<g>\n${pathMarkers(groups, markers, box, toPx, 5)}\n</g>\n` +
    (hasLegend ? `<g class="legend">\n${legendRows.join('\n')}\n</g>\n` : '')
  return svgDocument(width, height, options.title, body)
}

/** The "○ start ■ end" key. */
const startEndKey = (x: number, y: number): string =>
  [
    element('circle', { cx: x + 6, cy: y, r: 4.5, fill: '#ffffff', stroke: '#444444', 'stroke-width': 1.8 }),
    text(x + 16, y + 4, 'start', { fill: noteColor }),
    element('rect', { x: x + 58, y: y - 4, width: 8, height: 8, fill: '#444444' }),
    text(x + 72, y + 4, 'end', { fill: noteColor })
  ].join('\n')

/** Small multiples: an overview panel with every path, then one panel per distinct path, all on the same contours and scale. */
const panelPlot = (options: ContourPlotOptions, field: ContourField, groups: readonly PathGroup[], xDomain: [number, number], yDomain: [number, number]): string => {
  const markers = options.markers ?? []
  const box: Box = { x0: xDomain[0], x1: xDomain[1], y0: yDomain[0], y1: yDomain[1] }
  const cells = groups.length + 1
  const columns = cells <= 4 ? cells : cells <= 6 ? 3 : 4
  const rows = Math.ceil(cells / columns)
  const width = options.width ?? 300 * columns + 40
  const cellW = (width - 40) / columns
  const aspect = Math.max(0.6, Math.min(1.25, (yDomain[1] - yDomain[0]) / (xDomain[1] - xDomain[0])))
  const frameW = cellW - 56
  const frameH = Math.round(frameW * aspect)
  const cellH = frameH + 74
  const top = 78
  const height = options.height ?? top + rows * cellH + 30
  const chars = Math.floor(frameW / (12 * 0.58))
  const panels: string[] = []
  for (let c = 0; c < cells; c++) {
    const col = c % columns
    const row = Math.floor(c / columns)
    const frame: Frame = { left: 40 + col * cellW + 36, top: top + row * cellH + 36, right: 40 + col * cellW + 36 + frameW, bottom: top + row * cellH + 36 + frameH }
    const xScale = scaleLinear().domain(xDomain).range([frame.left, frame.right])
    const yScale = scaleLinear().domain(yDomain).range([frame.bottom, frame.top])
    const toPx = (p: Point): Point => [xScale(p[0]), yScale(p[1])]
    const shown = c === 0 ? groups : [groups[c - 1]]
    const heading =
      c === 0
        ? [{ text: `all ${groups.length} paths together`, color: '#111111' }]
        : [...(groups[c - 1].names.length > 1 ? groups[c - 1].names.map((name, k) => (k === 0 ? name : `= ${name}`)) : wrap(groups[c - 1].label, chars).slice(0, 2))].map((l) => ({
            text: truncate(l, chars),
            color: groups[c - 1].color
          }))
    const status = c === 0 ? '' : statusWords[groups[c - 1].status]
    if (status !== '') heading.push({ text: `(${status})`, color: '#9a3b00' })
    const headingText = heading
      .slice(0, 3)
      .map((h, k) => text(frame.left, frame.top - 8 - 14 * (Math.min(heading.length, 3) - 1 - k), h.text, { fill: h.color, 'font-weight': k === 0 ? 'bold' : undefined, class: 'panel-title' }))
      .join('\n')
    const xCount = tickCount(frameW, 70)
    const yCount = tickCount(frameH, 50)
    const ticks =
      xScale
        .ticks(xCount)
        .map((v) => element('line', { x1: xScale(v), x2: xScale(v), y1: frame.bottom, y2: frame.bottom + 4, stroke: frameColor }) + text(xScale(v), frame.bottom + 15, xScale.tickFormat(xCount)(v), { 'text-anchor': 'middle', fill: frameColor, 'font-size': 10 }))
        .join('\n') +
      yScale
        .ticks(yCount)
        .map((v) => element('line', { x1: frame.left - 4, x2: frame.left, y1: yScale(v), y2: yScale(v), stroke: frameColor }) + text(frame.left - 6, yScale(v) + 3.5, yScale.tickFormat(yCount)(v), { 'text-anchor': 'end', fill: frameColor, 'font-size': 10 }))
        .join('\n')
    const axisTitles =
      (row === rows - 1 || c + columns >= cells ? text((frame.left + frame.right) / 2, frame.bottom + 30, options.xLabel ?? 'x', { 'text-anchor': 'middle', 'font-size': 12, fill: '#111111' }) : '') +
      (col === 0 ? text(frame.left - 30, (frame.top + frame.bottom) / 2, options.yLabel ?? 'y', { 'text-anchor': 'middle', 'font-size': 12, fill: '#111111', transform: `rotate(-90 ${px(frame.left - 30)} ${px((frame.top + frame.bottom) / 2)})` }) : '')
    const clipId = idFor(`${options.title}|panel ${c}|${width}|${height}`)
    panels.push(
      `<g class="panel">\n${headingText}\n` +
        `<defs>${element('clipPath', { id: clipId }, element('rect', { x: frame.left, y: frame.top, width: frameW, height: frameH }))}</defs>\n` +
        `<g clip-path="url(#${clipId})">\n${contourPaths(field, xDomain, yDomain, frame)}\n${shown.map((g) => pathOf(g, box, toPx, c === 0 ? 1.6 : 2)).join('\n')}\n</g>\n` +
        element('rect', { x: frame.left, y: frame.top, width: frameW, height: frameH, fill: 'none', stroke: frameColor }) +
        '\n' +
        ticks +
        axisTitles +
        `\n${pathMarkers(shown, markers, box, toPx, 4)}\n</g>`
    )
  }
  const key = startEndKey(width - 150, 70) + (markers.length > 0 ? '\n' + star(40 + 8, 70, 6, 'legend-marker') + text(40 + 20, 74, markers.map((m) => m.label).join(', '), { fill: noteColor }) : '')
  const body =
    contourHeader(width, options, field, groups) +
    `<g class="legend">\n${key}\n</g>\n` +
    panels.join('\n') +
    '\n'
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
 * The last step at which a series still moves: its last finite value that
 * differs from the one before, or its last positive value on a log axis (a
 * run that reaches 0 at step 15 and stays there is 15 steps long).
 */
const activeLength = (s: LossSeries, logY: boolean): number => {
  const stepAt = (i: number): number => s.steps?.[i] ?? i
  let active = 0
  for (let i = 1; i < s.values.length; i++) {
    const v = s.values[i]
    if (!Number.isFinite(v) || (logY && v <= 0)) continue
    if (v !== s.values[i - 1]) active = stepAt(i)
  }
  return active
}

/** Where step 0 sits on a log step axis, half a decade left of step 1. */
const zeroOnLog = Math.pow(10, -0.5)

/**
 * Loss curves against the step number, with the scales chosen for the data
 * and named on the axes: a log f axis by default (linear when nothing is
 * positive), and a log step axis when asked or, with `logX: 'auto'` (the
 * default), when the runs' active lengths differ a hundredfold (a Newton run
 * done in 15 steps beside first-order runs of 5000) — step 0 then sits half a
 * decade left of step 1.
 *
 * On a log f axis, a series whose values drop to ≤ 0 ends its line there and
 * gets a ▼ on the bottom edge where it did, with a note naming it and the
 * step; non-finite values (NaN, ±∞: a diverged run) leave a gap, and a note
 * says how many. A diverging run's top is capped at a thousand times the
 * largest start. Long series are reduced to the first, lowest, highest and
 * last point per pixel column, which draws the same picture. Labels are
 * escaped; the legend sits in the right margin.
 */
export const lossFigure = (options: LossPlotOptions): LossFigure => {
  const width = options.width ?? 820
  const height = options.height ?? 520
  const sameSeries = (a: LossSeries, b: LossSeries): boolean =>
    a.values.length === b.values.length && a.values.every((v, i) => Object.is(v, b.values[i]) && (a.steps?.[i] ?? i) === (b.steps?.[i] ?? i))
  const groups = groupIdentical(options.series, sameSeries)
  const series = groups.map((g) => ({ ...g[0], name: jointLabel(g.map((s) => s.name), 'curves') }))
  const entries: LegendEntry[] = series.map((s, i) => ({
    label: s.name,
    color: s.color ?? seriesStyle(i).color,
    dash: s.dash ?? (s.color === undefined ? seriesStyle(i).dash : undefined)
  }))
  const hasLegend = series.length > 0
  const legendW = legendWidth(entries.map((e) => e.label), width)
  const stepAt = (s: LossSeries, i: number): number => s.steps?.[i] ?? i

  let positiveMin = Infinity
  let finiteMin = Infinity
  let finiteMax = -Infinity
  let nonFinite = 0
  let lastStep = 0
  for (const s of series) {
    if (s.values.length > 0) lastStep = Math.max(lastStep, stepAt(s, s.values.length - 1))
    for (const v of s.values) {
      if (!Number.isFinite(v)) nonFinite++
      else {
        if (v < finiteMin) finiteMin = v
        if (v > finiteMax) finiteMax = v
        if (v > 0 && v < positiveMin) positiveMin = v
      }
    }
  }
  const logY = (options.logY ?? true) && positiveMin < Infinity
  const lengths = series.map((s) => activeLength(s, logY)).filter((n) => n > 0)
  let shortest = Infinity
  let longestActive = 0
  for (const n of lengths) {
    shortest = Math.min(shortest, n)
    longestActive = Math.max(longestActive, n)
  }
  const requestedX = options.logX ?? 'auto'
  const logX = lastStep >= 10 && (requestedX === true || (requestedX === 'auto' && lengths.length > 1 && longestActive >= 100 * shortest))

  // A diverging run would stretch the axis to 1e300 and flatten every other curve: cap the top
  // at a thousand times the largest starting value (a tenfold span on a linear axis).
  let reference = -Infinity
  let starts = 0
  for (const s of series) {
    const first = s.values.find(Number.isFinite)
    if (first !== undefined) {
      starts++
      reference = Math.max(reference, first)
    }
  }
  const cap = logY ? reference * 1e3 : reference + 10 * (reference - finiteMin)
  const top = starts > 0 && cap > (logY ? positiveMin : finiteMin) && finiteMax > cap ? cap : finiteMax
  let aboveTop = 0
  if (top < finiteMax) for (const s of series) for (const v of s.values) if (Number.isFinite(v) && v > top) aboveTop++

  // where each series drops to ≤ 0 on a log axis: the start of every such stretch
  const drops: { readonly series: number; readonly step: number; readonly value: number }[] = []
  if (logY) {
    series.forEach((s, i) => {
      for (let k = 0; k < s.values.length; k++) {
        const v = s.values[k]
        if (Number.isFinite(v) && v <= 0 && !(k > 0 && Number.isFinite(s.values[k - 1]) && s.values[k - 1] <= 0)) drops.push({ series: i, step: stepAt(s, k), value: v })
      }
    })
  }
  const notes: string[] = []
  if ((options.logY ?? true) && !logY && finiteMax > -Infinity) notes.push('no positive values, so the f axis is linear')
  const dropped = [...new Set(drops.map((d) => d.series))]
  if (dropped.length > 0) {
    const first = dropped.slice(0, 2).map((i) => {
      const d = drops.find((e) => e.series === i)!
      return `${truncate(series[i].name, 24)} reaches ${d.value === 0 ? 'f = 0' : `f = ${shortNumber(d.value)}`} at step ${d.step}`
    })
    notes.push(`${first.join(', ')}${dropped.length > 2 ? ` (and ${dropped.length - 2} more)` : ''}: ▼ on the bottom edge, as a log axis cannot show f ≤ 0`)
  }
  if (aboveTop > 0) notes.push(`${aboveTop} value${aboveTop === 1 ? '' : 's'} above ${shortNumber(top)} drawn on the top edge`)
  if (nonFinite > 0) notes.push(`${nonFinite} non-finite value${nonFinite === 1 ? '' : 's'} (NaN or ±∞) left out`)
  const noteLines = notes.length === 0 ? [] : wrap(`note: ${notes.join('; ')}`, Math.floor(width / 6.4))
  const frame: Frame = { left: 78, top: 50 + 14 * Math.max(1, noteLines.length), right: width - (hasLegend ? legendW + 24 : 24), bottom: height - 56 }

  const xLinear = scaleLinear()
    .domain([0, Math.max(1, lastStep)])
    .range([frame.left, frame.right])
  const xLog = scaleLog()
    .domain([zeroOnLog, Math.max(10, lastStep)])
    .range([frame.left, frame.right])
  const xAt = (step: number): number => (logX ? xLog(Math.max(step, zeroOnLog)) : xLinear(step))
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
    s.values.forEach((v, k) => {
      if (!Number.isFinite(v) || (logY && v <= 0)) {
        if (current.length > 0) pieces.push(current)
        current = []
        return
      }
      current.push([xAt(stepAt(s, k)), yAt(v)])
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
  // at most 20 drop markers per series: a run that flickers around 0 gets the first ones
  const perSeries = new Map<number, number>()
  for (const d of drops) {
    const seen = perSeries.get(d.series) ?? 0
    perSeries.set(d.series, seen + 1)
    if (seen >= 20) continue
    const x = xAt(d.step)
    const y = frame.bottom - 1
    lines.push(
      element('polygon', { points: `${px(x - 5.5)},${px(y - 9)} ${px(x + 5.5)},${px(y - 9)} ${px(x)},${px(y)}`, fill: entries[d.series].color, stroke: '#ffffff', 'stroke-width': 1, class: 'nonpositive' })
    )
  }

  const xTicks = logX
    ? [zeroOnLog, ...xLog.ticks().filter((v) => v >= 1 && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9)]
    : xLinear.ticks(tickCount(frame.right - frame.left, 80)).filter(Number.isInteger)
  const stepLabel = (v: number): string => (v === zeroOnLog ? '0' : v >= 1e5 ? powerOfTen(Math.round(Math.log10(v))) : String(v))
  const axisText = axes(
    frame,
    { ticks: xTicks, label: logX ? stepLabel : (v) => String(v), at: xAt, title: `${options.xLabel ?? 'step'} (${logX ? 'log' : 'linear'} scale)` },
    { ticks: yTicks, label: yLabel, at: yAt, title: `${options.yLabel ?? 'loss'} (${logY ? 'log' : 'linear'} scale)`, minor: yMinor }
  )
  const gridLines = yTicks
    .map((v) => element('line', { x1: frame.left, x2: frame.right, y1: yAt(v), y2: yAt(v), stroke: '#e3e3e3' }))
    .join('\n')
  const clipId = idFor(`loss|${options.title}|${width}|${height}|${series.length}`)
  const body =
    titleText(width, options.title) +
    '\n' +
    noteLines.map((line, k) => text(width / 2, 44 + 14 * k, line, { 'text-anchor': 'middle', 'font-size': 11, fill: '#9a3b00', class: 'note' })).join('\n') +
    '\n' +
    `<defs>${element('clipPath', { id: clipId }, element('rect', { x: frame.left - 3, y: frame.top - 3, width: frame.right - frame.left + 6, height: frame.bottom - frame.top + 6 }))}</defs>\n` +
    gridLines +
    '\n' +
    `<g clip-path="url(#${clipId})">\n${lines.join('\n')}\n</g>\n` +
    axisText +
    (hasLegend ? `<g class="legend">\n${legend(frame.right + 20, frame.top + 8, entries, legendChars(legendW)).svg}</g>\n` : '')
  return { svg: svgDocument(width, height, options.title, body), logX, logY }
}

/** {@link lossFigure}'s picture alone. */
export const lossPlot = (options: LossPlotOptions): string => lossFigure(options).svg

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
