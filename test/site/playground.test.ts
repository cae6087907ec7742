/**
 * The playground in Debian's chromium: opened with the contract's URL
 * parameters it shows the numbers `descent race` and `descent analyze`
 * print; a bad expression shows the parser's caret and breaks nothing;
 * clicking, dragging, keys, the chain editor and playback change the state
 * and the URL; no request leaves the page's origin; and the layout holds at
 * desktop and phone sizes (screenshots in $TMPDIR/descent-playground/).
 */
import * as E from 'fp-ts/lib/Either.js'
import { mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from '../../src/index.js'
import { type Site, cliAnalyze, cliRace, missingBrowser, openSite, query } from './harness.js'

const rosenbrock = '(1 - x)^2 + 100*(y - x^2)^2'
const screenshots = join(tmpdir(), 'descent-playground')

let site: Site
/** Every URL any page asked for, to check that none left the origin. */
const requested: string[] = []
const pageErrors: string[] = []
/** Console warnings and errors (Chromium warns there when a page rewrites its URL too often). */
const consoleProblems: string[] = []

const open = async (search: string, viewport = { width: 1440, height: 1000 }): Promise<Page> => {
  const page = await site.browser.newPage({ viewport })
  page.on('request', (r) => requested.push(r.url()))
  page.on('pageerror', (e) => pageErrors.push(e.message))
  page.on('console', (m) => {
    if (m.type() === 'warning' || m.type() === 'error') consoleProblems.push(m.text())
  })
  await page.goto(site.url + search)
  await page.waitForSelector('html[data-ready]')
  return page
}

interface Row {
  readonly optimizer: string | null
  readonly final: string | null
  readonly value: string | null
  readonly steps: string | null
}

const rows = (page: Page): Promise<Row[]> =>
  page.$$eval('#results tbody tr', (trs) =>
    trs.map((tr) => ({ optimizer: tr.getAttribute('data-optimizer'), final: tr.getAttribute('data-final'), value: tr.getAttribute('data-value'), steps: tr.getAttribute('data-steps') }))
  )

/**
 * How far the page may be from the command line. Chromium's V8 and Node's
 * differ in the last bit of Math.pow, exp, log, sin and cos (measured: about
 * one result in ten for pow and exp, Chromium 156 against Node 20), so a run
 * that calls them (Adam's bias corrections β^t, a surface with exp) agrees
 * to rounding; a run of arithmetic and square roots only agrees bit for bit.
 */
type Agreement = 'bits' | 'rounding'

const expectNumber = (shown: number, printed: number, agreement: Agreement): void => {
  if (agreement === 'bits') expect(shown).toBe(printed)
  else expect(Math.abs(shown - printed)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(printed)))
}

/** The page's rows hold what `race --json` prints for the same f, start, list and steps. */
const expectRace = async (page: Page, f: string, from: string, optimizers: string, steps: number, agreement: Agreement): Promise<void> => {
  const cli = cliRace(f, from, optimizers, steps)
  const shown = await rows(page)
  expect(shown.map((r) => r.optimizer)).toEqual(cli.map((r) => r.optimizer))
  shown.forEach((r, i) => {
    expect(Number(r.steps)).toBe(cli[i].steps)
    const final = (r.final ?? '').split(',').map(Number)
    expect(final).toHaveLength(2)
    final.forEach((v, k) => expectNumber(v, cli[i].final[k], agreement))
    expectNumber(Number(r.value), cli[i].value, agreement)
  })
}

const urlParam = (page: Page, name: string): string | null => new URL(page.url()).searchParams.get(name)

if (missingBrowser !== undefined) console.warn(`skipping the playground's browser tests: ${missingBrowser}`)

