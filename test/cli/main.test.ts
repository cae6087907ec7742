import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { capturedIo, type CliIo } from '../../src/cli/io.js'
import { main } from '../../src/cli/main.js'
import { demoMethods } from '../../src/cli/race.js'

/** Run the command line in-process; the working directory is a fresh temporary one. */
const run = (argv: readonly string[], options: { readonly cwd?: string; readonly io?: Partial<CliIo> } = {}) => {
  const io = capturedIo({ cwd: options.cwd ?? mkdtempSync(join(tmpdir(), 'descent-cli-')) })
  const code = main(argv, { ...io, ...options.io })
  return { code, stdout: io.stdout(), stderr: io.stderr(), cwd: io.cwd }
}

const json = (argv: readonly string[]) => {
  const r = run(argv)
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  return JSON.parse(r.stdout)
}

/** Eigenvalues of the symmetric [[a, b], [b, c]] in closed form: (a + c)/2 ∓ √(((a − c)/2)² + b²). */
const eigen2 = (a: number, b: number, c: number): [number, number] => {
  const mean = (a + c) / 2
  const radius = Math.hypot((a - c) / 2, b)
  return [mean - radius, mean + radius]
}

/** A usage error: exit 2, nothing on stdout, a message and no stack trace. */
const expectUsageError = (r: ReturnType<typeof run>, ...fragments: string[]) => {
  expect(r.code).toBe(2)
  expect(r.stdout).toBe('')
  for (const f of fragments) expect(r.stderr).toContain(f)
  expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/)
}

