/**
 * The playground page: state in the URL, the library's numbers from the
 * engine, drawn with plain DOM and SVG. One state value; every change goes
 * through `update`, which writes the URL and redraws what depends on it.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Problem } from '../../src/cli/problem.js'
import { h, specEditor, formOf } from './editor.js'
import { type Analysis, type Entry, alongGradient, analyseAt, loadSurface, race } from './engine.js'
import { type PageState, type Point, decodePoint, decodeState, decodeSteps, encodeState } from './state.js'
import { type Window, kappaOf, quadratic, surfaceOf, surfaces, windowOf } from './surfaces.js'
import { arrow, contourLayer, el, lineChart, mapAxes, mapFrame, mapScales, trajectory } from './svg.js'

// -------------------------------------------------------------------------------------
// state
// -------------------------------------------------------------------------------------

/** Distinct on white and for the common colour-vision deficiencies (Okabe & Ito), then a few more. */
const palette = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#8C564B', '#7F7F7F', '#BCBD22']
const colourOf = (i: number): string => palette[i % palette.length]

const decoded = decodeState(location.search)
let state: PageState = decoded.state
let clickSets: 'start' | 'at' = 'start'

interface Surface {
  readonly f: string
  readonly problem: E.Either<string, Problem>
  readonly window: Window
  contours?: SVGElement
}

let surface: Surface = loadSurfaceFor(state.f, [state.from, ...(state.at === null ? [] : [state.at])])
let entries: readonly Entry[] = []
let raceKey = ''
let analysis: E.Either<string, Analysis> | undefined
let analysisKey = ''

function loadSurfaceFor(f: string, points: readonly Point[]): Surface {
  return { f, problem: loadSurface(f), window: windowOf(f, points) }
}

const lastStep = (): number => state.steps
const shownStep = (): number => state.t ?? lastStep()

/**
 * Browsers ignore a page that rewrites its URL too often (Chromium: about
 * 200 times in 10 s), so a continuous change (a drag, playback, a held key)
 * writes it at most every 100 ms, and once more when it settles.
 */
const urlInterval = 100
let lastUrlWrite = -Infinity
let urlTimer: ReturnType<typeof setTimeout> | undefined
const writeUrl = (): void => {
  if (urlTimer !== undefined) clearTimeout(urlTimer)
  urlTimer = undefined
  lastUrlWrite = performance.now()
  history.replaceState(null, '', encodeState(state))
}
const writeUrlSoon = (): void => {
  const wait = lastUrlWrite + urlInterval - performance.now()
  if (wait <= 0) writeUrl()
  else urlTimer ??= setTimeout(writeUrl, wait)
}

/** Apply a change: the URL (now, or soon for a `continuous` one), then what it touches, then the drawing. */
const update = (patch: Partial<PageState>, continuous = false): void => {
  state = { ...state, ...patch }
  if (continuous) writeUrlSoon()
  else writeUrl()
  render()
}

// -------------------------------------------------------------------------------------
// computing
// -------------------------------------------------------------------------------------

const recompute = (): void => {
  if (surface.f !== state.f) surface = loadSurfaceFor(state.f, [state.from, ...(state.at === null ? [] : [state.at])])
  const problem = surface.problem
  const key = JSON.stringify([state.f, state.from, state.optimizers, state.steps])
  if (key !== raceKey) {
    raceKey = key
    entries = E.isRight(problem) ? race(problem.right, state.from, state.optimizers, state.steps) : []
  }
  const aKey = JSON.stringify([state.f, state.at])
  if (aKey !== analysisKey) {
    analysisKey = aKey
    analysis = E.isRight(problem) && state.at !== null ? analyseAt(problem.right, state.at) : undefined
  }
}

// -------------------------------------------------------------------------------------
// formatting
// -------------------------------------------------------------------------------------

/** Six significant digits for reading; the data-* attributes carry the exact numbers. */
const show = (v: number | null | undefined): string => {
  if (v === null || v === undefined) return '–'
  if (!Number.isFinite(v)) return String(v)
  if (v === 0) return '0'
  const a = Math.abs(v)
  return a >= 1e6 || a < 1e-4 ? v.toExponential(4) : String(Number(v.toPrecision(6)))
}
const showPoint = (p: readonly number[]): string => `(${p.map(show).join(', ')})`

