/**
 * The benchmarks: every workload measured in one run, side by side, medians
 * over repeated batches after warm-up in interleaved rounds, each
 * implementation's answer checked against the handwritten peer before its
 * time is reported. Peers: handwritten float64 JavaScript (what a careful
 * person writes), PyTorch (float64, one thread, in a child process; skipped
 * with a message when /usr/bin/python3 or torch is missing) and TF.js
 * (float32, in a child process too, so that its garbage is not collected
 * during the batches of the others).
 *
 *   npm run bench                 a table with ratios to the handwritten and PyTorch peers
 *   npm run -s bench -- --json    a JSON array of {workload, impl, median, unit}
 *   npm run bench -- --quick      a short smoke run (no TF.js, no PyTorch)
 *   npm run bench -- --only=W3,W4 just these workloads
 */
import { symmetricEigenOfArray } from '../src/curvature/eigen.js'
import { hessianOperator } from '../src/curvature/graphOperator.js'
import * as E from 'fp-ts/lib/Either.js'
import { cpus, totalmem } from 'node:os'
import { spawnSync } from 'node:child_process'
import { type Sym, constant, grad, hessian, hvp, jit } from '../src/graph/index.js'
import { Tensor, tensor } from '../src/tensor/Tensor.js'
import { type Impl, type Row, compare, crossCheck } from './harness.js'
import { benchCurvature, handwrittenRosenbrockHessianEig2x2 } from './curvature.js'
import type { OptimBench, StepCost } from './optim.js'
import { startPeer } from './peer.js'
import { type TorchPeer, startTorch } from './torch.js'
import * as w from './workloads.js'

const args = process.argv.slice(2)
const json = args.includes('--json')
const quick = args.includes('--quick')
/** `--only W3,W4`: just these workloads (W6 needs W4's problem, which is built either way). */
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',')
const wants = (workload: string): boolean => only === undefined || only.includes(workload)
const opts = { quick }
const rows: Row[] = []
/** W5's implementations' costs beyond time, a step: a pure step's fresh memory shows here in every run. */
let w5Costs: Readonly<Record<string, StepCost>> | undefined
const log = (s: string): void => {
  if (!json) process.stderr.write(`${s}\n`)
}

const push = (r: Row): void => {
  rows.push(r)
  log(`  ${r.workload.padEnd(4)} ${r.impl.padEnd(12)} ${r.median.toPrecision(4)} ${r.unit}`)
}

/** Time a workload's implementations in interleaved rounds and record them. */
const record = async (workload: string, impls: Record<string, Impl>, unit: 'us' | 'ms' = 'us'): Promise<void> => {
  for (const [impl, us] of Object.entries(await compare(impls, opts))) {
    push({ workload, impl, median: unit === 'ms' ? us / 1000 : us, unit })
  }
}

const FLOAT32 = 2e-3
/** PyTorch computes in float64 too, summing in its own order. */
const FLOAT64 = 1e-11

/** The machine, as one line: CPU model and cores, memory, Node, the PyTorch peer's version and BLAS, and TF.js's version. */
const machine = (torch: TorchPeer | string | undefined, tfjs: { tfjs: string } | undefined): string => {
  const cores = cpus()
  const parts = [`${cores[0]?.model.trim() ?? 'unknown CPU'}, ${cores.length} cores`, `${Math.round(totalmem() / 2 ** 30)} GiB`, `Node ${process.versions.node}`]
  if (typeof torch === 'object') parts.push(`PyTorch ${torch.info.torch} (Python ${torch.info.python}, ${torch.info.threads} thread, float64, BLAS ${torch.info.blas.join(' + ') || 'unknown'})`)
  else if (typeof torch === 'string') parts.push(`no PyTorch peer: ${torch}`)
  if (tfjs !== undefined) parts.push(`TF.js ${tfjs.tfjs} (CPU backend, float32)`)
  return parts.join('; ')
}

