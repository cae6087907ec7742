/**
 * The benchmarks: every workload measured in one run, side by side, medians
 * over repeated batches after warm-up, each implementation's answer checked
 * against the handwritten one before its time is reported.
 *
 *   npm run bench                 a table with ratios to handwritten
 *   npm run -s bench -- --json    a JSON array of {workload, impl, median, unit}
 *   npm run bench -- --quick      a short smoke run (no TF.js)
 */
import { symmetricEigenOfArray } from '../src/curvature/eigen.js'
import * as E from 'fp-ts/lib/Either.js'
import { grad, hessian, hvp, jit } from '../src/graph/index.js'
import { Tensor, tensor } from '../src/tensor/Tensor.js'
import { spawnSync } from 'node:child_process'
import { type Row, compare, crossCheck } from './harness.js'
import { benchCurvature, handwrittenRosenbrockHessianEig2x2 } from './curvature.js'
import * as w from './workloads.js'

const args = process.argv.slice(2)
const json = args.includes('--json')
const quick = args.includes('--quick')
const opts = { quick }
const rows: Row[] = []
const log = (s: string): void => {
  if (!json) process.stderr.write(`${s}\n`)
}

const push = (r: Row): void => {
  rows.push(r)
  log(`  ${r.workload.padEnd(4)} ${r.impl.padEnd(12)} ${r.median.toPrecision(4)} ${r.unit}`)
}

/** Time a workload's implementations in interleaved rounds and record them. */
const record = (workload: string, impls: Record<string, () => unknown>, unit: 'us' | 'ms' = 'us'): void => {
  for (const [impl, us] of Object.entries(compare(impls, opts))) {
    push({ workload, impl, median: unit === 'ms' ? us / 1000 : us, unit })
  }
}

const FLOAT32 = 2e-3