/** Round a picked coordinate to a thousandth of the window, so the URL stays short. */
const roundTo = (v: number, span: number): number => {
  const digits = Math.max(0, Math.ceil(-Math.log10(span / 1000)))
  return Number(v.toFixed(digits))
}

// -------------------------------------------------------------------------------------
// the setup panel
// -------------------------------------------------------------------------------------

const byId = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T

const surfaceSelect = byId<HTMLSelectElement>('surface')
const fInput = byId<HTMLInputElement>('f')
const fError = byId<HTMLPreElement>('f-error')
const kappaRow = byId<HTMLDivElement>('kappa-row')
const kappaInput = byId<HTMLInputElement>('kappa')
const kappaValue = byId<HTMLOutputElement>('kappa-value')
const fromInput = byId<HTMLInputElement>('from')
const stepsInput = byId<HTMLInputElement>('steps')
const atInput = byId<HTMLInputElement>('at')
const pointError = byId<HTMLParagraphElement>('from-error')

for (const s of surfaces) surfaceSelect.append(h('option', { value: s.id }, s.name))
surfaceSelect.append(h('option', { value: 'typed' }, 'typed expression'))

/** Why the typed expression does not parse; the field keeps its text while the user fixes it, the page the last good surface. */
let typedError: string | undefined

surfaceSelect.addEventListener('change', () => {
  const chosen = surfaces.find((s) => s.id === surfaceSelect.value)
  if (chosen === undefined) {
    fInput.focus()
    return
  }
  typedError = undefined
  update({ f: chosen.expression, from: chosen.start, at: chosen.at, t: null })
})

const applyExpression = (): void => {
  const text = fInput.value
  const loaded = loadSurface(text)
  if (E.isLeft(loaded)) {
    typedError = loaded.left
    renderSetup()
    return
  }
  typedError = undefined
  if (text !== state.f) {
    surface = { f: text, problem: loaded, window: windowOf(text, [state.from, ...(state.at === null ? [] : [state.at])]) }
    update({ f: text, t: null })
  } else renderSetup()
}
fInput.addEventListener('change', applyExpression)
fInput.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') applyExpression()
})

kappaInput.addEventListener('input', () => {
  const kappa = Number((10 ** Number(kappaInput.value)).toPrecision(3))
  update({ f: quadratic(kappa), t: null })
})

/** The three point and count fields: a bad one keeps its text and says why; the state keeps the last good value. */
const fieldErrors = new Map<string, string>()
const pointField = (input: HTMLInputElement, name: string, apply: (text: string) => string | undefined): void => {
  input.addEventListener('change', () => {
    const problem = apply(input.value)
    if (problem === undefined) fieldErrors.delete(name)
    else fieldErrors.set(name, `${name}: ${problem}`)
    renderSetup()
  })
}
pointField(fromInput, 'start', (text) => {
  const p = decodePoint(text)
  if (typeof p === 'string') return p
  update({ from: p })
  return undefined
})
pointField(stepsInput, 'steps', (text) => {
  const n = decodeSteps(text)
  if (typeof n === 'string') return n
  update({ steps: n, t: null })
  return undefined
})
pointField(atInput, 'point to analyse', (text) => {
  if (text.trim() === '') {
    update({ at: null })
    return undefined
  }
  const p = decodePoint(text)
  if (typeof p === 'string') return p
  update({ at: p })
  return undefined
})

for (const radio of document.querySelectorAll<HTMLInputElement>('input[name=click]')) {
  radio.addEventListener('change', () => {
    if (radio.checked) clickSets = radio.value === 'at' ? 'at' : 'start'
  })
}

/** Show the state in a field, unless the user is typing in it (a drag or playback redraws meanwhile). */
const setField = (input: HTMLInputElement, value: string): void => {
  if (document.activeElement !== input) input.value = value
}

