/** Fuzzing the command line in-process: any argument list ends in exit 0 or a usage error (2), never an internal error. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { capturedIo } from '../../src/cli/io.js'
import { main } from '../../src/cli/main.js'

const cwd = mkdtempSync(join(tmpdir(), 'descent-fuzz-cli-'))
writeFileSync(join(cwd, 'good.json'), '{"adam": {"lr": 0.1}}')
writeFileSync(join(cwd, 'deep.json'), `${'['.repeat(5000)}${']'.repeat(5000)}`)
writeFileSync(join(cwd, 'bom.json'), '\uFEFF{"adam": {}}')
afterAll(() => rmSync(cwd, { recursive: true, force: true }))

const commands = fc.constantFrom('analyze', 'optimize', 'race', 'help', '--help', '--version', 'nope', '')
const expressions = fc.constantFrom('x^2 + y^2', '(1-x)^2 + 100*(y-x^2)^2', 'x^2 - y^2', 'sqrt(x)', 'log(x) + y', 'x/y', '.e5', 'x +', '1'.repeat(500), 'sin(x)*y', 'exp(x*100)')
const points = fc.oneof(fc.constantFrom('1,2', '0,0', '-1.5,2', '1', 'a,b', '1e400,0', 'NaN,1', ',', ''), fc.tuple(fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true })).map(([a, b]) => `${a},${b}`))
const specs = fc.constantFrom('adam', 'sgd', '{"sgd": {"lr": 0.1}}', 'toString', '__proto__', '{"__proto__": {}}', '{"valueOf": {"radius": 1}}', 'newton', 'saddle-free-newton', '{"newton": {"radius": 1e400}}', '@good.json', '@deep.json', '@bom.json', '@missing.json', '[{"clip": {"max": 1}}, {"sgd": {"lr": 0.1}}]', '[]', '{"adam": {"lr": -1}}', 'adam;lion', ';;')
const flagWithValue = fc.oneof(
  points.map((p) => ['--at', p]),
  points.map((p) => ['--from', p]),
  specs.map((s) => ['--optimizer', s]),
  specs.map((s) => ['--optimizers', s]),
  fc.constantFrom('0', '1', '7', '-3', '1e9', 'x', '2.5').map((n) => ['--steps', n]),
  fc.constantFrom('x,y', 'y,x', 'x', 'sin,y', 'x,x', '').map((v) => ['--vars', v]),
  fc.constantFrom('1e-6', '-1', 'q').map((v) => ['--grad-tol', v]),
  fc.constantFrom('out.svg', 'sub/none/out.svg', '').map((v) => ['--plot', v])
)
const flags = fc.array(fc.oneof(flagWithValue, fc.constantFrom(['--json'], ['--trajectory'], ['--demo'], ['--bogus'], ['-x'])), { maxLength: 4 })
const argvs = fc.tuple(commands, expressions, flags).map(([c, e, fs]) => [c, e, ...fs.flat()])

describe('the command line on generated arguments', () => {
  it('exits 0, or 2 with a message and no stack trace; never 1', () => {
    fc.assert(
      fc.property(argvs, (argv) => {
        // Keep runs short: a generated --steps above 50 is clamped.
        const bounded = argv.map((a, i) => (argv[i - 1] === '--steps' && Number(a) > 50 ? '50' : a))
        const io = capturedIo({ cwd })
        const code = main(bounded, io)
        expect([0, 2], `${JSON.stringify(bounded)}\n${io.stderr()}`).toContain(code)
        expect(io.stderr()).not.toMatch(/\n\s+at .*:\d+:\d+/)
        if (code === 2) {
          expect(io.stdout()).toBe('')
          expect(io.stderr().length).toBeGreaterThan(0)
          expect(io.stderr().length).toBeLessThan(3000)
        }
      }),
      { seed: 1209, numRuns: 300 }
    )
  })
})
