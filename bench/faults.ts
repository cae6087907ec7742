/**
 * W5 step by step: each step's milliseconds and page faults, for the W5
 * implementations named (default: the pure step and the handwritten pure
 * loop), each in a process of its own, from the same parameters and gradient
 * as bench/optim.ts. It shows what a median hides: a pure step whose fresh
 * arrays land on pages the process already has runs at the in-place loop's
 * speed, and one whose arrays are new pages pays the kernel for each of them.
 *
 *   npx tsx bench/faults.ts [--steps=80] [pure handwritten-pure handwritten-2buf donated handwritten]
 */
import { spawnSync } from 'node:child_process'
import { IMPLS, type Impl, stepperOf, w5Inputs } from './optim.js'

const fail = (message: string): never => {
  console.error(`bench/faults: ${message}`)
  process.exit(2)
}
const stepsArg = process.argv.find((a) => a.startsWith('--steps='))
const steps = stepsArg === undefined ? 80 : Number(stepsArg.slice('--steps='.length))
if (!Number.isInteger(steps) || steps < 1) fail(`--steps must be a positive integer, got '${stepsArg}'`)
const named = process.argv.slice(2).filter((a) => !a.startsWith('--'))
for (const name of named) {
  if (!IMPLS.includes(name as Impl)) fail(`no implementation '${name}' (one of ${IMPLS.join(', ')})`)
}

const one = process.env.DESCENT_FAULTS_ONE as Impl | undefined
if (one !== undefined) {
  // the child: step and print "ms/faults" a step
  const { n, g, p0 } = w5Inputs()
  const [step] = stepperOf(one, n, g, p0)
  const cells: string[] = []
  for (let k = 0; k < steps; k++) {
    const f0 = process.resourceUsage().minorPageFault
    const t0 = performance.now()
    step()
    const ms = performance.now() - t0
    cells.push(`${ms.toFixed(0)}/${process.resourceUsage().minorPageFault - f0}`)
  }
  console.log(cells.join(' '))
} else {
  console.log(`each step as milliseconds/page faults, ${steps} steps from the first`)
  for (const impl of named.length > 0 ? (named as Impl[]) : (['pure', 'handwritten-pure'] as const)) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, `--steps=${steps}`], {
      encoding: 'utf8',
      env: { ...process.env, DESCENT_FAULTS_ONE: impl }
    })
    if (child.status !== 0) fail(`${impl}: ${child.stderr}`)
    console.log(`${impl}: ${child.stdout.trim()}`)
  }
}