const renderSetup = (): void => {
  const listed = surfaceOf(state.f)
  surfaceSelect.value = listed?.id ?? 'typed'
  if (typedError === undefined) setField(fInput, state.f)
  fError.hidden = typedError === undefined
  fError.textContent = typedError ?? ''
  fInput.setAttribute('aria-invalid', String(typedError !== undefined))
  const kappa = kappaOf(state.f)
  kappaRow.hidden = kappa === undefined
  if (kappa !== undefined) {
    kappaInput.value = String(Math.log10(kappa))
    kappaValue.textContent = String(kappa)
  }
  if (!fieldErrors.has('start')) setField(fromInput, state.from.join(','))
  if (!fieldErrors.has('steps')) setField(stepsInput, String(state.steps))
  if (!fieldErrors.has('point to analyse')) setField(atInput, state.at === null ? '' : state.at.join(','))
  fromInput.setAttribute('aria-invalid', String(fieldErrors.has('start')))
  stepsInput.setAttribute('aria-invalid', String(fieldErrors.has('steps')))
  atInput.setAttribute('aria-invalid', String(fieldErrors.has('point to analyse')))
  pointError.hidden = fieldErrors.size === 0
  pointError.textContent = [...fieldErrors.values()].join('\n')
}

// -------------------------------------------------------------------------------------
// the optimizer list
// -------------------------------------------------------------------------------------

const optimizerList = byId<HTMLOListElement>('optimizers')
const addKind = byId<HTMLSelectElement>('add-kind')
const addButton = byId<HTMLButtonElement>('add')

const additions: readonly (readonly [string, string])[] = [
  ['Adam as a pipeline: ewma ∘ rms ∘ sgd', '[{"ewma": {"beta": 0.9, "debias": true}}, {"rms": {"rho": 0.999, "eps": 1e-8, "debias": true}}, {"sgd": {"lr": 0.05}}]'],
  ['momentum ∘ sgd', '[{"momentum": {"beta": 0.9}}, {"sgd": {"lr": 0.001}}]'],
  ['sgd', '{"sgd": {"lr": 0.001}}'],
  ['adam', '{"adam": {"lr": 0.05}}'],
  ['rmsprop', '{"rmsprop": {"lr": 0.01}}'],
  ['adagrad', '{"adagrad": {"lr": 0.5}}'],
  ['nadam', '{"nadam": {"lr": 0.05}}'],
  ['lion', '{"lion": {"lr": 0.01}}'],
  ['Newton-CG (trust radius 0.5)', '{"newton": {"radius": 0.5}}'],
  ['saddle-free Newton', 'saddle-free-newton']
]
additions.forEach(([name], i) => addKind.append(h('option', { value: String(i) }, name)))
addButton.addEventListener('click', () => {
  const chosen = additions[Number(addKind.value)]
  if (chosen !== undefined) update({ optimizers: [...state.optimizers, chosen[1]] })
})

const setSpec = (i: number, text: string): void => update({ optimizers: state.optimizers.map((s, j) => (j === i ? text : s)) })

const renderOptimizers = (): void => {
  const focused = (document.activeElement as HTMLElement | null)?.dataset?.key
  optimizerList.replaceChildren()
  state.optimizers.forEach((text, i) => {
    const entry = entries[i]
    const key = `o${i}`
    const name = entry?.kind === 'run' ? entry.label : `optimizer ${i + 1}`
    const move = (j: number): void => {
      const next = [...state.optimizers]
      ;[next[i], next[j]] = [next[j], next[i]]
      update({ optimizers: next })
    }
    const remove = h('button', { type: 'button', 'aria-label': `remove ${name}`, title: 'remove', 'data-key': `${key}-remove` }, '✕')
    remove.addEventListener('click', () => update({ optimizers: state.optimizers.filter((_, j) => j !== i) }))
    const up = h('button', { type: 'button', 'aria-label': `move ${name} up`, title: 'move up', 'data-key': `${key}-up`, disabled: i === 0 }, '↑')
    up.addEventListener('click', () => move(i - 1))
    const down = h('button', { type: 'button', 'aria-label': `move ${name} down`, title: 'move down', 'data-key': `${key}-down`, disabled: i === state.optimizers.length - 1 }, '↓')
    down.addEventListener('click', () => move(i + 1))
    const textId = `${key}-text`
    const area = h('textarea', { id: textId, 'data-key': textId, rows: '2', spellcheck: 'false', 'aria-label': `${name}: spec text` })
    area.value = text
    area.addEventListener('change', () => setSpec(i, area.value))
    const structured = formOf(text).kind !== 'text'
    const details = h('details', { open: !structured }, h('summary', {}, 'spec text (JSON, as the command line takes it)'), area)
    const error = entry?.kind === 'error' ? h('p', { class: 'error', role: 'alert' }, entry.message) : ''
    const li = h(
      'li',
      { style: `--colour: ${colourOf(i)}` },
      h('div', { class: 'entry-head' }, h('span', { class: 'name' }, name), up, down, remove),
      specEditor(text, key, name, (next) => setSpec(i, next)),
      details,
      error
    )
    optimizerList.append(li)
  })
  if (focused !== undefined) {
    const again = optimizerList.querySelector<HTMLElement>(`[data-key="${CSS.escape(focused)}"]`)
    if (again !== null && !(again as HTMLButtonElement).disabled) again.focus()
  }
}