const main = async (): Promise<void> => {
  // TF.js in a process of its own too: its tensors and garbage would otherwise be collected during our batches
  const tfjsOrReason = quick ? undefined : await startPeer<{ tfjs: string }>('TF.js', process.execPath, ['--import', 'tsx', new URL('./tfjs_peer.ts', import.meta.url).pathname])
  const tfjs = typeof tfjsOrReason === 'object' ? tfjsOrReason : undefined
  if (typeof tfjsOrReason === 'string') log(`TF.js peer skipped: ${tfjsOrReason}`)
  const torchOrReason = quick ? undefined : await startTorch()
  const torch = typeof torchOrReason === 'object' ? torchOrReason : undefined
  if (typeof torchOrReason === 'string') log(`PyTorch peer skipped: ${torchOrReason}`)
  const machineLine = machine(torchOrReason, tfjs?.info)
  log(`machine: ${machineLine}`)
  /** Add the PyTorch peer of a workload to `impls`, once its answer matches. */
  const withTorch = async (workload: string, impls: Record<string, Impl>, want: ArrayLike<number>, inputs?: Record<string, ArrayLike<number>>, tol = FLOAT64) => {
    if (torch === undefined) return
    crossCheck(workload, 'pytorch', await torch.setup(workload, inputs), want, tol)
    impls.pytorch = torch.remote(workload)
  }
  /** Add the TF.js peer of a workload (float32: a float32-sized tolerance) to `impls`, once its answer matches. */
  const withTfjs = async (workload: string, impls: Record<string, Impl>, want: ArrayLike<number>) => {
    if (tfjs === undefined) return
    crossCheck(workload, 'tfjs', await tfjs.setup(workload), want, FLOAT32)
    impls.tfjs = tfjs.remote(workload)
  }

  // W1 --------------------------------------------------------------------------------
  if (wants('W1')) {
    log('W1: gradient of 2-D Rosenbrock at (−1.2, 1)')
    const want = w.rosenbrockGradHandwritten(-1.2, 1)
    crossCheck('W1', 'handwritten', want, [-215.6, -88], 1e-12)
    const g = grad(w.rosenbrock)
    const p = tensor([-1.2, 1])
    crossCheck('W1', 'descent', g(p).data, want, 1e-14)
    const impls: Record<string, Impl> = { handwritten: () => w.rosenbrockGradHandwritten(-1.2, 1), descent: () => g(p) }
    await withTorch('W1', impls, want)
    await withTfjs('W1', impls, want)
    await record('W1', impls)
  }

  // W2 --------------------------------------------------------------------------------
  if (wants('W2')) {
    log('W2: Hessian of 2-D Rosenbrock at (1, 1) and its eigenvalues')
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
    const impls: Record<string, Impl> = { handwritten: hand, descent: ours }
    await withTorch('W2', impls, want)
    await withTfjs('W2', impls, want)
    await record('W2', impls)
  }

  // W3 --------------------------------------------------------------------------------
  if (wants('W3')) {
    log('W3: HVP and gradient of extended Rosenbrock, n = 10,000')
    const { x, v } = w.extendedPoint(10_000)
    const wantH = w.extendedHvpHandwritten(x.data, v.data)
    const wantG = w.extendedGradHandwritten(x.data)
    const h = hvp(w.extendedRosenbrock)
    const hr = hvp(w.extendedRosenbrock, { mode: 'reverse-over-reverse' })
    const g = grad(w.extendedRosenbrock)
    crossCheck('W3', 'descent', h(x, v).data, wantH, 1e-12)
    crossCheck('W3', 'descent-rr', hr(x, v).data, wantH, 1e-12)
    crossCheck('W3g', 'descent', g(x).data, wantG, 1e-12)
    const hvps: Record<string, Impl> = {
      handwritten: () => w.extendedHvpHandwritten(x.data, v.data),
      descent: () => h(x, v),
      'descent-rr': () => hr(x, v)
    }
    const grads: Record<string, Impl> = { handwritten: () => w.extendedGradHandwritten(x.data), descent: () => g(x) }
    await withTorch('W3', hvps, wantH, { x: x.data, v: v.data })
    await withTorch('W3g', grads, wantG, { x: x.data })
    await withTfjs('W3', hvps, wantH)
    await withTfjs('W3g', grads, wantG)
    await record('W3', hvps)
    await record('W3g', grads)
  }

  // W4 --------------------------------------------------------------------------------
  const problem = w.mlpProblem()
  const bufs = w.buffersOf(problem.params)
  const mlpInputs = { b1: bufs.b1, b2: bufs.b2, w1: bufs.w1, w2: bufs.w2, x: problem.x.data, y: problem.y.data }
  if (wants('W4')) {
    log('W4: MLP 64→128 tanh→1, batch 256: gradient (W4) and loss (W4f)')
    const hand = w.mlpHandwritten(bufs, problem.x.data, problem.y.data)
    const wantG = w.flatMlp(hand.grad())
    const wantF = hand.loss()
    const g = grad(w.mlpLoss)
    const f = jit(w.mlpLoss)
    const flatTree = (t: { b1: Tensor; b2: Tensor; w1: Tensor; w2: Tensor }) => w.flatMlp({ w1: t.w1.data, b1: t.b1.data, w2: t.w2.data, b2: t.b2.data })
    crossCheck('W4', 'descent', flatTree(g(problem.params as never, problem.x, problem.y) as never), wantG, 1e-12)
    crossCheck('W4f', 'descent', [f(problem.params as never, problem.x, problem.y).item()], [wantF], 1e-13)
    const grads: Record<string, Impl> = { handwritten: hand.grad, descent: () => g(problem.params as never, problem.x, problem.y) }
    const losses: Record<string, Impl> = { handwritten: hand.loss, descent: () => f(problem.params as never, problem.x, problem.y) }
    await withTorch('W4', grads, wantG, mlpInputs)
    await withTorch('W4f', losses, [wantF])
    await withTfjs('W4', grads, wantG)
    await withTfjs('W4f', losses, [wantF])
    await record('W4', grads)
    await record('W4f', losses)
  }

  // W5 --------------------------------------------------------------------------------
  // in a process of its own: a step allocates 24 MB, and how fast that is depends on the heap around it
  if (wants('W5')) {
    log('W5: one Adam step on 1,000,000 parameters, the update applied')
    const child = spawnSync(process.execPath, ['--import', 'tsx', new URL('./optim.ts', import.meta.url).pathname, ...(quick ? ['--quick'] : [])], {
      encoding: 'utf8',
      maxBuffer: 1 << 24
    })
    if (child.status !== 0) throw new Error(`W5: ${child.stderr}`)
    const result = JSON.parse(child.stdout) as OptimBench
    for (const r of result.rows) push(r)
    w5Costs = result.costs
    log(stepCosts(w5Costs))
  }

  // W8 --------------------------------------------------------------------------------
  if (wants('W8')) {
    log('W8: donated Adam step on 1,000,000 parameters, with a user stage in the middle and without')
    const child = spawnSync(process.execPath, ['--import', 'tsx', new URL('./stages.ts', import.meta.url).pathname, ...(quick ? ['--quick'] : [])], { encoding: 'utf8', maxBuffer: 1 << 24 })
    if (child.status !== 0) throw new Error(`W8: ${child.stderr}`)
    for (const r of JSON.parse(child.stdout) as Row[]) push(r)
  }

  // W6 --------------------------------------------------------------------------------
  if (wants('W6')) {
    log('W6: top Hessian eigenvalue of the W4 loss, 20 power iterations')
    const start = w.flatMlp(w.buffersOf(w.powerStart(problem.params)))
    const theta = Tensor.unsafeFromBuffer([start.length], w.flatMlp(bufs))
    const x = constant(problem.x)
    const y = constant(problem.y)
    /** The W4 loss of the parameters packed in the tree's order (b1, b2, w1, w2), the data as constants. */
    const packedLoss = (t: Sym): Sym => {
      const h = bufs.b1.length
      const d = bufs.w1.length / h
      return w.mlpLoss({
        b1: t.slice(0, h),
        b2: t.slice(h, h + 1),
        w1: t.slice(h + 1, h + 1 + d * h).reshape([d, h]),
        w2: t.slice(h + 1 + d * h).reshape([h, 1])
      }, x, y)
    }
    const flatPower = (apply: (v: Float64Array) => Float64Array) => w.powerIteration(apply, start, (v) => v, (v) => v)
    const hand = () => flatPower(w.mlpHvpHandwritten(bufs, problem.x.data, problem.y.data))
    const ours = () => {
      const op = hessianOperator(packedLoss, theta)
      if (E.isLeft(op)) throw new Error(op.left.message)
      return flatPower(op.right)
    }
    // the same products through `hvp` on the parameter tree: nothing kept between products
    const h = hvp(w.mlpLoss)
    const sizes = [problem.params.b1, problem.params.b2, problem.params.w1, problem.params.w2]
    const fromFlat = (f: Float64Array): w.MlpParams => {
      let k = 0
      const [b1, b2, w1, w2] = sizes.map((p) => Tensor.unsafeFromBuffer(p.shape, f.slice(k, (k += p.size))))
      return { b1, b2, w1, w2 }
    }
    const treeApply = (v: w.MlpParams): w.MlpParams => h(problem.params as never, v as never, problem.x, problem.y) as never
    const oursTree = () => w.powerIteration(treeApply, fromFlat(start), (t) => w.flatMlp(w.buffersOf(t)), fromFlat)
    const want = hand()
    log(`  top eigenvalue after 20 iterations: ${want}`)
    crossCheck('W6', 'descent', [ours()], [want], 1e-10)
    crossCheck('W6', 'descent-hvp', [oursTree()], [want], 1e-10)
    const impls: Record<string, Impl> = { handwritten: hand, descent: ours, 'descent-hvp': oursTree }
    await withTorch('W6', impls, [want], { ...mlpInputs, start }, 1e-10)
    await record('W6', impls, 'ms')
  }
  torch?.close()
  tfjs?.close()

  // W7 --------------------------------------------------------------------------------
  if (wants('W7')) {
    log('W7: Lanczos top-5 eigenvalues of the 10,000-dimensional extended Rosenbrock Hessian')
    for (const r of benchCurvature(opts)) push(r)
  }

  // minimize-adam-2d ---------------------------------------------------------------------
  // in a process of its own: a 2-D step is a microsecond, and the heap and type feedback the workloads above leave behind show in it
  if (wants('minimize-adam-2d')) {
    log('minimize-adam-2d: µs per step of minimize with Adam on 2-D Rosenbrock, 1000 steps, against a plain loop')
    const child = spawnSync(process.execPath, ['--import', 'tsx', new URL('./minimize.ts', import.meta.url).pathname, '--json', ...(quick ? ['--quick'] : [])], {
      encoding: 'utf8',
      maxBuffer: 1 << 24
    })
    if (child.status !== 0) throw new Error(`minimize-adam-2d: ${child.stderr}`)
    for (const r of JSON.parse(child.stdout) as Row[]) push(r)
  }

  if (json) {
    console.log(JSON.stringify(rows))
    return
  }
  console.log(`machine: ${machineLine}\n`)
  console.log(table(rows))
  if (w5Costs !== undefined) console.log(`\n${stepCosts(w5Costs)}`)
}