describe('analyze', () => {
  it('classifies x^2 - y^2 at the origin as a saddle with eigenvalues -2, 2 (exact keys)', () => {
    const out = json(['analyze', 'x^2 - y^2', '--at', '0,0', '--json'])
    expect(Object.keys(out)).toEqual(['vars', 'point', 'value', 'gradient', 'hessian', 'eigenvalues', 'eigenvectors', 'conditionNumber', 'kind'])
    expect(out.vars).toEqual(['x', 'y'])
    expect(out.point).toEqual([0, 0])
    expect(out.kind).toBe('saddle')
    expect(out.hessian).toEqual([[2, 0], [0, -2]])
    expect(out.eigenvalues[0]).toBeCloseTo(-2, 12)
    expect(out.eigenvalues[1]).toBeCloseTo(2, 12)
    expect(out.conditionNumber).toBeCloseTo(1, 12)
    // eigenvectors[0] belongs to -2: the y axis
    expect(Math.abs(out.eigenvectors[0][1])).toBeCloseTo(1, 12)
    expect(Math.abs(out.eigenvectors[1][0])).toBeCloseTo(1, 12)
  })

  it('gives Rosenbrock at (1, 1) the Hessian [[802, -400], [-400, 200]] and its closed-form eigenvalues', () => {
    const out = json(['analyze', '(1-x)^2 + 100*(y-x^2)^2', '--at', '1,1', '--json'])
    const [small, large] = eigen2(802, -400, 200)
    expect(out.kind).toBe('minimum')
    expect(out.value).toBe(0)
    expect(out.gradient).toEqual([0, 0])
    expect(out.hessian).toEqual([[802, -400], [-400, 200]])
    expect(out.eigenvalues[0]).toBeCloseTo(small, 10)
    expect(out.eigenvalues[1] / large).toBeCloseTo(1, 13)
    expect(out.conditionNumber / (large / small)).toBeCloseTo(1, 9)
    // each eigenvector is a unit vector with H v = λ v
    const h = out.hessian as number[][]
    out.eigenvectors.forEach((v: number[], i: number) => {
      expect(Math.hypot(v[0], v[1])).toBeCloseTo(1, 12)
      for (let r = 0; r < 2; r++) expect(h[r][0] * v[0] + h[r][1] * v[1]).toBeCloseTo(out.eigenvalues[i] * v[r], 9)
    })
  })

  it('reports the curvature along the gradient and the optimal step at a non-critical point', () => {
    // f = x^2 + 3y^2 at (1, 1): g = (2, 6), H = diag(2, 6); gᵀHg = 8 + 216 = 224, |g|² = 40
    const out = json(['analyze', 'x^2 + 3*y^2', '--at', '1,1', '--json'])
    expect(out.kind).toBe('not-critical')
    expect(out.gradientCurvature).toBeCloseTo(224 / 40, 12)
    expect(out.optimalStep).toBeCloseTo(40 / 224, 12)
    // negative curvature along the gradient: no optimal step
    const down = json(['analyze', '-x^2', '--at', '-1', '--json'])
    expect(down.gradientCurvature).toBeCloseTo(-2, 12)
    expect(down.optimalStep).toBeNull()
  })

  it('honours --grad-tol and --vars order', () => {
    expect(json(['analyze', 'x^2 + y^2', '--at', '0.001,0', '--json']).kind).toBe('not-critical')
    expect(json(['analyze', 'x^2 + y^2', '--at', '0.001,0', '--grad-tol', '0.01', '--json']).kind).toBe('minimum')
    const out = json(['analyze', 'x + 10*y', '--vars', 'y,x', '--at', '2,3', '--json'])
    expect(out.vars).toEqual(['y', 'x'])
    expect(out.value).toBe(3 + 20)
    expect(out.gradient).toEqual([10, 1])
  })

  it('prints an aligned human report', () => {
    const r = run(['analyze', '(1-x)^2 + 100*(y-x^2)^2', '--at', '1,1'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('minimum')
    expect(r.stdout).toMatch(/condition number\s+2508\.0/)
    expect(r.stdout).toMatch(/x\s+802\s+-400\n/)
  })

  it('rejects a malformed expression with exit 2, the column and a caret', () => {
    const r = run(['analyze', 'x^2 + y)', '--at', '1,2'])
    expectUsageError(r, 'column 8')
    const lines = r.stderr.split('\n')
    const source = lines.findIndex((l) => l.endsWith('x^2 + y)'))
    expect(lines[source + 1].indexOf('^')).toBe(lines[source].indexOf(')'))
  })

  it('rejects a wrong number of coordinates, an unknown variable and a non-numeric flag', () => {
    expectUsageError(run(['analyze', 'x*y', '--at', '1,2,3']), '--at', '3 coordinates', '2 variables (x, y)')
    expectUsageError(run(['analyze', 'x*y', '--vars', 'x', '--at', '1']), "unknown variable 'y'", 'column 3')
    expectUsageError(run(['analyze', 'x*y', '--at', '1,abc']), '--at', "'abc' is not a number")
    expectUsageError(run(['analyze', 'x*y', '--vars', 'x,x', '--at', '1,2']), "--vars: 'x' is listed twice")
    expectUsageError(run(['analyze', 'x*y', '--at', '1,2', '--grad-tol', 'tiny']), '--grad-tol', "'tiny'")
    expectUsageError(run(['analyze', 'x*y']), '--at is required')
    expectUsageError(run(['analyze', 'x*y', '--at']), '--at needs a value')
    expectUsageError(run(['analyze', 'x*y', '--at', '1,2', '--colour']), 'unknown flag --colour')
    expectUsageError(run(['analyze', 'log(x)', '--at', '-1']), '--at -1', 'NaN')
  })

  it('fails fast, naming the limit, on more variables than it is for', () => {
    const many = Array.from({ length: 201 }, (_, i) => `v${i}^2`).join(' + ')
    const r = run(['analyze', many, '--at', Array(201).fill('1').join(',')])
    expectUsageError(r, 'the expression has 201 variables; analyze is for functions of up to 200', 'lanczos')
  })

  it('accepts a leading minus in an expression and in a point', () => {
    const out = json(['analyze', '-x^2 - y^2', '--at', '-1.5,-2', '--json'])
    expect(out.point).toEqual([-1.5, -2])
    expect(out.value).toBe(-(2.25 + 4))
  })
})

describe('optimize', () => {
  it('--trajectory has steps + 1 points and step 1 is the hand-computed SGD step', () => {
    // f = x^2 + 3y^2 from (1, -2): ∇f = (2, -12); lr 0.1 → (0.8, -0.8); then ∇f = (1.6, -4.8) → (0.64, -0.32);
    // each step multiplies x by 1 − 0.1·2 = 0.8 and y by 1 − 0.1·6 = 0.4
    const out = json(['optimize', 'x^2 + 3*y^2', '--from', '1,-2', '--optimizer', '{"sgd": {"lr": 0.1}}', '--steps', '7', '--json', '--trajectory'])
    expect(out.vars).toEqual(['x', 'y'])
    expect(out.steps).toBe(7)
    expect(out.trajectory).toHaveLength(8)
    expect(out.trajectory[0]).toEqual([1, -2])
    expect(out.trajectory[1][0]).toBeCloseTo(0.8, 15)
    expect(out.trajectory[1][1]).toBeCloseTo(-0.8, 15)
    expect(out.trajectory[2][0]).toBeCloseTo(0.64, 15)
    expect(out.trajectory[2][1]).toBeCloseTo(-0.32, 15)
    expect(out.final[0]).toBeCloseTo(0.8 ** 7, 14)
    expect(out.final[1]).toBeCloseTo(-2 * 0.4 ** 7, 14)
    expect(out.trajectory[7]).toEqual(out.final)
    expect(out.value).toBeCloseTo(out.final[0] ** 2 + 3 * out.final[1] ** 2, 15)
    // values[k] = f(trajectory[k]), steps + 1 of them
    expect(out.values).toHaveLength(8)
    out.trajectory.forEach(([x, y]: number[], k: number) => expect(out.values[k]).toBeCloseTo(x * x + 3 * y * y, 14))
  })

  it('without --trajectory prints the contract fields only', () => {
    const out = json(['optimize', 'x^2', '--from', '3', '--optimizer', '{"sgd": {"lr": 0.25}}', '--steps', '2', '--json'])
    // x ← x − 0.25·2x = x/2: 3, 1.5, 0.75, and f = x² at each
    expect(out).toEqual({ vars: ['x'], optimizer: 'sgd lr=0.25', start: [3], final: [0.75], value: 0.5625, steps: 2, stopped: 'steps', values: [9, 2.25, 0.5625] })
  })

  it('stops a diverging run at the last finite point with exit 0 and says so', () => {
    // x ← x − 1.5·2x = −2x: |x| doubles each step and x² overflows after about 512 steps
    const out = json(['optimize', 'x^2', '--from', '1', '--optimizer', '{"sgd": {"lr": 1.5}}', '--steps', '2000', '--json'])
    expect(out.stopped).toBe('diverged')
    expect(out.steps).toBeLessThan(2000)
    expect(Math.abs(out.final[0])).toBe(2 ** out.steps)
    expect(out.message).toContain(`step ${out.steps + 1}`)
    const human = run(['optimize', 'x^2', '--from', '1', '--optimizer', '{"sgd": {"lr": 1.5}}', '--steps', '2000'])
    expect(human.code).toBe(0)
    expect(human.stdout).toContain('diverged at step')
  })

  it('runs the second-order methods: Newton-CG solves a quadratic in one step', () => {
    const out = json(['optimize', '(x-1)^2 + 10*(y+2)^2 + x*y', '--from', '0.5,-1.5', '--optimizer', '{"newton": {"radius": 10}}', '--steps', '1', '--json'])
    // ∇f = 0: 2(x−1) + y = 0 and 20(y+2) + x = 0; from the first, y = 2 − 2x;
    // then 20(4 − 2x) + x = 0 → x = 80/39, y = 2 − 160/39 = −82/39 (1.7 away: radius 10 lets the step through)
    expect(out.final[0]).toBeCloseTo(80 / 39, 10)
    expect(out.final[1]).toBeCloseTo(-82 / 39, 10)
  })

  it('rejects bad specs with the flag, the JSON path or the file', () => {
    expectUsageError(run(['optimize', 'x^2', '--from', '1', '--optimizer', '@missing/spec.json']), '--optimizer', "'missing/spec.json' does not exist")
    expectUsageError(run(['optimize', 'x^2', '--from', '1', '--optimizer', '{"adam": ']), '--optimizer', 'not valid JSON')
    expectUsageError(run(['optimize', 'x^2', '--from', '1', '--optimizer', '{"newton": {"radius": -1}}']), '--optimizer', 'newton.radius', '> 0')
    expectUsageError(run(['optimize', 'x^2', '--from', '1', '--optimizer', '{"newton": {"raduis": 1}}']), 'newton.raduis', 'unknown option')
    expectUsageError(run(['optimize', 'x^2', '--from', '1', '--optimizer', '{"adamm": {}}']), '--optimizer', 'adamm')
    expectUsageError(run(['optimize', 'x^2', '--from', '1']), '--optimizer is required')
    expectUsageError(run(['optimize', 'log(x)', '--from', '-1', '--optimizer', 'adam']), '--from -1', 'NaN')
    expectUsageError(run(['optimize', 'x^2', '--from', '1', '--optimizer', 'adam', '--steps', 'many']), '--steps', "'many'")
    expectUsageError(run(['optimize', 'x^2', '--from', '1', '--optimizer', 'adam', '--steps', '0']), '--steps', 'at least 1')
  })

  it('rejects a spec that fails to decode with the JSON path of the field', () => {
    expectUsageError(run(['optimize', 'x^2', '--from', '1', '--optimizer', '{"adam": {"lr": -1}}']), '--optimizer', '$.adam.lr', '> 0')
    expectUsageError(run(['optimize', 'x^2', '--from', '1', '--optimizer', '[{"momentum": {"beta": 2}}, {"sgd": {"lr": 1}}]']), '$[0].momentum.beta')
    expectUsageError(run(['optimize', 'x^2', '--from', '1', '--optimizer', 'sgd']), 'sgd needs a learning rate')
  })

  it('reads a spec from @file relative to the working directory', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'descent-cli-'))
    writeFileSync(join(cwd, 'spec.json'), '{"sgd": {"lr": 0.25}}')
    const r = run(['optimize', 'x^2', '--from', '3', '--optimizer', '@spec.json', '--steps', '1', '--json'], { cwd })
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).final).toEqual([1.5])
  })

  it('--plot writes a contour plot and a loss plot for 2 variables, only a loss plot otherwise', () => {
    const r = run(['optimize', 'x^2 + 3*y^2', '--from', '1,-2', '--optimizer', '{"sgd": {"lr": 0.1}}', '--steps', '20', '--plot', 'out.svg'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('wrote out.svg (contour plot')
    expect(readFileSync(join(r.cwd, 'out.svg'), 'utf8')).toMatch(/^<svg/)
    expect(readFileSync(join(r.cwd, 'out-loss.svg'), 'utf8')).toMatch(/^<svg/)
    const one = run(['optimize', 'x^2', '--from', '1', '--optimizer', '{"sgd": {"lr": 0.1}}', '--steps', '5', '--plot', 'one.svg'])
    expect(one.stdout).toContain('no contour plot')
    expect(existsSync(join(one.cwd, 'one.svg'))).toBe(true)
    expect(existsSync(join(one.cwd, 'one-loss.svg'))).toBe(false)
    expectUsageError(run(['optimize', 'x^2', '--from', '1', '--optimizer', 'adam', '--plot', 'no/such/dir/p.svg']), '--plot', 'directory does not exist')
    // the CSV beside the plots holds the series drawn: f = x² + 3y² at each step's point
    const csv = readFileSync(join(r.cwd, 'out.csv'), 'utf8').trim().split('\n')
    expect(csv[0]).toBe('optimizer,step,f,x,y')
    expect(csv).toHaveLength(22)
    for (const line of csv.slice(1)) {
      const [, , f, x, y] = line.split(',').map(Number)
      expect(f).toBeCloseTo(x * x + 3 * y * y, 14)
    }
    expect(readFileSync(join(one.cwd, 'one.csv'), 'utf8').split('\n')[0]).toBe('optimizer,step,f')
  })

  it('names the scales the loss plot used, never "log" when f was never positive', () => {
    const down = run(['optimize', '-x^2 - 1', '--from', '1', '--optimizer', '{"sgd": {"lr": 0.1}}', '--steps', '5', '--plot', 'down.svg'])
    expect(down.stdout).toContain('linear step axis, linear f axis')
    expect(down.stdout).not.toContain('log f axis')
    expect(readFileSync(join(down.cwd, 'down.svg'), 'utf8')).toContain('f(x) (linear scale)')
    const up = run(['optimize', 'x^2 + 1', '--from', '1', '--optimizer', '{"sgd": {"lr": 0.1}}', '--steps', '5', '--plot', 'up.svg'])
    expect(up.stdout).toContain('linear step axis, log f axis')
  })
})