// -------------------------------------------------------------------------------------
// the map
// -------------------------------------------------------------------------------------

const map = byId<HTMLElement>('map') as unknown as SVGSVGElement
map.setAttribute('viewBox', `0 0 ${mapFrame.width} ${mapFrame.height}`)

const renderMap = (): void => {
  map.replaceChildren()
  const problem = surface.problem
  const s = mapScales(surface.window)
  if (E.isLeft(problem)) {
    map.append(el('text', { x: mapFrame.width / 2, y: mapFrame.height / 2, 'text-anchor': 'middle' }, 'No surface: fix the expression.'))
    return
  }
  if (surface.contours === undefined) surface.contours = contourLayer(problem.right.value, surface.window, s)
  const f = mapFrame
  map.append(
    el('defs', {}, el('clipPath', { id: 'plot-area' }, el('rect', { x: f.left, y: f.top, width: f.width - f.left - f.right, height: f.height - f.top - f.bottom })))
  )
  map.append(surface.contours, mapAxes(surface.window, s, problem.right.vars))
  const paths = el('g', { 'clip-path': 'url(#plot-area)' })
  const t = shownStep()
  entries.forEach((entry, i) => {
    if (entry.kind === 'run') paths.append(trajectory(entry.run.trail, t, s, colourOf(i), entry.label))
  })
  if (analysis !== undefined && E.isRight(analysis)) paths.append(analysisOverlay(analysis.right, s))
  const [sx, sy] = [s.x(state.from[0]), s.y(state.from[1])]
  paths.append(
    el('g', { id: 'start-marker' }, el('title', {}, `start ${showPoint(state.from)}`), el('circle', { cx: sx, cy: sy, r: 7, fill: 'white', stroke: '#1d2730', 'stroke-width': 2.5 }), el('circle', { cx: sx, cy: sy, r: 2.5, fill: '#1d2730' }))
  )
  map.append(paths)
}

/** The analysed point: the eigen-directions (green where f curves up, red down), and −∇f. */
const analysisOverlay = (a: Analysis, s: ReturnType<typeof mapScales>): SVGElement => {
  const [x, y] = a.json.point
  const w = surface.window
  const reach = 0.12 * (w.x1 - w.x0)
  const g = el('g', { class: 'analysis-overlay' })
  const [gx, gy] = a.json.gradient
  const norm = Math.hypot(gx, gy)
  const tip: Point = norm > 0 ? [x - (1.4 * reach * gx) / norm, y - (1.4 * reach * gy) / norm] : [x, y]
  const inside = ([px, py]: Point): boolean => px >= w.x0 && px <= w.x1 && py >= w.y0 && py <= w.y1
  a.json.eigenvectors.forEach((v, i) => {
    const lambda = a.json.eigenvalues[i]
    const colour = lambda > 0 ? '#1b7837' : lambda < 0 ? '#b2182b' : '#666'
    g.append(el('line', { x1: s.x(x - reach * v[0]), y1: s.y(y - reach * v[1]), x2: s.x(x + reach * v[0]), y2: s.y(y + reach * v[1]), stroke: colour, 'stroke-width': 3, 'stroke-linecap': 'round', opacity: 0.85 }))
    // the label at the end away from the arrow, unless that end is off the map
    const ends: Point[] = [[x + reach * v[0], y + reach * v[1]], [x - reach * v[0], y - reach * v[1]]]
    ends.sort((p, q) => Math.hypot(q[0] - tip[0], q[1] - tip[1]) - Math.hypot(p[0] - tip[0], p[1] - tip[1]))
    const end = ends.find(inside) ?? ends[0]
    const lx = s.x(end[0])
    const anchor = lx > (mapFrame.width * 2) / 3 ? 'end' : lx < mapFrame.width / 3 ? 'start' : 'middle'
    g.append(el('text', { x: lx, y: s.y(end[1]) + (end[1] >= y ? -7 : 15), 'text-anchor': anchor, class: 'label', fill: colour }, `λ${i + 1} = ${show(lambda)}`))
  })
  if (norm > 0) {
    g.append(arrow(s.x(x), s.y(y), s.x(tip[0]), s.y(tip[1]), '#1d2730', 2))
    g.append(el('text', { x: s.x(tip[0]) + (gx > 0 ? -4 : 4), y: s.y(tip[1]) + (gy > 0 ? 14 : -6), 'text-anchor': gx > 0 ? 'end' : 'start', class: 'label' }, '−∇f'))
  }
  g.append(el('rect', { x: s.x(x) - 4, y: s.y(y) - 4, width: 8, height: 8, fill: '#f5a623', stroke: '#1d2730', 'stroke-width': 1.5 }, el('title', {}, `analysed point ${showPoint(a.json.point)}`)))
  return g
}