describe.skipIf(missingBrowser !== undefined)(missingBrowser ?? 'the playground in chromium', () => {
  beforeAll(async () => {
    site = await openSite()
    mkdirSync(screenshots, { recursive: true })
  }, 120_000)
  afterAll(async () => {
    await site?.close()
  })

  describe('the race equals descent race --json', () => {
    const cases = [
      {
        name: 'Rosenbrock: an alias, alias JSON, a pipeline and Newton-CG',
        f: rosenbrock,
        from: '-1.5,2',
        optimizers: 'adam;{"sgd": {"lr": 0.001, "momentum": 0.9}};[{"ewma": {"beta": 0.9, "debias": true}}, {"rms": {"rho": 0.999, "eps": 1e-8, "debias": true}}, {"sgd": {"lr": 0.05}}];{"newton": {"radius": 0.5}}',
        steps: 300,
        agreement: 'rounding'
      },
      { name: 'the monkey saddle, where sgd diverges and stops early', f: 'x^3 - 3*x*y^2', from: '0.8,0.3', optimizers: '{"sgd": {"lr": 0.1}};{"rmsprop": {"lr": 0.01, "centered": true}}', steps: 200, agreement: 'bits' },
      { name: 'the Huber surface, quadratic near 0 and linear beyond', f: 'huber(x) + huber(3*y)', from: '-2.5,1.5', optimizers: 'adam;{"sgd": {"lr": 0.1, "momentum": 0.9}}', steps: 200, agreement: 'rounding' },
      { name: 'the hinge surface, with its kinks', f: 'max(0, 1 - x) + max(0, 1 + x - y) + 0.1*y^2', from: '-2.5,1.5', optimizers: 'adam;{"sgd": {"lr": 0.1}}', steps: 200, agreement: 'rounding' },
      { name: 'an ill-conditioned quadratic with clipping and weight decay', f: '0.5*(x^2 + 100*y^2)', from: '-1.8,1', optimizers: '[{"clip": {"max": 0.5}}, {"momentum": {"beta": 0.8, "nesterov": true}}, {"sgd": {"lr": 0.015}}];[{"weightDecay": {"lambda": 0.1}}, {"adagrad": {}}, {"sgd": {"lr": 0.3}}];lion', steps: 150, agreement: 'bits' }
    ]
    it.each(cases)('$name', async ({ f, from, optimizers, steps, agreement }) => {
      const page = await open(query({ f, from, optimizers, steps }))
      await expectRace(page, f, from, optimizers, steps, agreement as Agreement)
      await page.close()
    }, 60_000)
  })

  describe('the point analysis equals descent analyze --json', () => {
    const cases = [
      { f: rosenbrock, at: '1,1' },
      { f: 'x^2 - y^2', at: '0,0' },
      { f: 'x^3 - 3*x*y^2', at: '0,0' },
      { f: '(x^2 + y - 11)^2 + (x + y^2 - 7)^2', at: '0.5,-1' },
      { f: 'x^2 - y^2', at: '0.3,0.9' },
      { f: 'huber(x) + huber(3*y)', at: '0.5,0.2' },
      { f: 'max(0, 1 - x) + max(0, 1 + x - y) + 0.1*y^2', at: '1,0.5' }
    ]
    it.each(cases)('$f at $at', async ({ f, at }) => {
      const page = await open(query({ f, from: '0.1,0.2', optimizers: 'adam', steps: 5, at }))
      const cli = cliAnalyze(f, at)
      const panel = page.locator('[data-analysis]')
      const attribute = async (name: string): Promise<string | null> => panel.getAttribute(name)
      expect(await attribute('data-analysis')).toBe(at)
      expect(await attribute('data-kind')).toBe(cli.kind)
      expect((await attribute('data-eigenvalues'))?.split(',').map(Number)).toEqual(cli.eigenvalues)
      expect(Number(await attribute('data-value'))).toBe(cli.value)
      expect((await attribute('data-gradient'))?.split(',').map(Number)).toEqual(cli.gradient)
      if (cli.kind === 'not-critical') {
        const optimalStep = await attribute('data-optimal-step')
        expect(optimalStep === 'null' ? null : Number(optimalStep)).toBe(cli.optimalStep)
        expect(Number(await attribute('data-gradient-curvature'))).toBe(cli.gradientCurvature)
        // the second-order model along the gradient is drawn only away from critical points
        await expect(page.locator('#analysis figure svg path').count()).resolves.toBeGreaterThanOrEqual(2)
      }
      await page.close()
    }, 60_000)
  })

  it('shows a bad expression with its caret, and keeps the race it had', async () => {
    const optimizers = 'adam;{"sgd": {"lr": 0.01}}'
    const page = await open(query({ f: 'x^2 + 3*y^2', from: '1,1', optimizers, steps: 50 }))
    const before = await rows(page)
    await page.fill('#f', 'x + * y')
    await page.press('#f', 'Enter')
    const error = page.locator('#f-error')
    await expect(error.isVisible()).resolves.toBe(true)
    const parsed = parse('x + * y')
    if (E.isRight(parsed)) throw new Error('x + * y parsed')
    const text = (await error.textContent()) ?? ''
    expect(text).toContain(parsed.left.formatted)
    const lines = text.split('\n')
    expect(lines[lines.length - 1].indexOf('^') - lines[lines.length - 2].indexOf('x')).toBe(parsed.left.column - 1)
    // nothing the user had is lost: the typed text stays, the URL and the race keep the last good surface
    expect(await page.inputValue('#f')).toBe('x + * y')
    expect(urlParam(page, 'f')).toBe('x^2 + 3*y^2')
    expect(await rows(page)).toEqual(before)
    await expectRace(page, 'x^2 + 3*y^2', '1,1', optimizers, 50, 'rounding')
    // and a good expression afterwards runs
    await page.fill('#f', 'x^2 + 5*y^2')
    await page.press('#f', 'Enter')
    await expect(error.isVisible()).resolves.toBe(false)
    expect(urlParam(page, 'f')).toBe('x^2 + 5*y^2')
    await expectRace(page, 'x^2 + 5*y^2', '1,1', optimizers, 50, 'rounding')
    await page.close()
  }, 60_000)

  it('shows a new function called with the wrong arity with the parser\'s caret', async () => {
    const page = await open(query({ f: 'x^2 + 3*y^2', from: '1,1', optimizers: 'adam', steps: 20 }))
    const bad = 'max(x) + y'
    await page.fill('#f', bad)
    await page.press('#f', 'Enter')
    const error = page.locator('#f-error')
    await expect(error.isVisible()).resolves.toBe(true)
    const parsed = parse(bad)
    if (E.isRight(parsed)) throw new Error(`${bad} parsed`)
    const text = (await error.textContent()) ?? ''
    expect(text).toContain(parsed.left.formatted)
    const lines = text.split('\n')
    expect(lines[lines.length - 1].indexOf('^') - lines[lines.length - 2].indexOf('m')).toBe(parsed.left.column - 1)
    expect(urlParam(page, 'f')).toBe('x^2 + 3*y^2')
    await page.close()
  }, 60_000)

  it('opened with an f that does not parse, shows the error and the rest of the page', async () => {
    const page = await open(query({ f: 'sin(x', from: '1,1', optimizers: 'adam', steps: 10 }))
    await expect(page.locator('#f-error').textContent()).resolves.toContain('^')
    expect(await page.inputValue('#f')).toBe('sin(x')
    expect(await page.locator('#optimizers > li').count()).toBe(1)
    await page.close()
  }, 60_000)

  it('a click on the map sets the start, a drag moves it, and the race follows', async () => {
    const optimizers = '{"sgd": {"lr": 0.001, "momentum": 0.9}};adam'
    const page = await open(query({ f: rosenbrock, from: '-1.5,2', optimizers, steps: 100 }))
    const frame = await page.locator('#plot-frame').boundingBox()
    if (frame === null) throw new Error('no plot frame')
    // Rosenbrock's window is x ∈ [-2, 2], y ∈ [-1, 3]; the start field had the focus, and shows the new start
    await page.focus('#from')
    await page.mouse.click(frame.x + 0.25 * frame.width, frame.y + 0.75 * frame.height)
    const from = urlParam(page, 'from') ?? ''
    expect(await page.inputValue('#from')).toBe(from)
    const [x, y] = from.split(',').map(Number)
    expect(Math.abs(x - -1)).toBeLessThan(0.02)
    expect(Math.abs(y - 0)).toBeLessThan(0.02)
    await expectRace(page, rosenbrock, from, optimizers, 100, 'rounding')

    const start = { x: frame.x + 0.25 * frame.width, y: frame.y + 0.75 * frame.height }
    await page.mouse.move(start.x, start.y)
    await page.mouse.down()
    await page.mouse.move(start.x + 0.25 * frame.width, start.y - 0.25 * frame.height, { steps: 8 })
    await page.mouse.up()
    await page.waitForTimeout(50)
    const dragged = urlParam(page, 'from') ?? ''
    const [dx, dy] = dragged.split(',').map(Number)
    expect(Math.abs(dx - 0)).toBeLessThan(0.02)
    expect(Math.abs(dy - 1)).toBeLessThan(0.02)
    await expectRace(page, rosenbrock, dragged, optimizers, 100, 'rounding')

    // in "point to analyse" mode a click moves the analysis instead
    await page.check('input[name=click][value=at]')
    await page.mouse.click(frame.x + 0.75 * frame.width, frame.y + 0.5 * frame.height)
    const at = urlParam(page, 'at') ?? ''
    expect(await page.locator('[data-analysis]').getAttribute('data-analysis')).toBe(at)
    expect(urlParam(page, 'from')).toBe(dragged)
    await page.close()
  }, 60_000)

  it('the keyboard moves the start on the focused map', async () => {
    const page = await open(query({ f: rosenbrock, from: '-1.5,2', optimizers: '{"sgd": {"lr": 0.001, "momentum": 0.9}}', steps: 20 }))
    await page.focus('#map')
    await page.keyboard.press('ArrowRight')
    await page.keyboard.press('Shift+ArrowDown')
    // steps of 1% and 10% of the 4-wide window
    expect(urlParam(page, 'from')).toBe('-1.46,1.6')
    await expectRace(page, rosenbrock, '-1.46,1.6', '{"sgd": {"lr": 0.001, "momentum": 0.9}}', 20, 'bits')
    await page.close()
  }, 60_000)

  it('the chain editor adds, edits, moves and removes stages, and the CLI agrees with the spec it writes', async () => {
    const f = 'x^2 + 10*y^2'
    const page = await open(query({ f, from: '1,1', optimizers: '[{"ewma": {"beta": 0.9}}, {"sgd": {"lr": 0.05}}]', steps: 60 }))
    const list = (): string[] => (urlParam(page, 'optimizers') ?? '').split(';')

    await page.selectOption('[data-key="o0-add-stage"]', 'momentum')
    await page.click('[data-key="o0-add"]')
    expect(JSON.parse(list()[0])).toEqual([{ ewma: { beta: 0.9 } }, { momentum: { beta: 0.9 } }, { sgd: { lr: 0.05 } }])

    await page.fill('#o0-s2-lr', '0.02')
    await page.press('#o0-s2-lr', 'Enter')
    await page.locator('#o0-s2-lr').blur()
    expect(JSON.parse(list()[0])).toEqual([{ ewma: { beta: 0.9 } }, { momentum: { beta: 0.9 } }, { sgd: { lr: 0.02 } }])

    await page.click('[data-key="o0-s1-up"]')
    expect(JSON.parse(list()[0])).toEqual([{ momentum: { beta: 0.9 } }, { ewma: { beta: 0.9 } }, { sgd: { lr: 0.02 } }])
    await page.check('#o0-s1-debias')
    expect(JSON.parse(list()[0])).toEqual([{ momentum: { beta: 0.9 } }, { ewma: { beta: 0.9, debias: true } }, { sgd: { lr: 0.02 } }])
    await expectRace(page, f, '1,1', list().join(';'), 60, 'rounding')

    await page.click('[data-key="o0-s0-remove"]')
    expect(JSON.parse(list()[0])).toEqual([{ ewma: { beta: 0.9, debias: true } }, { sgd: { lr: 0.02 } }])

    // an alias and a bad hyper-parameter: the library's message with its path, and the other entry still runs
    await page.selectOption('#add-kind', { label: 'adam' })
    await page.click('#add')
    await page.fill('#o1-lr', '-1')
    await page.locator('#o1-lr').blur()
    expect(list()[1]).toBe('{"adam":{"lr":-1}}')
    await expect(page.locator('#optimizers > li').nth(1).locator('.error').textContent()).resolves.toMatch(/lr/)
    const shown = await rows(page)
    expect(shown).toHaveLength(2)
    expect(shown[0].optimizer).toBe('ewma∘sgd lr=0.02')
    expect(shown[1].final).toBeNull()
    await page.close()
  }, 60_000)

  it('steps through the run, and the URL holds the step shown', async () => {
    const page = await open(query({ f: rosenbrock, from: '-1.5,2', optimizers: 'adam', steps: 40 }))
    await page.click('#first')
    expect(urlParam(page, 't')).toBe('0')
    await page.click('#forward')
    await page.click('#forward')
    expect(urlParam(page, 't')).toBe('2')
    const atTwo = await page.locator('#results tbody tr td').nth(5).textContent()
    const cli = cliRace(rosenbrock, '-1.5,2', 'adam', 2)
    // the table shows six significant digits
    expect(Number(atTwo)).toBe(Number(cli[0].value.toPrecision(6)))
    await page.click('#last')
    expect(urlParam(page, 't')).toBeNull()
    await page.close()
  }, 60_000)

  it('the surface list sets f, the start and the point; κ sets the quadratic, whose Hessian is diag(1, κ)', async () => {
    const page = await open(query({ f: rosenbrock, from: '-1.5,2', optimizers: '{"sgd": {"lr": 0.01}}', steps: 40 }))
    await page.selectOption('#surface', 'himmelblau')
    expect(urlParam(page, 'f')).toBe('(x^2 + y - 11)^2 + (x + y^2 - 7)^2')
    await expectRace(page, '(x^2 + y - 11)^2 + (x + y^2 - 7)^2', urlParam(page, 'from') ?? '', '{"sgd": {"lr": 0.01}}', 40, 'bits')

    await page.selectOption('#surface', 'quadratic')
    await expect(page.locator('#kappa').isVisible()).resolves.toBe(true)
    await page.focus('#kappa')
    await page.keyboard.press('ArrowRight')
    // the slider moves log10 κ by 0.25: from κ = 10 to 10^1.25 ≈ 17.8
    expect(urlParam(page, 'f')).toBe('0.5*(x^2 + 17.8*y^2)')
    expect(await page.locator('[data-analysis]').getAttribute('data-eigenvalues')).toBe('1,17.8')
    await page.close()
  }, 60_000)

  it('names a URL parameter that does not decode, and runs with the rest', async () => {
    const page = await open('?f=x%5E2%2B2*y%5E2&from=1,nope&optimizers=adam&steps=30')
    await expect(page.locator('#url-problems').textContent()).resolves.toContain("from: y is not a finite number in '1,nope'")
    expect(urlParam(page, 'from')).toBe('-1.5,2')
    await expectRace(page, 'x^2+2*y^2', '-1.5,2', 'adam', 30, 'rounding')
    await page.close()
  }, 60_000)

  it('plays the run to its end, keeping the URL current without rewriting it every frame', async () => {
    const page = await open(query({ f: rosenbrock, from: '-1.5,2', optimizers: 'adam', steps: 600 }))
    // count the page's URL rewrites while it plays
    await page.evaluate(`(() => {
      const replace = history.replaceState.bind(history)
      window.urlWrites = 0
      history.replaceState = (...args) => { window.urlWrites++; return replace(...args) }
    })()`)
    const started = Date.now()
    await page.click('#play')
    await expect(page.locator('#play').getAttribute('aria-label')).resolves.toBe('Pause')
    await page.waitForFunction('document.getElementById("play").getAttribute("aria-label") === "Play"', undefined, { timeout: 30_000 })
    const elapsed = Date.now() - started
    const frames = 600 / 3
    const writes = (await page.evaluate('window.urlWrites')) as number
    // at most one rewrite per 100 ms, plus the first and the last, however many frames were drawn
    expect(writes).toBeLessThanOrEqual(Math.min(frames, Math.ceil(elapsed / 100) + 2))
    expect(writes).toBeGreaterThanOrEqual(2)
    expect(urlParam(page, 't')).toBeNull()
    await expect(page.locator('#t-value').textContent()).resolves.toBe('step 600 of 600')
    await page.close()
  }, 60_000)

  it('a URL opened again shows the same view', async () => {
    const page = await open('')
    const first = await rows(page)
    const again = await open(new URL(page.url()).search)
    expect(await rows(again)).toEqual(first)
    expect(first.length).toBeGreaterThan(0)
    await page.close()
    await again.close()
  }, 60_000)

  it.each([
    ['desktop', { width: 1440, height: 1000 }],
    ['phone', { width: 390, height: 844 }]
  ] as const)('lays out at %s size without sideways scrolling (screenshot saved)', async (name, viewport) => {
    const page = await open(query({ f: rosenbrock, from: '-1.5,2', optimizers: 'adam;{"sgd": {"lr": 0.001, "momentum": 0.9}};{"newton": {"radius": 0.5}}', steps: 300, at: '-0.5,1' }), viewport)
    const overflow = (await page.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number
    expect(overflow).toBeLessThanOrEqual(0)
    const map = await page.locator('#map').boundingBox()
    expect(map?.width).toBeGreaterThan(Math.min(300, viewport.width - 40))
    await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true })
    await page.close()
  }, 60_000)

  it('asked nothing of any other origin, and threw no error', () => {
    const origin = new URL(site.url).origin
    expect(requested.length).toBeGreaterThan(0)
    expect(requested.filter((u) => !u.startsWith(origin + '/') && !u.startsWith('data:'))).toEqual([])
    expect(pageErrors).toEqual([])
    expect(consoleProblems).toEqual([])
  })
})
