/**
 * Small helpers for writing SVG text by hand: escaping, compact numbers,
 * elements, path data, clipping polylines to a rectangle, and a colour-blind
 * safe palette. Pure functions over strings and numbers.
 */

// -------------------------------------------------------------------------------------
// text
// -------------------------------------------------------------------------------------

/**
 * Escape text for SVG/XML content and attribute values: `& < > " '` become
 * entities, and characters XML 1.0 forbids (control characters, lone
 * surrogates) become U+FFFD, so any name or title yields well-formed SVG.
 */
export const escapeXml = (text: string): string =>
  text
    // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML 1.0 forbids, replaced here
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')

/** A pixel coordinate with at most two decimals (`12.35`, `-0.5`, `3`). */
export const px = (v: number): string => {
  const r = Math.round(v * 100) / 100
  return Object.is(r, -0) ? '0' : String(r)
}

/** Rough width in pixels of `text` in a sans-serif font of `fontSize` (for layout only). */
export const textWidth = (text: string, fontSize: number): number => [...text].length * fontSize * 0.58

/** Cut `text` to at most `max` characters, ending with `…` when cut. */
export const truncate = (text: string, max: number): string => {
  const chars = [...text]
  return chars.length <= max ? text : chars.slice(0, max - 1).join('') + '…'
}

/** `<name a="…">children</name>`, or self-closing without children; attribute values are escaped. */
export const element = (name: string, attributes: Readonly<Record<string, string | number | undefined>>, children?: string): string => {
  const attrs = Object.entries(attributes)
    .filter((kv): kv is [string, string | number] => kv[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(typeof v === 'number' ? px(v) : v)}"`)
    .join('')
  return children === undefined ? `<${name}${attrs}/>` : `<${name}${attrs}>${children}</${name}>`
}

/** A `<text>` element whose content is escaped. */
export const text = (x: number, y: number, content: string, attributes: Readonly<Record<string, string | number | undefined>> = {}): string =>
  element('text', { x, y, ...attributes }, escapeXml(content))

const superscripts: Readonly<Record<string, string>> = {
  '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹', '-': '⁻'
}

/** `10⁻³` for an integer power of ten. */
export const powerOfTen = (exponent: number): string =>
  '10' + String(exponent).split('').map((c) => superscripts[c] ?? c).join('')

/** A short, readable number for notes and labels: 3 significant digits, `−` for minus. */
export const shortNumber = (v: number): string => {
  if (!Number.isFinite(v)) return String(v)
  const a = Math.abs(v)
  const s = a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e') : String(Number(v.toPrecision(3)))
  return s.replace(/^-/, '−')
}

// -------------------------------------------------------------------------------------
// colours
// -------------------------------------------------------------------------------------

/**
 * The Okabe–Ito palette (distinguishable with the common colour-vision
 * deficiencies), yellow left out because it vanishes on a light background.
 */
export const palette: readonly string[] = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#882255', '#999933', '#332288']

/**
 * Dash patterns that take over when the palette runs out: series i gets
 * colour i mod 10 and dash ⌊i/10⌋. The first seven colours are Okabe and
 * Ito's; the last three (wine, olive, indigo) are from Paul Tol's muted set.
 */
export const dashes: readonly (string | undefined)[] = [undefined, '7 3', '2 2', '9 3 2 3']

/** Colour and dash of the i-th series. */
export const seriesStyle = (i: number): { readonly color: string; readonly dash: string | undefined } => ({
  color: palette[i % palette.length],
  dash: dashes[Math.floor(i / palette.length) % dashes.length]
})

// -------------------------------------------------------------------------------------
// geometry
// -------------------------------------------------------------------------------------

/** A point of the plane, [x, y]. */
export type Point = readonly [number, number]

export interface Box {
  readonly x0: number
  readonly x1: number
  readonly y0: number
  readonly y1: number
}

/** True when the point is finite and inside the closed box. */
export const inBox = (box: Box, p: Point): boolean => p[0] >= box.x0 && p[0] <= box.x1 && p[1] >= box.y0 && p[1] <= box.y1

const isFinitePoint = (p: Point): boolean => Number.isFinite(p[0]) && Number.isFinite(p[1])

/**
 * The part of segment a→b inside the box (Liang–Barsky), or undefined when
 * it misses the box. Returns the parameters t0 ≤ t1 in [0, 1] along a→b.
 */
export const clipSegment = (box: Box, a: Point, b: Point): readonly [number, number] | undefined => {
  // Halving first keeps b − a finite even for points near ±1.8e308.
  const dx = (b[0] / 2 - a[0] / 2) * 2
  const dy = (b[1] / 2 - a[1] / 2) * 2
  let t0 = 0
  let t1 = 1
  const edges: ReadonlyArray<readonly [number, number]> = [
    [-dx, a[0] - box.x0],
    [dx, box.x1 - a[0]],
    [-dy, a[1] - box.y0],
    [dy, box.y1 - a[1]]
  ]
  for (const [p, q] of edges) {
    if (!Number.isFinite(p) || !Number.isFinite(q)) return undefined
    if (p === 0) {
      if (q < 0) return undefined
    } else {
      const r = q / p
      if (p < 0) {
        if (r > t1) return undefined
        if (r > t0) t0 = r
      } else {
        if (r < t0) return undefined
        if (r < t1) t1 = r
      }
    }
  }
  return [t0, t1]
}

/**
 * Clip a polyline to a box: the pieces inside, each a list of points.
 * Non-finite points break the line; a segment that leaves the box ends at
 * the border and a new piece starts where it comes back.
 */
export const clipPolyline = (box: Box, points: readonly Point[]): Point[][] => {
  const pieces: Point[][] = []
  let current: Point[] = []
  const flush = (): void => {
    if (current.length > 0) pieces.push(current)
    current = []
  }
  const lerp = (a: Point, b: Point, t: number): Point =>
    t === 0 ? a : t === 1 ? b : [a[0] + ((b[0] / 2 - a[0] / 2) * 2) * t, a[1] + ((b[1] / 2 - a[1] / 2) * 2) * t]
  if (points.length === 1 && isFinitePoint(points[0]) && inBox(box, points[0])) return [[points[0]]]
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]
    const b = points[i]
    if (!isFinitePoint(a) || !isFinitePoint(b)) {
      flush()
      continue
    }
    const clipped = clipSegment(box, a, b)
    if (clipped === undefined) {
      flush()
      continue
    }
    const [t0, t1] = clipped
    const start = lerp(a, b, t0)
    if (t0 > 0 || current.length === 0) {
      flush()
      current.push(start)
    }
    current.push(lerp(a, b, t1))
    if (t1 < 1) flush()
  }
  flush()
  return pieces
}