/** A pointer or key picked a point: it becomes the start or the analysed point. */
const pick = (which: 'start' | 'at', p: readonly [number, number], continuous = false): void => {
  const w = surface.window
  const point: Point = [roundTo(p[0], w.x1 - w.x0), roundTo(p[1], w.y1 - w.y0)]
  fieldErrors.delete(which === 'start' ? 'start' : 'point to analyse')
  update(which === 'start' ? { from: point } : { at: point }, continuous)
}

const pointerPoint = (e: PointerEvent): readonly [number, number] => {
  const m = map.getScreenCTM()
  if (m === null) return [NaN, NaN]
  const q = new DOMPoint(e.clientX, e.clientY).matrixTransform(m.inverse())
  return mapScales(surface.window).invert(q.x, q.y)
}

let dragging: 'start' | 'at' | undefined
let pending: PointerEvent | undefined
map.addEventListener('pointerdown', (e) => {
  if (E.isLeft(surface.problem)) return
  const onStart = (e.target as Element).closest('#start-marker') !== null
  dragging = onStart ? 'start' : clickSets
  map.setPointerCapture(e.pointerId)
  // no text selection or scrolling while dragging, but the map takes the focus, so the fields show the new point
  e.preventDefault()
  map.focus({ preventScroll: true })
  pick(dragging, pointerPoint(e))
})
map.addEventListener('pointermove', (e) => {
  if (dragging === undefined) return
  // one redraw per frame however fast the pointer moves
  if (pending === undefined) {
    requestAnimationFrame(() => {
      if (pending !== undefined && dragging !== undefined) pick(dragging, pointerPoint(pending), true)
      pending = undefined
    })
  }
  pending = e
})
const endDrag = (): void => {
  dragging = undefined
  if (urlTimer !== undefined) writeUrl()
}
map.addEventListener('pointerup', endDrag)
map.addEventListener('pointercancel', endDrag)
map.addEventListener('keydown', (e) => {
  const moves: Readonly<Record<string, readonly [number, number]>> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }
  const d = moves[e.key]
  if (d === undefined) return
  e.preventDefault()
  const w = surface.window
  const stride = (e.shiftKey ? 0.1 : 0.01) * (w.x1 - w.x0)
  const from = clickSets === 'at' ? state.at ?? state.from : state.from
  pick(clickSets, [from[0] + d[0] * stride, from[1] + d[1] * stride], e.repeat)
})

// -------------------------------------------------------------------------------------
// playback, the race table and the loss plot
// -------------------------------------------------------------------------------------

const tInput = byId<HTMLInputElement>('t')
const tValue = byId<HTMLOutputElement>('t-value')
const playButton = byId<HTMLButtonElement>('play')
let playing: number | undefined

const showStep = (t: number, continuous = false): void => update({ t: t >= lastStep() ? null : Math.max(0, t) }, continuous)
const stopPlaying = (): void => {
  if (playing !== undefined) cancelAnimationFrame(playing)
  playing = undefined
  if (urlTimer !== undefined) writeUrl()
  playButton.textContent = '▶ play'
  playButton.setAttribute('aria-label', 'Play')
}
playButton.addEventListener('click', () => {
  if (playing !== undefined) return stopPlaying()
  if (shownStep() >= lastStep()) showStep(0)
  playButton.textContent = '⏸ pause'
  playButton.setAttribute('aria-label', 'Pause')
  const stride = Math.max(1, Math.round(lastStep() / 240))
  const frame = (): void => {
    const next = shownStep() + stride
    showStep(next, next < lastStep())
    if (next >= lastStep()) stopPlaying()
    else playing = requestAnimationFrame(frame)
  }
  playing = requestAnimationFrame(frame)
})
/** Stop playing, then show the step `to` gives. */
const stopAndShow = (to: () => number, fromSlider = false) => () => {
  stopPlaying()
  showStep(to(), fromSlider)
}
byId('first').addEventListener('click', stopAndShow(() => 0))
byId('back').addEventListener('click', stopAndShow(() => shownStep() - 1))
byId('forward').addEventListener('click', stopAndShow(() => shownStep() + 1))
byId('last').addEventListener('click', stopAndShow(lastStep))
tInput.addEventListener('input', stopAndShow(() => Number(tInput.value), true))
tInput.addEventListener('change', writeUrl)

