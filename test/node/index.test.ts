import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { Checkpoint } from '../../src/io/checkpoint.js'
import { parseOptimizerSpecArg, readCheckpointFile, writeCheckpointFile } from '../../src/node/index.js'
import type { Optimizer } from '../../src/optim/Optimizer.js'
import { scalar, tensor } from '../../src/tensor/Tensor.js'
import { flattenTensors } from '../../src/tensor/Tree.js'

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => {
  const x = new Uint8Array(new Float64Array(Array.from(a)).buffer)
  const y = new Uint8Array(new Float64Array(Array.from(b)).buffer)
  return x.length === y.length && x.every((v, i) => v === y[i])
}
const counter: Optimizer<{ count: number }> = { init: () => ({ count: 0 }), step: (s, g) => [{ count: s.count + 1 }, g] }
const temporaryDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'descent-node-'))

/** A pid that belonged to a process that has exited. */
const deadPid = (): number => {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
  return Number(child.stdout)
}

describe('writeCheckpointFile / readCheckpointFile', () => {
  it('writes files atomically and reads them back; a failed write keeps the old file', () => {
    const dir = temporaryDir()
    const file = path.join(dir, 'run.json')
    const cp: Checkpoint<unknown> = { step: 1, params: { w: scalar(-0), b: tensor([NaN, 5e-324]) }, state: { count: 1 } }
    expect(E.isRight(writeCheckpointFile(file, cp))).toBe(true)
    const before = fs.readFileSync(file, 'utf8')
    // A state that cannot be stored fails before the rename: the old file stays whole.
    const bad = writeCheckpointFile(file, { step: 2, params: cp.params, state: () => 1 })
    expect(E.isLeft(bad)).toBe(true)
    expect(fs.readFileSync(file, 'utf8')).toBe(before)
    expect(fs.readdirSync(dir)).toEqual(['run.json'])
    const back = readCheckpointFile(file, { optimizer: counter })
    if (E.isLeft(back)) throw new Error(back.left.join('\n'))
    const leaves = flattenTensors(back.right.params).leaves
    expect(sameBits([...leaves[0].data, ...leaves[1].data], [NaN, 5e-324, -0])).toBe(true)
    const missing = readCheckpointFile(path.join(dir, 'nope.json'), { optimizer: counter })
    expect(E.isLeft(missing) && missing.left[0]).toMatch(/cannot read/)
    fs.rmSync(dir, { recursive: true })
  })

  it("removes the temporary files of writers that died mid-write, and leaves a live writer's alone", () => {
    const dir = temporaryDir()
    const file = path.join(dir, 'run.json')
    const dead = deadPid()
    const stale = [`.run.json.${os.hostname()}.${dead}.tmp`, `.run.json.${dead}.1764000000000.tmp`]
    // The parent of this test is alive; its file must survive the sweep.
    const live = `.run.json.${os.hostname()}.${process.ppid}.tmp`
    const unrelated = `.other.json.${os.hostname()}.${dead}.tmp`
    for (const name of [...stale, live, unrelated]) fs.writeFileSync(path.join(dir, name), 'partial')
    expect(E.isRight(writeCheckpointFile(file, { step: 0, params: { w: scalar(1) }, state: { count: 0 } }))).toBe(true)
    expect(fs.readdirSync(dir).sort()).toEqual([live, unrelated, 'run.json'].sort())
    fs.rmSync(dir, { recursive: true })
  })
})

describe('writers killed mid-write', () => {
  it('leave the old file or the new one, and their temporary files do not accumulate', async () => {
    const dir = temporaryDir()
    const file = path.join(dir, 'run.json')
    const module = path.resolve('src/node/index.ts')
    const tensorModule = path.resolve('src/tensor/Tensor.ts')
    // A writer of ~1 MB checkpoints in a loop, killed with SIGKILL at seeded moments.
    const script = `import { writeCheckpointFile } from ${JSON.stringify(module)}
import { Tensor } from ${JSON.stringify(tensorModule)}
const w = Tensor.unsafeFromBuffer([120000], new Float64Array(120000).fill(0.5))
process.stdout.write('ready\\n')
for (let step = 0; ; step++) writeCheckpointFile(${JSON.stringify(file)}, { step, params: { w }, state: { count: step } })`
    const scriptFile = path.join(dir, 'writer.mts')
    fs.writeFileSync(scriptFile, script)
    // the old file: a writer killed before its first write completes (a loaded machine) must leave it whole
    expect(E.isRight(writeCheckpointFile(file, { step: 0, params: { w: scalar(1) }, state: { count: 0 } }))).toBe(true)
    const { spawn } = await import('node:child_process')
    for (const delay of [30, 70, 110, 160, 230]) {
      const child = spawn(process.execPath, ['--import', 'tsx', scriptFile], { stdio: ['ignore', 'pipe', 'inherit'] })
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()))
      await new Promise((resolve) => setTimeout(resolve, delay))
      child.kill('SIGKILL')
      await new Promise((resolve) => child.once('exit', resolve))
    }
    const temporaries = (): string[] => fs.readdirSync(dir).filter((name) => name.endsWith('.tmp'))
    expect(temporaries().length).toBeLessThanOrEqual(5)
    const back = readCheckpointFile(file, { optimizer: counter })
    if (E.isLeft(back)) throw new Error(back.left.join('\n'))
    expect(E.isRight(writeCheckpointFile(file, { step: 0, params: { w: scalar(1) }, state: { count: 0 } }))).toBe(true)
    expect(temporaries()).toEqual([])
    fs.rmSync(dir, { recursive: true })
  }, 60_000)
})

describe('parseOptimizerSpecArg', () => {
  it('reads @file, naming the file in errors', () => {
    const dir = temporaryDir()
    const good = path.join(dir, 'adam.json')
    const bad = path.join(dir, 'bad.json')
    fs.writeFileSync(good, '[{"ewma": {"beta": 0.9, "debias": true}}, {"sgd": {"lr": 0.1}}]')
    fs.writeFileSync(bad, '{"adam": {"lr": -1}}')
    expect(parseOptimizerSpecArg(`@${good}`)).toEqual(E.right([{ ewma: { beta: 0.9, debias: true } }, { sgd: { lr: 0.1 } }]))
    expect(parseOptimizerSpecArg(`@${bad}`)).toEqual(E.left([`${bad}: $.adam.lr: must be > 0, got -1`]))
    const missing = parseOptimizerSpecArg(`@${path.join(dir, 'nope.json')}`)
    expect(E.isLeft(missing) && missing.left[0]).toMatch(/cannot read optimizer spec file/)
    expect(parseOptimizerSpecArg('adam')).toEqual(E.right({ adam: {} }))
    fs.rmSync(dir, { recursive: true })
  })
})