/** Distance from p to the segment a–b (to a itself when a = b). */
const segmentDistance = (p: Point, a: Point, b: Point): number => {
  const dx = b[0] - a[0]
  const dy = b[1] - a[1]
  const length2 = dx * dx + dy * dy
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2))
  return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)
}

/** Points per independent stretch in {@link simplify}: bounds its worst case to O(n · 512). */
const stretch = 512

/**
 * Simplify a polyline by its shape (Douglas–Peucker): keep the ends, and keep
 * a point when it lies more than `tolerance` from the segment between the
 * kept points around it. Distances are to segments, not lines, so a path that
 * turns back on itself keeps its turning point. The line is simplified in
 * stretches of 512 points (their ends kept), with an explicit stack, so
 * neither time (at most O(n · 512), not O(n²) on a zigzag) nor the call stack
 * grows out of bounds. In pixels, a tolerance of a quarter pixel draws the
 * same picture with a bounded number of points.
 */
export const simplify = (points: readonly Point[], tolerance: number): Point[] => {
  if (points.length <= 2) return points.slice()
  const keep = new Uint8Array(points.length)
  const stack: [number, number][] = []
  for (let from = 0; from < points.length - 1; from += stretch) stack.push([from, Math.min(points.length - 1, from + stretch)])
  for (const [from, to] of stack) keep[from] = keep[to] = 1
  while (stack.length > 0) {
    const [from, to] = stack.pop()!
    let farthest = -1
    let distance = tolerance
    for (let i = from + 1; i < to; i++) {
      const d = segmentDistance(points[i], points[from], points[to])
      if (d > distance) {
        distance = d
        farthest = i
      }
    }
    if (farthest >= 0) {
      keep[farthest] = 1
      stack.push([from, farthest], [farthest, to])
    }
  }
  return points.filter((_, i) => keep[i] === 1)
}

/** SVG path data `M x,y L x,y …` for pieces of a polyline already in pixels. */
export const pathData = (pieces: readonly (readonly Point[])[]): string =>
  pieces
    .filter((piece) => piece.length > 0)
    .map((piece) => piece.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(p[0])},${px(p[1])}`).join(''))
    .join('')