const resultsBody = document.querySelector('#results tbody') as HTMLTableSectionElement
const lossBox = byId<HTMLDivElement>('loss')

const renderRace = (): void => {
  tInput.max = String(lastStep())
  tInput.value = String(shownStep())
  tValue.textContent = `step ${shownStep()} of ${lastStep()}`
  const t = shownStep()
  resultsBody.replaceChildren(
    ...entries.map((entry, i) => {
      if (entry.kind === 'error') {
        return h('tr', { class: 'failed', 'data-error': entry.message }, h('td', {}, h('span', { class: 'swatch', style: `--colour: ${colourOf(i)}` })), h('td', { colspan: '5' }, entry.message))
      }
      const run = entry.run
      const final = run.final
      const row = h(
        'tr',
        { 'data-optimizer': entry.label, 'data-final': final.join(','), 'data-value': String(run.value), 'data-steps': String(run.steps), 'data-stopped': run.stop.kind },
        h('td', {}, h('span', { class: 'swatch', style: `--colour: ${colourOf(i)}` })),
        h('td', {}, entry.label, ...(entry.note !== undefined ? [h('br'), h('span', { class: 'note' }, entry.note)] : [])),
        h('td', { class: 'num' }, showPoint(final)),
        h('td', { class: 'num' }, show(run.value)),
        h('td', { class: 'num' }, String(run.steps)),
        h('td', { class: 'num' }, show(run.values[Math.min(t, run.steps)]))
      )
      return row
    })
  )
  const runs = entries.flatMap((e, i) => (e.kind === 'run' ? [{ values: Array.from(e.run.values), colour: colourOf(i), label: e.label }] : []))
  lossBox.replaceChildren(
    runs.length === 0
      ? h('p', { class: 'help' }, 'No runs to plot.')
      : lineChart(runs, { width: 460, height: 230, xLabel: 'step', yLabel: 'f', xs: (k) => k, xDomain: [0, Math.max(1, lastStep())], yScale: 'log', marker: { x: t, label: `step ${t}` } })
  )
}

// -------------------------------------------------------------------------------------
// the analysis panel
// -------------------------------------------------------------------------------------

const analysisPanel = byId<HTMLElement>('analysis')
const analysisBody = byId<HTMLDivElement>('analysis-body')

const kindText: Readonly<Record<string, string>> = {
  minimum: 'a minimum: ∇f ≈ 0 and both eigenvalues > 0',
  maximum: 'a maximum: ∇f ≈ 0 and both eigenvalues < 0',
  saddle: 'a saddle: ∇f ≈ 0, eigenvalues of both signs',
  degenerate: 'degenerate: ∇f ≈ 0 and an eigenvalue ≈ 0, the second-derivative test cannot tell',
  'not-critical': 'not a critical point: ∇f ≠ 0'
}

