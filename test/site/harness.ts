/**
 * The playground in a real browser: build site/ with its Vite config into a
 * temporary directory, serve it with Vite's preview server (what
 * `npm run playground` runs) on a free port, and drive Debian's chromium with
 * playwright-core (never a downloaded browser). Also the command line the
 * page must agree with, run as a user would run it.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Browser, chromium } from 'playwright-core'
import { build, preview } from 'vite'

export const chromiumPath = '/usr/bin/chromium'

/** Why the browser tests cannot run here, or undefined when they can. */
export const missingBrowser: string | undefined = existsSync(chromiumPath)
  ? undefined
  : `${chromiumPath} is missing: install Debian's chromium (apt-get install -y chromium) to run the playground's browser tests`

const root = fileURLToPath(new URL('../..', import.meta.url))
const configFile = join(root, 'site/vite.config.ts')

export interface Site {
  /** The page's URL, ending in `/`. */
  readonly url: string
  readonly browser: Browser
  readonly close: () => Promise<void>
}

/** Build, serve and launch; `close` undoes all three. */
export const openSite = async (): Promise<Site> => {
  const outDir = mkdtempSync(join(tmpdir(), 'descent-site-'))
  await build({ configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true } })
  const server = await preview({ configFile, logLevel: 'warn', build: { outDir }, preview: { port: 0, host: '127.0.0.1' } })
  const url = server.resolvedUrls?.local[0]
  if (url === undefined) throw new Error('the preview server did not say where it listens')
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] })
  return {
    url,
    browser,
    close: async () => {
      await browser.close()
      await server.close()
      rmSync(outDir, { recursive: true, force: true })
    }
  }
}

/** The query string of the contract's parameters. */
export const query = (p: { readonly f: string; readonly from?: string; readonly optimizers?: string; readonly steps?: number; readonly at?: string }): string => {
  const params = new URLSearchParams()
  params.set('f', p.f)
  if (p.from !== undefined) params.set('from', p.from)
  if (p.optimizers !== undefined) params.set('optimizers', p.optimizers)
  if (p.steps !== undefined) params.set('steps', String(p.steps))
  if (p.at !== undefined) params.set('at', p.at)
  return '?' + params.toString()
}

// -------------------------------------------------------------------------------------
// the command line
// -------------------------------------------------------------------------------------

const descent = (args: readonly string[]): unknown => JSON.parse(execFileSync(join(root, 'bin/descent'), args, { cwd: root, encoding: 'utf8' }))

/** One optimizer's result as `race --json` prints it. */
export interface CliRun {
  readonly optimizer: string
  readonly final: readonly number[]
  readonly value: number
  readonly steps: number
}

/**
 * `descent race <f> --from <x,y> --optimizers <list> --steps <n> --json`,
 * read in either shape it has had: an array of runs, or an object whose
 * `runs` is that array.
 */
export const cliRace = (f: string, from: string, optimizers: string, steps: number): readonly CliRun[] => {
  const out = descent(['race', f, `--from=${from}`, '--optimizers', optimizers, '--steps', String(steps), '--json'])
  const runs = Array.isArray(out) ? out : (out as { runs?: unknown }).runs
  if (!Array.isArray(runs)) throw new Error(`race --json printed neither an array nor an object with runs: ${JSON.stringify(out).slice(0, 200)}`)
  return runs as CliRun[]
}

/** `descent analyze <f> --at <x,y> --json`. */
export const cliAnalyze = (f: string, at: string): Record<string, unknown> => descent(['analyze', f, `--at=${at}`, '--json']) as Record<string, unknown>
