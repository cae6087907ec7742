/**
 * The playground's URL: the contract's parameters decode to the state they
 * name, a state encodes to a URL that decodes back to it, and a parameter
 * that does not decode is named with its text while the rest still holds.
 * Also the surface list's quadratic, whose κ lives in the expression.
 */
import { describe, expect, it } from 'vitest'
import { decodePoint, decodeState, decodeSteps, defaultState, encodeState, maxSteps } from '../../site/src/state.js'
import { kappaOf, quadratic, surfaceOf, surfaces, windowOf } from '../../site/src/surfaces.js'

describe('decodeState', () => {
  it('reads f, from, optimizers (split on ; outside JSON strings), steps and at', () => {
    const search = new URLSearchParams({
      f: 'x^2 - y^2',
      from: '-1.5,0.25',
      optimizers: 'adam;{"sgd": {"lr": 0.1}};[{"ewma": {"beta": 0.9}}, {"sgd": {"lr": 0.01}}]',
      steps: '250',
      at: '0,1e-3'
    }).toString()
    const { state, problems } = decodeState('?' + search)
    expect(problems).toEqual([])
    expect(state).toEqual({
      f: 'x^2 - y^2',
      from: [-1.5, 0.25],
      optimizers: ['adam', '{"sgd": {"lr": 0.1}}', '[{"ewma": {"beta": 0.9}}, {"sgd": {"lr": 0.01}}]'],
      steps: 250,
      at: [0, 0.001],
      t: null
    })
  })

  it('uses the defaults for an empty query, and no analysed point when f is given without at', () => {
    expect(decodeState('').state).toEqual(defaultState)
    expect(decodeState('?f=x%5E2%2By%5E2').state.at).toBeNull()
  })

  it('names a bad parameter and its text, and keeps the others', () => {
    const { state, problems } = decodeState('?f=x%5E2%2By%5E2&from=1,oops&steps=0&at=2,3')
    expect(problems.map((p) => p.parameter)).toEqual(['steps', 'from'])
    expect(problems[1].message).toContain("'1,oops'")
    expect(state.from).toEqual(defaultState.from)
    expect(state.steps).toBe(defaultState.steps)
    expect(state.at).toEqual([2, 3])
  })

  it('holds the shown step within the run', () => {
    expect(decodeState('?steps=10&t=3').state.t).toBe(3)
    expect(decodeState('?steps=10&t=30').state.t).toBe(10)
    expect(decodeState('?t=-1').problems.map((p) => p.parameter)).toEqual(['t'])
  })
})

describe('encodeState', () => {
  it('round-trips through decodeState', () => {
    const states = [
      defaultState,
      { ...defaultState, f: 'sin(x) * cos(y) + x;y', from: [1e-3, -2] as const, optimizers: ['{"sgd": {"lr": 0.1, "note": "a;b"}}', 'adam'], at: null, t: 7 }
    ]
    for (const s of states) expect(decodeState(encodeState(s)).state).toEqual(s)
  })
})

describe('decodePoint and decodeSteps', () => {
  it('accept two finite numbers and whole step counts in range', () => {
    expect(decodePoint(' -1.5 , 2 ')).toEqual([-1.5, 2])
    expect(decodePoint('1')).toMatch(/two numbers/)
    expect(decodePoint('1,')).toMatch(/y is not a finite number/)
    expect(decodePoint('Infinity,0')).toMatch(/x is not a finite number/)
    expect(decodeSteps('12')).toBe(12)
    expect(decodeSteps('1.5')).toMatch(/whole number/)
    expect(decodeSteps(String(maxSteps + 1))).toMatch(/whole number/)
  })
})

describe('surfaces', () => {
  it('the quadratic carries κ in its expression', () => {
    expect(kappaOf(quadratic(250))).toBe(250)
    expect(surfaceOf(quadratic(3))?.id).toBe('quadratic')
    expect(kappaOf('0.5*(x^2 + -4*y^2)')).toBeUndefined()
    expect(kappaOf('x^2 + 4*y^2')).toBeUndefined()
  })

  it('each listed surface is found by its expression, starts inside its window and analyses a point inside it', () => {
    for (const s of surfaces) {
      expect(surfaceOf(s.expression)).toBe(s)
      for (const [x, y] of [s.start, s.at]) {
        expect(x).toBeGreaterThanOrEqual(s.window.x0)
        expect(x).toBeLessThanOrEqual(s.window.x1)
        expect(y).toBeGreaterThanOrEqual(s.window.y0)
        expect(y).toBeLessThanOrEqual(s.window.y1)
      }
    }
  })

  it('a typed expression gets a square window that holds its points', () => {
    const w = windowOf('x*y', [[7, -1]])
    expect(w.x1).toBeGreaterThan(7)
    expect(w.x0).toBe(-w.x1)
    expect(windowOf('x*y', [[0, 0]]).x1).toBe(3)
  })
})
