/**
 * The page's state and its URL: DESIGN.md's playground contract (`f`,
 * `from`, `optimizers`, `steps`, `at`) plus `t`, the step the playback shows.
 * Decoding never throws: a parameter that does not decode is reported with
 * its name and the text it had, and its default is used instead.
 */
import { splitSpecs } from '../../src/cli/methods.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export type Point = readonly [number, number]

export interface PageState {
  /** The expression, in the CLI's syntax. */
  readonly f: string
  readonly from: Point
  /** One spec text per optimizer (the CLI's `--optimizers` list, split on `;`). */
  readonly optimizers: readonly string[]
  readonly steps: number
  /** The point to analyse, or null for none. */
  readonly at: Point | null
  /** The step shown on the map and the loss plot; null means the last. */
  readonly t: number | null
}

/** A URL parameter that did not decode. */
export interface UrlProblem {
  readonly parameter: string
  readonly message: string
}

// -------------------------------------------------------------------------------------
// constants
// -------------------------------------------------------------------------------------

/** The most steps the page runs per optimizer: every step is kept for the plots. */
export const maxSteps = 20000

export const defaultState: PageState = {
  f: '(1 - x)^2 + 100*(y - x^2)^2',
  from: [-1.5, 2],
  optimizers: ['{"sgd": {"lr": 0.001, "momentum": 0.9}}', '{"adam": {"lr": 0.05}}', '[{"ewma": {"beta": 0.9}}, {"rms": {"rho": 0.99, "eps": 1e-8}}, {"sgd": {"lr": 0.02}}]', '{"newton": {"radius": 0.5}}'],
  steps: 500,
  at: [1, 1],
  t: null
}

// -------------------------------------------------------------------------------------
// decoding
// -------------------------------------------------------------------------------------

/** `x,y` → two finite numbers, or a message saying what is wrong. */
export const decodePoint = (text: string): Point | string => {
  const parts = text.split(',').map((p) => p.trim())
  if (parts.length !== 2) return `expected two numbers x,y separated by a comma, got '${text}'`
  const numbers = parts.map((p) => (p === '' ? NaN : Number(p)))
  const bad = numbers.findIndex((n) => !Number.isFinite(n))
  if (bad >= 0) return `${bad === 0 ? 'x' : 'y'} is not a finite number in '${text}'`
  return [numbers[0], numbers[1]]
}

/** A step count: an integer from 1 to {@link maxSteps}, or a message. */
export const decodeSteps = (text: string): number | string => {
  const n = Number(text.trim())
  if (!Number.isInteger(n) || n < 1 || n > maxSteps) return `expected a whole number of steps from 1 to ${maxSteps}, got '${text}'`
  return n
}

/** The state a query string describes, with a problem per parameter that did not decode. */
export const decodeState = (search: string): { readonly state: PageState; readonly problems: readonly UrlProblem[] } => {
  const params = new URLSearchParams(search)
  const problems: UrlProblem[] = []
  const read = <A>(name: string, decode: (text: string) => A | string, fallback: A): A => {
    const text = params.get(name)
    if (text === null) return fallback
    const value = decode(text)
    if (typeof value === 'string') {
      problems.push({ parameter: name, message: value })
      return fallback
    }
    return value
  }
  const f = params.get('f')
  const optimizers = params.get('optimizers')
  const steps = read('steps', decodeSteps, defaultState.steps)
  const t = read('t', (text) => {
    const n = Number(text)
    return Number.isInteger(n) && n >= 0 ? n : `expected a step number from 0, got '${text}'`
  }, null as number | null)
  return {
    state: {
      f: f === null || f.trim() === '' ? defaultState.f : f,
      from: read('from', decodePoint, defaultState.from),
      optimizers: optimizers === null ? defaultState.optimizers : splitSpecs(optimizers),
      steps,
      at: params.get('at') === '' ? null : read('at', decodePoint, f === null ? defaultState.at : null),
      t: t === null ? null : Math.min(t, steps)
    },
    problems
  }
}

// -------------------------------------------------------------------------------------
// encoding
// -------------------------------------------------------------------------------------

/** The query string of a state; `decodeState(encodeState(s))` is `s`. */
export const encodeState = (state: PageState): string => {
  const params = new URLSearchParams()
  params.set('f', state.f)
  params.set('from', state.from.join(','))
  params.set('optimizers', state.optimizers.join(';'))
  params.set('steps', String(state.steps))
  params.set('at', state.at === null ? '' : state.at.join(','))
  if (state.t !== null && state.t < state.steps) params.set('t', String(state.t))
  return '?' + params.toString()
}