describe('race', () => {
  it('--json gives one object per optimizer with the step at which f < 1e-6', () => {
    // sgd with lr 0.5 on x^2 + y^2 lands on the minimum in one step; lr 0.1 shrinks f by 0.64 per step:
    // 0.64^k·f0 < 1e-6 with f0 = 0.25 first at k = ceil(log(4e-6)/log(0.64)) = 28
    const out = json(['race', 'x^2 + y^2', '--from', '0.3,0.4', '--optimizers', '{"sgd": {"lr": 0.5}};{"sgd": {"lr": 0.1}};newton', '--steps', '40', '--json'])
    expect(Object.keys(out)).toEqual(['runs', 'minimum'])
    expect(out.minimum).toBeNull()
    const runs = out.runs
    expect(runs.map((e: { optimizer: string }) => e.optimizer)).toEqual(['sgd lr=0.5', 'sgd lr=0.1', 'newton'])
    expect(Object.keys(runs[0])).toEqual(['optimizer', 'final', 'value', 'steps', 'reason', 'values'])
    expect(runs.every((e: { steps: number; values: number[]; reason: string }) => e.steps === 40 && e.values.length === 41 && e.reason === 'steps')).toBe(true)
    // f after k steps of lr 0.1 is 0.25·0.64ᵏ; the first below 1e-6 is k = ceil(log(4e-6)/log(0.64)) = 28
    runs[1].values.forEach((v: number, k: number) => expect(v).toBeCloseTo(0.25 * 0.64 ** k, 15))
    const reached = runs[1].values.findIndex((v: number) => v < 1e-6)
    expect(reached).toBe(Math.ceil(Math.log(4e-6) / Math.log(0.64)))
    expect(runs[0].values.slice(0, 2)).toEqual([0.25, 0])
    expect(runs[1].value).toBe(runs[1].values[40])
    // the table shows the same first steps below the target
    const table = run(['race', 'x^2 + y^2', '--from', '0.3,0.4', '--optimizers', '{"sgd": {"lr": 0.5}};{"sgd": {"lr": 0.1}}', '--steps', '40'])
    expect(table.stdout).toMatch(/sgd lr=0\.5 .* 1\n/)
    expect(table.stdout).toMatch(new RegExp(`sgd lr=0\\.1 .* ${reached}\\n`))
  })

  it('--trajectory adds every point, so values[k] = f(trajectory[k])', () => {
    const out = json(['race', 'x^2 + 3*y^2', '--from', '1,1', '--optimizers', 'adam;{"sgd": {"lr": 0.1}}', '--steps', '25', '--json', '--trajectory'])
    for (const r of out.runs) {
      expect(r.trajectory).toHaveLength(26)
      expect(r.trajectory[25]).toEqual(r.final)
      r.trajectory.forEach(([x, y]: number[], k: number) => expect(r.values[k]).toBeCloseTo(x * x + 3 * y * y, 14))
    }
  })

  it('says "not reached" in the table', () => {
    const r = run(['race', 'x^2 + y^2', '--from', '0.3,0.4', '--optimizers', '{"sgd": {"lr": 0.01}}', '--steps', '3'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/sgd lr=0\.01\s+\(.*\)\s+[\d.e-]+\s+not reached/)
  })

  it('writes bounded pictures for a long run: 30,000 zigzag steps', () => {
    // lr 0.0999 on 10y² multiplies y by 1 − 0.0999·20 = −0.998 per step: a zigzag across the valley that decays slowly
    const r = run(['race', 'x^2 + 10*y^2', '--from', '3,1', '--optimizers', '{"sgd": {"lr": 0.0999}};adam', '--steps', '30000', '--plot', 'long.svg'])
    expect(r.code).toBe(0)
    const size = (name: string): number => readFileSync(join(r.cwd, name), 'utf8').length
    expect(size('long.svg') + size('long-loss.svg')).toBeLessThan(1_000_000)
    // the CSV is the bounded sample, not 60,002 rows
    expect(readFileSync(join(r.cwd, 'long.csv'), 'utf8').split('\n').length).toBeLessThan(2 * (512 + 8 * 256 * 6))
  })

  it('names the failing entry of --optimizers', () => {
    expectUsageError(run(['race', 'x^2', '--from', '1', '--optimizers', 'adam;{"newton": {"lr": "fast"}}']), '--optimizers entry 2', 'newton.lr')
  })

  it('--demo races the eight methods on Rosenbrock, analyses (1, 1) and writes race.svg', () => {
    const r = run(['race', '--demo', '--steps', '30', '--json'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(Object.keys(out)).toEqual(['runs', 'minimum'])
    expect(out.runs).toHaveLength(8)
    // Rosenbrock at the start (−1.5, 2): (2.5)² + 100·(2 − 2.25)² = 6.25 + 6.25
    expect(out.runs.every((e: { values: number[] }) => e.values[0] === 12.5 && e.values.length === 31)).toBe(true)
    // the composed Adam is the alias, step for step
    const [alias, composed] = [out.runs[5], out.runs[6]]
    expect(composed.final).toEqual(alias.final)
    expect(composed.values).toEqual(alias.values)
    expect(out.minimum.kind).toBe('minimum')
    expect(out.minimum.eigenvalues[0]).toBeCloseTo(eigen2(802, -400, 200)[0], 10)
    expect(readFileSync(join(r.cwd, 'race.svg'), 'utf8')).toContain('<svg')
    // every demo method's spec, decoded as a user would pass it, runs exactly as the built-in one
    const specs = demoMethods(capturedIo()).map((m) => m.spec).join(';')
    const again = json(['race', '(1 - x)^2 + 100*(y - x^2)^2', '--from', '-1.5,2', '--optimizers', specs, '--steps', '30', '--json'])
    expect(again.runs.map((e: { final: number[] }) => e.final)).toEqual(out.runs.map((e: { final: number[] }) => e.final))
    expect(existsSync(join(r.cwd, 'race-loss.svg'))).toBe(true)
    expect(readFileSync(join(r.cwd, 'race.csv'), 'utf8').split('\n')[1]).toBe('sgd lr=2e-3,0,12.5,-1.5,2')
  })
})

describe('main', () => {
  it('prints help with an example for every command, and the version', () => {
    for (const command of ['analyze', 'optimize', 'race']) {
      const r = run([command, '--help'])
      expect(r.code).toBe(0)
      expect(r.stdout).toContain(`descent ${command}`)
      expect(r.stdout).toContain('Example')
    }
    const bare = run([])
    expect(bare.code).toBe(2)
    expect(bare.stdout).toBe('')
    expect(bare.stderr).toContain('descent race --demo')
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
    expect(run(['--version']).stdout.trim()).toBe(pkg.version)
  })

  it('exits 2 on an unknown command and 1 on an internal error, without a stack trace', () => {
    expectUsageError(run(['analyse']), "unknown command 'analyse' (did you mean analyze?)")
    expectUsageError(run(['anlyze']), 'did you mean analyze?')
    expectUsageError(run(['frobnicate']), "unknown command 'frobnicate'; the commands are analyze, optimize, race")
    const r = run(['analyze', 'x', '--at', '1'], {
      io: {
        out: () => {
          throw new Error('disk on fire')
        }
      }
    })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('internal error: disk on fire')
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it('under --json, reports errors as JSON on stderr with the same exit statuses', () => {
    const bad = run(['race', 'x^2', '--from', 'a', '--json'])
    expect(bad.code).toBe(2)
    expect(bad.stdout).toBe('')
    expect(JSON.parse(bad.stderr)).toEqual({ error: "--from: 'a' is not a number; give coordinates like -1.5,2", where: '--from' })
    const parse = JSON.parse(run(['analyze', 'x^2 + y)', '--at', '1,2', '--json']).stderr)
    expect(parse.where).toBe('expression')
    expect(parse.error).toContain('column 8')
    expect(JSON.parse(run(['optimize', 'x^2', '--from', '1', '--optimizers', 'adam', '--json']).stderr)).toMatchObject({ where: '--optimizers' })
    expect(JSON.parse(run(['anlyze', '--json']).stderr)).toMatchObject({ where: 'command' })
    const internal = run(['analyze', 'x', '--at', '1', '--json'], {
      io: {
        out: () => {
          throw new Error('disk on fire')
        }
      }
    })
    expect(internal.code).toBe(1)
    expect(JSON.parse(internal.stderr)).toEqual({ error: 'internal error: disk on fire', where: 'internal' })
  })

  it('draws a progress bar only when stderr is a terminal and the run is long', () => {
    let clock = 0
    const tick = () => (clock += 40)
    const argv = ['optimize', 'x^2', '--from', '1', '--optimizer', '{"sgd": {"lr": 0.1}}', '--steps', '100', '--json']
    const tty = capturedIo({ errIsTTY: true, now: tick })
    expect(main(argv, tty)).toBe(0)
    expect(tty.stderr()).toMatch(/^\rsgd lr=0\.1 \[█+░*\] +\d+%/)
    expect(tty.stderr().endsWith('\r\x1b[K')).toBe(true)
    expect(JSON.parse(tty.stdout()).steps).toBe(100)
    const pipe = capturedIo({ errIsTTY: false, now: tick })
    expect(main(argv, pipe)).toBe(0)
    expect(pipe.stderr()).toBe('')
    const quick = capturedIo({ errIsTTY: true, now: () => 0 })
    expect(main(argv, quick)).toBe(0)
    expect(quick.stderr()).toBe('')
  })
})