const renderAnalysis = (): void => {
  for (const name of ['data-analysis', 'data-kind', 'data-eigenvalues', 'data-value', 'data-gradient', 'data-optimal-step', 'data-gradient-curvature', 'data-condition-number', 'data-error']) {
    analysisPanel.removeAttribute(name)
  }
  if (analysis === undefined) {
    analysisBody.replaceChildren(h('p', { class: 'help' }, state.at === null ? 'Pick “the point to analyse” and click the map, or type a point, to see the gradient and the Hessian there.' : 'No surface to analyse.'))
    return
  }
  if (E.isLeft(analysis)) {
    analysisPanel.setAttribute('data-error', analysis.left)
    analysisBody.replaceChildren(h('p', { class: 'error', role: 'alert' }, analysis.left))
    return
  }
  const a = analysis.right
  const j = a.json
  analysisPanel.setAttribute('data-analysis', j.point.join(','))
  analysisPanel.setAttribute('data-kind', j.kind)
  analysisPanel.setAttribute('data-eigenvalues', j.eigenvalues.join(','))
  analysisPanel.setAttribute('data-value', String(j.value))
  analysisPanel.setAttribute('data-gradient', j.gradient.join(','))
  analysisPanel.setAttribute('data-condition-number', String(j.conditionNumber))
  if (j.kind === 'not-critical') {
    analysisPanel.setAttribute('data-gradient-curvature', String(j.gradientCurvature))
    analysisPanel.setAttribute('data-optimal-step', String(j.optimalStep))
  }
  const [vx, vy] = j.vars
  const rows: [string, string | Node][] = [
    ['point', showPoint(j.point)],
    ['f', show(j.value)],
    [`∇f`, `${showPoint(j.gradient)}   ‖∇f‖ = ${show(a.analysis.gradientNorm)}`],
    ['Hessian', `[${j.hessian.map((r) => r.map(show).join(', ')).join(' ; ')}]`],
    ['eigenvalues', `λ1 = ${show(j.eigenvalues[0])},  λ2 = ${show(j.eigenvalues[1])}`],
    ['eigenvectors', `v1 = ${showPoint(j.eigenvectors[0])},  v2 = ${showPoint(j.eigenvectors[1])}`],
    ['condition number', j.conditionNumber === null ? 'undefined (an eigenvalue is 0)' : show(j.conditionNumber)],
    ['kind', h('span', { class: 'kind' }, kindText[j.kind] ?? j.kind)]
  ]
  const children: Node[] = []
  if (j.kind === 'not-critical') {
    rows.push(['curvature along ∇f', `${show(j.gradientCurvature)}  (gᵀHg / ‖g‖²)`])
    rows.push(['optimal step ε*', j.optimalStep === null || j.optimalStep === undefined ? 'none: f curves down along −∇f, the quadratic model falls without bound' : `${show(j.optimalStep)}  (‖g‖² / gᵀHg)`])
  }
  children.push(h('dl', {}, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])))
  children.push(
    h('p', { class: 'legend' }, h('span', {}, `on the map: the ${vx},${vy} eigen-directions (green: f curves up, red: down), the arrow −∇f`))
  )
  if (j.kind === 'not-critical' && E.isRight(surface.problem)) {
    const w = surface.window
    const star = j.optimalStep ?? null
    const reach = star !== null && star > 0 ? 2 * star : (0.3 * (w.x1 - w.x0)) / Math.max(a.analysis.gradientNorm, 1e-300)
    const curve = alongGradient(surface.problem.right, a, reach)
    children.push(
      h(
        'figure',
        {},
        h('figcaption', {}, 'f(x − ε∇f) against ε: true (solid) and the second-order model f − ε‖g‖² + ½ε²gᵀHg (dashed)'),
        lineChart(
          [
            { values: curve.truth, colour: '#0072B2', label: 'f(x − εg)' },
            { values: curve.model, colour: '#D55E00', dashed: true, label: 'second-order model' }
          ],
          { width: 340, height: 230, xLabel: 'ε', yLabel: 'f(x − εg)', xs: (k) => curve.epsilon[k], xDomain: [0, reach], yScale: 'linear', ...(star !== null ? { marker: { x: star, label: `ε* = ${show(star)}` } } : {}) }
        )
      )
    )
  }
  analysisBody.replaceChildren(...children)
}

// -------------------------------------------------------------------------------------
// drawing everything
// -------------------------------------------------------------------------------------

const urlProblems = byId<HTMLDivElement>('url-problems')
if (decoded.problems.length > 0) {
  urlProblems.hidden = false
  urlProblems.textContent = decoded.problems.map((p) => `URL parameter ${p.parameter}: ${p.message}; using the default instead.`).join('\n')
}

function render(): void {
  recompute()
  renderSetup()
  renderOptimizers()
  renderMap()
  renderRace()
  renderAnalysis()
}

// A URL whose f does not parse keeps the text in the field with its error.
fInput.value = state.f
if (E.isLeft(surface.problem)) typedError = surface.problem.left
history.replaceState(null, '', encodeState(state))
render()
// when the first view was drawn, in ms since navigation began: what "loads fast" is measured by
document.documentElement.dataset.ready = String(Math.round(performance.now()))