const main = async (): Promise<void> => {
  let tfjs: typeof import('./tfjs.js') | undefined
  if (!quick) {
    tfjs = await import('./tfjs.js')
    await tfjs.tfjsReady()
  }

  // W1 --------------------------------------------------------------------------------
  log('W1: gradient of 2-D Rosenbrock at (−1.2, 1)')
  {
    const want = w.rosenbrockGradHandwritten(-1.2, 1)
    crossCheck('W1', 'handwritten', want, [-215.6, -88], 1e-12)
    const g = grad(w.rosenbrock)
    const p = tensor([-1.2, 1])
    crossCheck('W1', 'descent', g(p).data, want, 1e-14)
    const impls: Record<string, () => unknown> = { handwritten: () => w.rosenbrockGradHandwritten(-1.2, 1), descent: () => g(p) }
    if (tfjs) {
      const tg = tfjs.tfjsRosenbrockGrad()
      crossCheck('W1', 'tfjs', tg(-1.2, 1), want, FLOAT32)
      impls.tfjs = () => tg(-1.2, 1)
    }
    record('W1', impls)
  }

  // W2 --------------------------------------------------------------------------------
  log('W2: Hessian of 2-D Rosenbrock at (1, 1) and its eigenvalues')
  {
    const hand = () => handwrittenRosenbrockHessianEig2x2(1, 1).eigenvalues
    const want = hand()
    crossCheck('W2', 'handwritten', want, [0.3993607674876, 1001.6006392325], 1e-12)
    const h = hessian(w.rosenbrock)
    const p = tensor([1, 1])
    const ours = () => {
      const H = h(p)
      const eig = symmetricEigenOfArray(H.data, 2)
      if (E.isLeft(eig)) throw new Error(eig.left.message)
      return eig.right.values
    }
    crossCheck('W2', 'descent', ours(), want, 1e-13)
    const impls: Record<string, () => unknown> = { handwritten: hand, descent: ours }
    if (tfjs) {
      const th = tfjs.tfjsRosenbrockHessianEig()
      crossCheck('W2', 'tfjs', th(1, 1), want, FLOAT32)
      impls.tfjs = () => th(1, 1)
    }
    record('W2', impls)
  }

  // W3 --------------------------------------------------------------------------------
  log('W3: HVP and gradient of extended Rosenbrock, n = 10,000')
  {
    const { x, v } = w.extendedPoint(10_000)
    const wantH = w.extendedHvpHandwritten(x.data, v.data)
    const wantG = w.extendedGradHandwritten(x.data)
    const h = hvp(w.extendedRosenbrock)
    const hr = hvp(w.extendedRosenbrock, { mode: 'reverse-over-reverse' })
    const g = grad(w.extendedRosenbrock)
    crossCheck('W3', 'descent', h(x, v).data, wantH, 1e-12)
    crossCheck('W3', 'descent-rr', hr(x, v).data, wantH, 1e-12)
    crossCheck('W3g', 'descent', g(x).data, wantG, 1e-12)
    const hvps: Record<string, () => unknown> = {
      handwritten: () => w.extendedHvpHandwritten(x.data, v.data),
      descent: () => h(x, v),
      'descent-rr': () => hr(x, v)
    }
    const grads: Record<string, () => unknown> = { handwritten: () => w.extendedGradHandwritten(x.data), descent: () => g(x) }
    if (tfjs) {
      const t = tfjs.tfjsExtended(x.data, v.data)
      crossCheck('W3', 'tfjs', t.hvp(), wantH, FLOAT32)
      crossCheck('W3g', 'tfjs', t.grad(), wantG, FLOAT32)
      hvps.tfjs = t.hvp
      grads.tfjs = t.grad
    }
    record('W3', hvps)
    record('W3g', grads)
  }

  // W4 --------------------------------------------------------------------------------
  log('W4: MLP 64→128 tanh→1, batch 256: gradient (W4) and loss (W4f)')
  const problem = w.mlpProblem()
  {
    const bufs = w.buffersOf(problem.params)
    const wantG = w.flatMlp(w.mlpGradHandwritten(bufs, problem.x.data, problem.y.data))
    const wantF = w.mlpLossHandwritten(bufs, problem.x.data, problem.y.data)
    const g = grad(w.mlpLoss)
    const f = jit(w.mlpLoss)
    const flatTree = (t: { b1: Tensor; b2: Tensor; w1: Tensor; w2: Tensor }) => w.flatMlp({ w1: t.w1.data, b1: t.b1.data, w2: t.w2.data, b2: t.b2.data })
    crossCheck('W4', 'descent', flatTree(g(problem.params as never, problem.x, problem.y) as never), wantG, 1e-12)
    crossCheck('W4f', 'descent', [f(problem.params as never, problem.x, problem.y).item()], [wantF], 1e-13)
    const grads: Record<string, () => unknown> = {
      handwritten: () => w.mlpGradHandwritten(bufs, problem.x.data, problem.y.data),
      descent: () => g(problem.params as never, problem.x, problem.y)
    }
    const losses: Record<string, () => unknown> = {
      handwritten: () => w.mlpLossHandwritten(bufs, problem.x.data, problem.y.data),
      descent: () => f(problem.params as never, problem.x, problem.y)
    }
    if (tfjs) {
      const t = tfjs.tfjsMlp(problem)
      const flat = t.grad()
      const joined = new Float64Array(wantG.length)
      let k = 0
      for (const a of flat) {
        joined.set(a, k)
        k += a.length
      }
      crossCheck('W4', 'tfjs', joined, wantG, FLOAT32)
      crossCheck('W4f', 'tfjs', [t.loss()], [wantF], FLOAT32)
      grads.tfjs = t.grad
      losses.tfjs = t.loss
    }
    record('W4', grads)
    record('W4f', losses)
  }

  // W5 --------------------------------------------------------------------------------
  log('W5: one Adam step on 1,000,000 parameters')
  // in a process of its own: a step allocates 24 MB, and how fast that is depends on the heap around it
  {
    const child = spawnSync(process.execPath, ['--import', 'tsx', new URL('./optim.ts', import.meta.url).pathname, ...(quick ? ['--quick'] : [])], {
      encoding: 'utf8',
      maxBuffer: 1 << 24
    })
    if (child.status !== 0) throw new Error(`W5: ${child.stderr}`)
    for (const r of JSON.parse(child.stdout) as Row[]) push(r)
  }

  // W8 --------------------------------------------------------------------------------
  log('W8: donated Adam step on 1,000,000 parameters, with a user stage in the middle and without')
  {
    const child = spawnSync(process.execPath, ['--import', 'tsx', new URL('./stages.ts', import.meta.url).pathname, ...(quick ? ['--quick'] : [])], { encoding: 'utf8', maxBuffer: 1 << 24 })
    if (child.status !== 0) throw new Error(`W8: ${child.stderr}`)
    for (const r of JSON.parse(child.stdout) as Row[]) push(r)
  }

  // W6 --------------------------------------------------------------------------------
  log('W6: top Hessian eigenvalue of the W4 loss, 20 power iterations')
  {
    const bufs = w.buffersOf(problem.params)
    const start = w.powerStart(problem.params)
    const sizes = [problem.params.b1.size, problem.params.b2.size, problem.params.w1.size, problem.params.w2.size]
    const shapes = [problem.params.b1.shape, problem.params.b2.shape, problem.params.w1.shape, problem.params.w2.shape]
    const toFlat = (t: w.MlpParams) => w.flatMlp(w.buffersOf(t))
    const fromFlat = (f: Float64Array): w.MlpParams => {
      const parts: Tensor[] = []
      let k = 0
      sizes.forEach((s, i) => {
        parts.push(Tensor.unsafeFromBuffer(shapes[i], f.slice(k, k + s)))
        k += s
      })
      return { b1: parts[0], b2: parts[1], w1: parts[2], w2: parts[3] }
    }
    const handApply = (v: w.MlpParams): w.MlpParams => {
      const r = w.mlpHvpHandwritten(bufs, w.buffersOf(v), problem.x.data, problem.y.data)
      return {
        w1: Tensor.unsafeFromBuffer(problem.params.w1.shape, r.w1),
        b1: Tensor.unsafeFromBuffer(problem.params.b1.shape, r.b1),
        w2: Tensor.unsafeFromBuffer(problem.params.w2.shape, r.w2),
        b2: Tensor.unsafeFromBuffer(problem.params.b2.shape, r.b2)
      }
    }
    const h = hvp(w.mlpLoss)
    const ourApply = (v: w.MlpParams): w.MlpParams => h(problem.params as never, v as never, problem.x, problem.y) as never
    const hand = () => w.powerIteration(handApply, start, toFlat, fromFlat)
    const ours = () => w.powerIteration(ourApply, start, toFlat, fromFlat)
    const want = hand()
    log(`  top eigenvalue after 20 iterations: ${want}`)
    crossCheck('W6', 'descent', [ours()], [want], 1e-10)
    record('W6', { handwritten: hand, descent: ours }, 'ms')
  }

  // W7 --------------------------------------------------------------------------------
  log('W7: Lanczos top-5 eigenvalues of the 10,000-dimensional extended Rosenbrock Hessian')
  for (const r of benchCurvature(opts)) push(r)

  if (json) {
    console.log(JSON.stringify(rows))
    return
  }
  console.log(table(rows))
}

/** A table: one line per workload and implementation, with the ratio to handwritten. */
const table = (rs: readonly Row[]): string => {
  const lines = ['| workload | impl | median | × handwritten |', '|---|---|---|---|']
  for (const r of rs) {
    const base = rs.find((b) => b.workload === r.workload && b.impl === 'handwritten')
    const ratio = base === undefined ? '' : `${(r.median / base.median).toFixed(2)}×`
    lines.push(`| ${r.workload} | ${r.impl} | ${r.median.toPrecision(4)} ${r.unit === 'us' ? 'µs' : 'ms'} | ${ratio} |`)
  }
  return lines.join('\n')
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e)
  process.exit(1)
})