const stepCosts = (costs: Readonly<Record<string, StepCost>>): string => {
  const lines = [
    'W5, what a step cost its process beyond its time (all threads; the collector runs on helpers):',
    '',
    '| impl | page faults a step | system ms a step | CPU ms a step |',
    '|---|---|---|---|'
  ]
  const names: Record<string, string> = { pure: 'descent (W5, pure)', donated: 'descent (W5d, donated)' }
  for (const [impl, c] of Object.entries(costs)) {
    lines.push(`| ${names[impl] ?? impl} | ${c.faults.toFixed(0)} | ${c.systemMs.toFixed(2)} | ${c.cpuMs.toFixed(2)} |`)
  }
  return lines.join('\n')
}

/** A table: one line per workload and implementation, with its ratios to the handwritten and PyTorch peers. */
const table = (rs: readonly Row[]): string => {
  const lines = ['| workload | impl | median | ÷ handwritten | ÷ PyTorch |', '|---|---|---|---|---|']
  const ratio = (r: Row, peer: string): string => {
    const base = rs.find((b) => b.workload === r.workload && b.impl === peer)
    if (base === undefined) return ''
    const q = r.median / base.median
    return `${q >= 0.1 ? q.toFixed(2) : q.toPrecision(2)}×`
  }
  for (const r of rs) {
    lines.push(`| ${r.workload} | ${r.impl} | ${r.median.toPrecision(4)} ${r.unit === 'us' ? 'µs' : 'ms'} | ${ratio(r, 'handwritten')} | ${ratio(r, 'pytorch')} |`)
  }
  return lines.join('\n')
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e)
  process.exit(1)
})
