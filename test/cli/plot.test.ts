import { describe, it, expect } from 'vitest'
import { contourPlot, lossFigure, lossPlot, logLevels, linearLevels, plotDomain, type Trajectory } from '../../src/cli/plot.js'
import { clipPolyline, clipSegment, escapeXml, pathData, powerOfTen, simplify, type Point } from '../../src/cli/svg.js'

// -------------------------------------------------------------------------------------
// a small well-formedness check: balanced tags, quoted attributes, escaped text
// -------------------------------------------------------------------------------------

const wellFormedProblems = (svg: string): string[] => {
  const problems: string[] = []
  const stack: string[] = []
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y
  const entity = /&(?:amp|lt|gt|quot|#\d+|#x[0-9a-fA-F]+);/y
  let i = 0
  let roots = 0
  while (i < svg.length) {
    const c = svg[i]
    if (c === '<') {
      tag.lastIndex = i
      const m = tag.exec(svg)
      if (m === null) {
        problems.push(`bad tag at ${i}: ${svg.slice(i, i + 40)}`)
        break
      }
      const [whole, closing, name, attrs, selfClosing] = m
      for (const [, value] of attrs.matchAll(/="([^"]*)"/g)) {
        const bare = value.replace(/&(?:amp|lt|gt|quot|#\d+);/g, '')
        if (bare.includes('&')) problems.push(`unescaped & in attribute of <${name}>`)
      }
      if (closing === '/') {
        const open = stack.pop()
        if (open !== name) problems.push(`</${name}> closes <${open}>`)
      } else if (selfClosing !== '/') {
        if (stack.length === 0) roots++
        stack.push(name)
      } else if (stack.length === 0) roots++
      i += whole.length
    } else if (c === '&') {
      entity.lastIndex = i
      const m = entity.exec(svg)
      if (m === null) {
        problems.push(`bare & at ${i}`)
        i++
      } else i += m[0].length
    } else if (c === '>') {
      problems.push(`bare > at ${i}`)
      i++
    } else i++
  }
  if (stack.length > 0) problems.push(`unclosed: ${stack.join(' ')}`)
  if (roots !== 1) problems.push(`${roots} root elements`)
  return problems
}

const attribute = (fragment: string, name: string): string => {
  const m = new RegExp(` ${name}="([^"]*)"`).exec(fragment)
  if (m === null) throw new Error(`no ${name} in ${fragment.slice(0, 80)}`)
  return m[1]
}

const elementsWithClass = (svg: string, cls: string): string[] => [...svg.matchAll(new RegExp(`<[^>]*class="${cls}"[^>]*>`, 'g'))].map((m) => m[0])

const pathPoints = (d: string): Point[][] =>
  d
    .split('M')
    .filter((s) => s !== '')
    .map((piece) => piece.split('L').map((xy) => xy.split(',').map(Number) as unknown as Point))

const plotFrame = (svg: string): { left: number; top: number; right: number; bottom: number } => {
  const rect = /<clipPath[^>]*><rect([^>]*)\/>/.exec(svg)![1]
  const left = Number(attribute(rect, 'x'))
  const top = Number(attribute(rect, 'y'))
  return { left, top, right: left + Number(attribute(rect, 'width')), bottom: top + Number(attribute(rect, 'height')) }
}

const rosenbrock = (x: number, y: number): number => (1 - x) ** 2 + 100 * (y - x * x) ** 2

describe('the well-formedness check itself', () => {
  it('rejects broken documents', () => {
    expect(wellFormedProblems('<svg><g></svg>')).not.toEqual([])
    expect(wellFormedProblems('<svg><text>a < b</text></svg>')).not.toEqual([])
    expect(wellFormedProblems('<svg><text>R&D</text></svg>')).not.toEqual([])
    expect(wellFormedProblems('<svg a="1"><g/><text>a &lt; b</text></svg>')).toEqual([])
  })
})

describe('svg helpers', () => {
  it('escapeXml', () => {
    expect(escapeXml(`</text><script>alert("x" & 'y')</script>`)).toBe(
      '&lt;/text&gt;&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;'
    )
    expect(escapeXml('a\u0000b\uD800c')).toBe('a\uFFFDb\uFFFDc')
    expect(escapeXml('θ 😀')).toBe('θ 😀')
  })

  it('powerOfTen', () => {
    expect(powerOfTen(-12)).toBe('10⁻¹²')
    expect(powerOfTen(3)).toBe('10³')
  })

  it('clipSegment follows Liang–Barsky', () => {
    const box = { x0: 0, x1: 1, y0: 0, y1: 1 }
    expect(clipSegment(box, [-1, 0.5], [2, 0.5])).toEqual([1 / 3, 2 / 3])
    expect(clipSegment(box, [0.5, 0.5], [0.5, 0.7])).toEqual([0, 1])
    expect(clipSegment(box, [2, 2], [3, 3])).toBeUndefined()
    expect(clipSegment(box, [-1, 2], [2, -1])).toEqual([1 / 3, 2 / 3])
    expect(clipSegment(box, [0.5, 0.5], [1e308, -1e308])).toBeDefined()
  })

  it('clipPolyline splits a path that leaves and comes back, and breaks at non-finite points', () => {
    const box = { x0: 0, x1: 1, y0: 0, y1: 1 }
    const pieces = clipPolyline(box, [[0.5, 0.5], [1.5, 0.5], [0.5, 0.25], [0.25, 0.25], [NaN, 0], [0.1, 0.1], [0.2, 0.2]])
    expect(pieces).toEqual([
      [[0.5, 0.5], [1, 0.5]],
      [[1, 0.375], [0.5, 0.25], [0.25, 0.25]],
      [[0.1, 0.1], [0.2, 0.2]]
    ])
    expect(clipPolyline(box, [[0.5, 0.5]])).toEqual([[[0.5, 0.5]]])
    expect(clipPolyline(box, [[5, 5]])).toEqual([])
    // biome-ignore lint/suspicious/noApproximativeNumericConstant: a number with more digits than a path keeps, not π
    expect(pathData([[[1, 2], [3.14159, 4]], [[5, 6], [7, 8]]])).toBe('M1,2L3.14,4M5,6L7,8')
  })
})

describe('levels', () => {
  it('logLevels are log-spaced above the minimum', () => {
    const levels = logLevels(3, 1003, 20, 4)
    expect(levels).toHaveLength(20)
    expect(levels[0] - 3).toBeCloseTo(1000 * 1e-4, 10)
    const ratios = levels.slice(1).map((l, k) => (l - 3) / (levels[k] - 3))
    for (const r of ratios) expect(r).toBeCloseTo(Math.pow(10, 4 / 20), 10)
    expect(Math.max(...levels)).toBeLessThan(1003)
    expect(logLevels(1, 1)).toEqual([])
  })

  it('linearLevels are evenly spaced and strictly inside', () => {
    const levels = linearLevels(0, 10, 10)
    expect(levels).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
  })
})

describe('contourPlot', () => {
  const spiral: Point[] = Array.from({ length: 40 }, (_, k) => {
    const t = k / 39
    return [1 + 0.9 * (1 - t) * Math.cos(6 * t), 1 + 1.5 * (1 - t) * Math.sin(6 * t)]
  })
  const trajectories: Trajectory[] = [
    { name: 'line', points: [[-1.5, 2], [-0.5, 1.5], [0.5, 1.25], [1, 1]] },
    { name: 'spiral', points: spiral },
    { name: 'diverges', points: [[-1.5, 2], [-1, 2.5], [5, 40], [1e200, -1e200], [NaN, NaN]] }
  ]
  const svg = contourPlot({ f: rosenbrock, xDomain: [-2, 2], yDomain: [-1, 3], title: 'Rosenbrock', trajectories, markers: [{ point: [1, 1], label: 'minimum' }] })

  it('is well-formed', () => {
    expect(wellFormedProblems(svg)).toEqual([])
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
  })

  it('draws one path per trajectory, every point mapped through the scales', () => {
    const paths = elementsWithClass(svg, 'trajectory')
    expect(paths).toHaveLength(3)
    const frame = plotFrame(svg)
    expect(frame.left).toBe(74)
    expect(frame.bottom).toBe(620 - 56)
    const toX = (x: number): number => frame.left + ((x + 2) / 4) * (frame.right - frame.left)
    const toY = (y: number): number => frame.bottom - ((y + 1) / 4) * (frame.bottom - frame.top)
    const [line] = pathPoints(attribute(paths[0], 'd'))
    expect(line).toHaveLength(4)
    line.forEach(([x, y], k) => {
      expect(x).toBeCloseTo(toX(trajectories[0].points[k][0]), 1)
      expect(y).toBeCloseTo(toY(trajectories[0].points[k][1]), 1)
    })
    // (1, 1) is 3/4 of the way across and half way up
    expect(line[3][0]).toBeCloseTo(frame.left + 0.75 * (frame.right - frame.left), 1)
    expect(line[3][1]).toBeCloseTo((frame.top + frame.bottom) / 2, 1)
    expect(pathPoints(attribute(paths[1], 'd'))[0]).toHaveLength(40)
  })

  it('clips a diverging trajectory to the frame and says so in the legend', () => {
    const frame = plotFrame(svg)
    const pieces = pathPoints(attribute(elementsWithClass(svg, 'trajectory')[2], 'd'))
    for (const [x, y] of pieces.flat()) {
      expect(x).toBeGreaterThanOrEqual(frame.left - 0.01)
      expect(x).toBeLessThanOrEqual(frame.right + 0.01)
      expect(y).toBeGreaterThanOrEqual(frame.top - 0.01)
      expect(y).toBeLessThanOrEqual(frame.bottom + 0.01)
    }
    // it leaves through the top edge y = 3 on the segment (-1, 2.5) → (5, 40)
    const exit = pieces[0][pieces[0].length - 1]
    expect(exit[1]).toBeCloseTo(frame.top, 1)
    expect(svg).toContain('>diverges (diverged)</text>')
    expect(svg).not.toMatch(/NaN|Infinity|e\+/)
  })

  it('marks starts and ends inside the domain only', () => {
    // 'line' and 'diverges' share their start: one neutral circle for both
    const starts = elementsWithClass(svg, 'start')
    expect(starts).toHaveLength(2)
    expect(starts.filter((s) => s.includes('stroke="#333333"'))).toHaveLength(1)
    expect(elementsWithClass(svg, 'end')).toHaveLength(2)
    expect(elementsWithClass(svg, 'marker')).toHaveLength(1)
  })

  it('draws the log-spaced levels, one contour path per level', () => {
    const contoursDrawn = elementsWithClass(svg, 'contour')
    expect(contoursDrawn).toHaveLength(24)
    // in words: the levels, and the factor 10^(5/24) ≈ 1.62 between their heights above the lowest f
    expect(svg).toContain('24 contour lines from f = ')
    expect(svg).toContain('each 1.62× further above the lowest f in view than the one below')
    expect(svg).not.toContain('min on grid')
    const linear = contourPlot({ f: (x, y) => x * x + y * y, xDomain: [-1, 1], yDomain: [-1, 1], title: 'bowl', levels: [0.25, 0.5, 1] })
    expect(elementsWithClass(linear, 'contour')).toHaveLength(3)
  })

  it('escapes hostile names and titles', () => {
    const hostile = '</text><script>alert(1)</script>&'
    const out = contourPlot({
      f: rosenbrock,
      xDomain: [-2, 2],
      yDomain: [-1, 3],
      resolution: 30,
      title: hostile,
      xLabel: '<x>',
      trajectories: [{ name: hostile, points: [[0, 0], [1, 1]] }]
    })
    expect(out).not.toContain('<script')
    expect(out).toContain('&lt;/text&gt;&lt;script&gt;')
    expect(wellFormedProblems(out)).toEqual([])
  })

  it('survives a function that is undefined in places, and degenerate domains', () => {
    const out = contourPlot({ f: (x, y) => Math.log(x) + y, xDomain: [-1, 1], yDomain: [2, 2], resolution: 40, title: 'log' })
    expect(wellFormedProblems(out)).toEqual([])
    expect(out).not.toMatch(/NaN|Infinity/)
    const flat = contourPlot({ f: () => 1, xDomain: [0, 1], yDomain: [0, 1], resolution: 20, title: 'flat' })
    expect(flat).toContain('no contour levels')
  })
})

describe('lossPlot', () => {
  it('is well-formed, with one path per series, steps and log values mapped through the scales', () => {
    const svg = lossPlot({ title: 'loss', series: [{ name: 'a', values: [100, 10, 1, 0.1, 0.01] }, { name: 'b', values: [50, 5] }] })
    expect(wellFormedProblems(svg)).toEqual([])
    const paths = elementsWithClass(svg, 'series')
    expect(paths).toHaveLength(2)
    const [a] = pathPoints(attribute(paths[0], 'd'))
    expect(a).toHaveLength(5)
    const frame = plotFrame(svg)
    expect(a[0][0]).toBeCloseTo(frame.left + 3, 1) // loss clip is 3px wider than the frame
    expect(a[4][0]).toBeCloseTo(frame.right - 3, 1)
    // equal ratios are equal steps on a log axis: 100 … 0.01 is 4 decades, the axis spans 10⁻² … 10²
    const dy = a.slice(1).map((p, k) => p[1] - a[k][1])
    for (const step of dy) expect(step).toBeCloseTo(dy[0], 1)
    expect(a[0][1]).toBeCloseTo(frame.top + 3, 1)
    expect(a[4][1]).toBeCloseTo(frame.bottom - 3, 1)
    expect(svg).toContain('>10²</text>')
    expect(svg).toContain('>10⁻²</text>')
    expect(svg).not.toContain('note:')
  })

  it('clips zeros, negatives and non-finite values and says so', () => {
    const svg = lossPlot({ title: 'loss', series: [{ name: 'a', values: [1, 0.1, 0, -1, NaN, 0.01, Infinity] }] })
    expect(wellFormedProblems(svg)).toEqual([])
    expect(svg).toContain('a reaches f = 0 at step 2: ▼ on the bottom edge, as a log axis cannot show f ≤ 0; 2 non-finite values (NaN or ±∞) left out')
    // the line stops at the last positive value: [1, 0.1] then [0.01] alone (a dot); no point on the bottom edge
    const pieces = pathPoints(attribute(elementsWithClass(svg, 'series')[0], 'd'))
    expect(pieces.map((p) => p.length)).toEqual([2, 1])
    const frame = plotFrame(svg)
    // one ▼ where the stretch ≤ 0 starts (step 2 of 0…6), its tip on the bottom edge
    const drops = elementsWithClass(svg, 'nonpositive')
    expect(drops).toHaveLength(1)
    const tip = attribute(drops[0], 'points').split(' ')[2].split(',').map(Number)
    expect(tip[0]).toBeCloseTo(frame.left + 3 + (2 / 6) * (frame.right - frame.left - 6), 1)
    expect(svg).toContain('loss (log scale)')
    expect(svg).toContain('step (linear scale)')
  })

  it('caps a diverging run instead of flattening the others', () => {
    const svg = lossPlot({ title: 'race', series: [{ name: 'ok', values: [10, 1, 0.1] }, { name: 'blows up', values: [10, 1e50, 1e200] }] })
    expect(svg).toContain('2 values above 10000 drawn on the top edge')
    expect(svg).not.toContain('10²⁰⁰')
  })

  it('has a linear mode', () => {
    const svg = lossPlot({ title: 'lin', logY: false, series: [{ name: 'a', values: [-1, 0, 1] }] })
    expect(wellFormedProblems(svg)).toEqual([])
    const [pts] = pathPoints(attribute(elementsWithClass(svg, 'series')[0], 'd'))
    expect(pts[1][1]).toBeCloseTo((pts[0][1] + pts[2][1]) / 2, 1)
  })

  it('reduces long series per pixel column without changing the picture', () => {
    const values = Array.from({ length: 100000 }, (_, k) => 1 / (k + 1))
    const svg = lossPlot({ title: 'long', series: [{ name: 'a', values }] })
    const [pts] = pathPoints(attribute(elementsWithClass(svg, 'series')[0], 'd'))
    expect(pts.length).toBeLessThan(4 * 820)
    const frame = plotFrame(svg)
    expect(pts[pts.length - 1][0]).toBeCloseTo(frame.right - 3, 1)
    expect(Math.max(...pts.map((p) => p[1]))).toBeCloseTo(frame.bottom - 3, 1)
  })

  it('escapes series names', () => {
    const svg = lossPlot({ title: 't', series: [{ name: '</text><script>', values: [1, 2] }] })
    expect(svg).not.toContain('<script')
    expect(wellFormedProblems(svg)).toEqual([])
  })
})

describe('plotDomain', () => {
  it('covers starts, ends, markers and nearby points, padded and nice', () => {
    const d = plotDomain([{ name: 'a', points: [[-1.5, 2], [0, 2.6], [1, 1]] }], [{ point: [1, 1], label: 'min' }])
    // box x ∈ [-1.5, 1], y ∈ [1, 2.6]; padded by 10% of each span to [-1.75, 1.25] × [0.84, 2.76],
    // then rounded outwards to d3's tick steps (0.5 and 0.2)
    expect(d.xDomain).toEqual([-2, 1.5])
    expect(d.yDomain).toEqual([0.8, 2.8])
  })

  it('ignores a run that diverged', () => {
    const d = plotDomain([
      { name: 'ok', points: [[0, 0], [1, 1]] },
      { name: 'bad', points: [[0, 0], [50, -80], [1e9, 1e9], [NaN, NaN]] }
    ])
    expect(d.xDomain[1]).toBeLessThan(2)
    expect(d.yDomain[0]).toBeGreaterThan(-1)
  })

  it('widens a single point', () => {
    expect(plotDomain([{ name: 'p', points: [[2, 3]] }])).toEqual({ xDomain: [1, 3], yDomain: [2, 4] })
    expect(plotDomain([])).toEqual({ xDomain: [-1, 1], yDomain: [-1, 1] })
  })
})

describe('simplify', () => {
  it('keeps the ends and every point farther than the tolerance from its neighbours’ segment', () => {
    // a run along y = 0 with a bump to (3, 2): the bump is farthest from (0,0)–(6,0) and stays; then
    // (2, −0.1) is |2·2 + 0.1·3|/√13 ≈ 1.19 from (0,0)–(3,2) and (4, 0) is |−2 + 6|/√13 ≈ 1.11 from (3,2)–(6,0):
    // both stay; (1, 0.1) and (5, 0.05) are within 0.1 of their new segments and go
    const line: Point[] = [[0, 0], [1, 0.1], [2, -0.1], [3, 2], [4, 0], [5, 0.05], [6, 0]]
    expect(simplify(line, 1)).toEqual([[0, 0], [2, -0.1], [3, 2], [4, 0], [6, 0]])
    expect(simplify(line, 0.01)).toEqual(line)
  })

  it('keeps the turning point of a path that doubles back on itself', () => {
    // out to x = 10 and back: every point lies on the line through the ends, but not on the segment
    const back: Point[] = [[0, 0], [5, 0], [10, 0], [5, 0], [1, 0]]
    expect(simplify(back, 0.5)).toEqual([[0, 0], [10, 0], [1, 0]])
  })

  it('handles 50,000 points, a zigzag where every point stays, without overflowing the stack', () => {
    const zigzag: Point[] = Array.from({ length: 50_000 }, (_, k) => [k, 10 * (k % 2)])
    expect(simplify(zigzag, 0.25)).toHaveLength(50_000)
    // a straight line keeps its ends and the ends of its 512-point stretches: ⌈199999/512⌉ + 1 points
    const smooth: Point[] = Array.from({ length: 200_000 }, (_, k) => [k / 1000, 0])
    const kept = simplify(smooth, 0.25)
    expect(kept).toHaveLength(Math.ceil(199_999 / 512) + 1)
    expect(kept[0]).toEqual([0, 0])
    expect(kept[kept.length - 1]).toEqual([199.999, 0])
  })
})

describe('contourPlot, many paths', () => {
  const line = (name: string, to: Point): Trajectory => ({ name, points: [[-1.5, 2], [(to[0] - 1.5) / 2, (to[1] + 2) / 2], to] })
  const trajectories: Trajectory[] = [
    line('a', [1, 1]),
    line('b', [0.5, 0.25]),
    line('c', [0, 0]),
    line('d', [-1, 1]),
    line('e', [1, 1]),
    { name: 'f', points: [[-1.5, 2], [1.5, 8], [1.2, 1.4]] }
  ]
  const svg = contourPlot({ f: rosenbrock, xDomain: [-2, 2], yDomain: [-1, 3], title: 'many', trajectories, markers: [{ point: [1, 1], label: 'minimum' }] })

  it('draws identical paths once, under a joint label', () => {
    expect(wellFormedProblems(svg)).toEqual([])
    // a and e are the same path: five distinct ones
    const overview = svg.split('<g class="panel">')[1]
    expect(elementsWithClass(overview, 'trajectory')).toHaveLength(5)
    expect(svg).toContain('data-name="a = e"')
    expect(svg).toContain('>= e</text>')
  })

  it('is small multiples: an overview panel, then one panel per distinct path, on the same contours', () => {
    const panels = svg.split('<g class="panel">').slice(1)
    expect(panels).toHaveLength(6)
    expect(panels[0]).toContain('all 5 paths together')
    panels.slice(1).forEach((panel) => expect(elementsWithClass(panel, 'trajectory')).toHaveLength(1))
    const levels = panels.map((panel) => elementsWithClass(panel, 'contour').length)
    expect(new Set(levels).size).toBe(1)
    expect(levels[0]).toBeGreaterThan(10)
    // distinct colours for the five paths
    const colours = elementsWithClass(panels[0], 'trajectory').map((p) => attribute(p, 'stroke'))
    expect(new Set(colours).size).toBe(5)
  })

  it('says when a path leaves the window, and draws end markers over the star', () => {
    expect(svg).toContain('note: f leaves the window: drawn up to its edge')
    expect(svg).toContain('>(leaves the window)</text>')
    const panel = svg.split('<g class="panel">')[1]
    expect(panel.indexOf('class="marker"')).toBeLessThan(panel.indexOf('class="end"'))
    expect(panel.lastIndexOf('class="marker"')).toBeLessThan(panel.lastIndexOf('class="end"'))
  })

  it('keeps one frame with a legend for up to four paths', () => {
    const few = contourPlot({ f: rosenbrock, xDomain: [-2, 2], yDomain: [-1, 3], title: 'few', trajectories: trajectories.slice(0, 4) })
    expect(few).not.toContain('class="panel"')
    expect(elementsWithClass(few, 'trajectory')).toHaveLength(4)
  })
})

describe('contour levels', () => {
  /** Rings of one contour path smaller than `cell` px² (islands that make a level look dotted). */
  const islands = (d: string, cell: number): number =>
    d
      .split('Z')
      .filter((ring) => ring.includes('M'))
      .map((ring) => pathPoints(ring.replace(/^[^M]*/, ''))[0])
      .filter((ring) => {
        let a = 0
        for (let i = 1; i < ring.length; i++) a += ring[i - 1][0] * ring[i][1] - ring[i][0] * ring[i - 1][1]
        return Math.abs(a) / 2 < cell
      }).length

  it('draws no level of Rosenbrock as a broken line: the grid is refined, and a level it still cannot draw is left out and counted', () => {
    const svg = contourPlot({ f: rosenbrock, xDomain: [-2, 2], yDomain: [-1, 3], title: 'r' })
    const paths = elementsWithClass(svg, 'contour')
    for (const p of paths) expect(islands(attribute(p, 'd'), 4)).toBeLessThan(3)
    // on the coarse grid alone (fixed resolution 120) the lowest levels do break up
    const coarse = contourPlot({ f: rosenbrock, xDomain: [-2, 2], yDomain: [-1, 3], title: 'r', resolution: 120 })
    expect(coarse).toMatch(/\d+ lower levels? too narrow to draw at this size left out/)
    expect(elementsWithClass(coarse, 'contour').length).toBeLessThan(24)
  })
})

describe('bounded output', () => {
  it('a 200,000-step zigzag path and loss curve stay well under 1 MB', () => {
    let x = -1.5
    let y = 2
    const points: Point[] = [[x, y]]
    const values: number[] = [rosenbrock(x, y)]
    for (let k = 1; k <= 200_000; k++) {
      x += (1 - x) * 1e-4 + (k % 2 === 0 ? 0.01 : -0.01)
      y += (1 - y) * 1e-4
      points.push([x, y])
      values.push(rosenbrock(x, y))
    }
    const contour = contourPlot({ f: rosenbrock, xDomain: [-2, 2], yDomain: [-1, 3], title: 'long', trajectories: [{ name: 'zigzag', points }] })
    const loss = lossPlot({ title: 'long', series: [{ name: 'zigzag', values }] })
    expect(contour.length + loss.length).toBeLessThan(1_000_000)
    expect(wellFormedProblems(contour)).toEqual([])
  })
})

describe('lossFigure scales', () => {
  it('takes a log step axis when the runs’ active lengths differ a hundredfold, and says so on the axis', () => {
    const slow = Array.from({ length: 5001 }, (_, k) => Math.exp(-k / 500))
    const fast = Array.from({ length: 5001 }, (_, k) => (k < 15 ? 10 ** -k : 0))
    const auto = lossFigure({ title: 't', series: [{ name: 'slow', values: slow }, { name: 'newton', values: fast }] })
    expect(auto.logX).toBe(true)
    expect(auto.logY).toBe(true)
    expect(auto.svg).toContain('step (log scale)')
    // step 0 has its own tick, half a decade left of step 1
    expect(auto.svg).toContain('>0</text>')
    const same = lossFigure({ title: 't', series: [{ name: 'a', values: slow }, { name: 'b', values: slow.map((v) => v * 2) }] })
    expect(same.logX).toBe(false)
    expect(same.svg).toContain('step (linear scale)')
    expect(lossFigure({ title: 't', logX: true, series: [{ name: 'a', values: slow }] }).logX).toBe(true)
    expect(lossFigure({ title: 't', logX: false, series: [{ name: 'a', values: slow }, { name: 'newton', values: fast }] }).logX).toBe(false)
  })

  it('reports a linear f axis when nothing is positive, and names it', () => {
    const fig = lossFigure({ title: 't', series: [{ name: 'a', values: [0, -1, -2] }] })
    expect(fig.logY).toBe(false)
    expect(fig.svg).toContain('loss (linear scale)')
    expect(fig.svg).toContain('no positive values, so the f axis is linear')
  })

  it('draws samples at their steps', () => {
    const svg = lossPlot({ title: 't', logX: false, series: [{ name: 'a', values: [1, 0.5, 0.25], steps: [0, 50, 100] }, { name: 'b', values: [1, 0.1] }] })
    const frame = plotFrame(svg)
    const [a] = pathPoints(attribute(elementsWithClass(svg, 'series')[0], 'd'))
    expect(a[1][0]).toBeCloseTo((a[0][0] + a[2][0]) / 2, 1)
    expect(a[2][0]).toBeCloseTo(frame.right - 3, 1)
  })
})
