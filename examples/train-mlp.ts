/**
 * Training a small neural network: a 2 → 16 → 16 → 1 tanh MLP on the "two
 * moons" dataset (256 points, generated with a seed), logistic loss, trained
 * by minibatch SGD and by Adam with the `train` driver (batches of 32,
 * seeded shuffling). Prints the loss and accuracy every few epochs; with
 * `--plot out.svg` also writes the loss curves (`out.svg`) and the accuracy
 * curves (`out-accuracy.svg`).
 *
 *   npx tsx examples/train-mlp.ts [--plot train-mlp.svg]
 *   npx tsx examples/train-mlp.ts --fast      # fewer epochs (CI)
 *
 * Checkable: the untrained network's loss is near ln 2 ≈ 0.693 (outputs near
 * 0 give probability ½ to either class); a linear classifier gets about 85 %
 * on two moons, so accuracies above that mean the hidden layers bend the
 * boundary.
 */
import { writeFileSync } from 'node:fs'
import { type BatchLossAndGrad, train } from '../src/drivers/train.js'
import { type Sym, jit, matmul, mean, reshape, softplus, tanh, valueAndGrad } from '../src/graph/index.js'
import { lossPlot } from '../src/cli/plot.js'
import { adam, classicSgd } from '../src/optim/aliases.js'
import type { Optimizer } from '../src/optim/Optimizer.js'
import { random } from '../src/tensor/Random.js'
import { type Tensor, fromArray } from '../src/tensor/Tensor.js'
import type { TensorTree } from '../src/tensor/Tree.js'

const fast = process.argv.includes('--fast')
const plotAt = process.argv.indexOf('--plot')
const plotPath = plotAt >= 0 ? process.argv[plotAt + 1] ?? 'train-mlp.svg' : undefined
const epochs = fast ? 15 : 150
const batchSize = 32
const n = 256

// -------------------------------------------------------------------------------------
// data: two interleaved half circles, labels ±1
// -------------------------------------------------------------------------------------

const twoMoons = (count: number, noise: number, seed: number): { readonly x: Tensor; readonly y: Tensor } => {
  const rng = random(seed)
  const xs: number[] = []
  const ys: number[] = []
  for (let i = 0; i < count; i++) {
    const upper = i % 2 === 0
    const t = Math.PI * rng.next()
    const [px, py] = upper ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)]
    xs.push(px + noise * rng.normal([1]).item(), py + noise * rng.normal([1]).item())
    ys.push(upper ? 1 : -1)
  }
  return { x: fromArray([count, 2], xs), y: fromArray([count], ys) }
}

const data = twoMoons(n, 0.15, 42)

// -------------------------------------------------------------------------------------
// model: logits z = W₃ᵀ tanh(W₂ᵀ tanh(W₁ᵀx + b₁) + b₂) + b₃, loss mean softplus(−y·z)
// -------------------------------------------------------------------------------------

interface Params<T> {
  readonly w1: T
  readonly b1: T
  readonly w2: T
  readonly b2: T
  readonly w3: T
  readonly b3: T
}

const logits = (p: Params<Sym>, x: Sym): Sym => {
  const h1 = tanh(matmul(x, p.w1).add(p.b1))
  const h2 = tanh(matmul(h1, p.w2).add(p.b2))
  return reshape(matmul(h2, p.w3).add(p.b3), [x.shape[0]])
}

/** −log σ(y·z) = softplus(−y·z): the logistic loss with labels ±1. */
const loss = (p: Params<Sym>, batch: { readonly x: Sym; readonly y: Sym }): Sym => mean(softplus(logits(p, batch.x).mul(batch.y).neg()))

/** Glorot-style start: weights N(0, 1/fan_in), biases 0, from a seed. */
const initParams = (seed: number): Params<Tensor> => {
  const rng = random(seed)
  const layer = (fanIn: number, fanOut: number): Tensor => rng.normal([fanIn, fanOut], 0, 1 / Math.sqrt(fanIn))
  const zeros = (k: number): Tensor => fromArray([k], new Float64Array(k))
  return { w1: layer(2, 16), b1: zeros(16), w2: layer(16, 16), b2: zeros(16), w3: layer(16, 1), b3: zeros(1) }
}

const lossAndGrad = valueAndGrad(loss) as unknown as BatchLossAndGrad
const predict = jit(logits)
const fullLoss = jit(loss)

const accuracy = (p: Params<Tensor>): number => {
  const z = predict(p, data.x).data
  let right = 0
  for (let i = 0; i < n; i++) if (Math.sign(z[i]) === data.y.data[i]) right++
  return right / n
}

// -------------------------------------------------------------------------------------
// training
// -------------------------------------------------------------------------------------

interface Curve {
  readonly name: string
  readonly losses: number[]
  readonly accuracies: number[]
}

const run = (name: string, optimizer: Optimizer<unknown>): Curve => {
  let params = initParams(1) as unknown as TensorTree
  const curve: Curve = { name, losses: [fullLoss(params as unknown as Params<Tensor>, data).item()], accuracies: [accuracy(params as unknown as Params<Tensor>)] }
  let state: unknown
  for (let e = 1; e <= epochs; e++) {
    // one epoch at a time so the curves hold full-dataset loss and accuracy after each epoch
    const result = train(lossAndGrad, params, data as unknown as TensorTree, resume(optimizer, state), { batchSize, seed: e, epochs: 1 })
    params = result.params
    state = result.state
    const p = params as unknown as Params<Tensor>
    curve.losses.push(fullLoss(p, data).item())
    curve.accuracies.push(accuracy(p))
  }
  return curve
}

/** The optimizer, but starting from `state` when there is one (to continue across epochs). */
const resume = (optimizer: Optimizer<unknown>, state: unknown): Optimizer<unknown> =>
  state === undefined ? optimizer : { ...optimizer, init: () => state }

const curves = [run('minibatch SGD lr=0.1', classicSgd({ lr: 0.1 }) as Optimizer<unknown>), run('Adam lr=0.01', adam({ lr: 0.01 }) as Optimizer<unknown>)]

console.log(`two moons: ${n} points (noise 0.15, seed 42); MLP 2-16-16-1 tanh; batches of ${batchSize}, ${n / batchSize} steps per epoch\n`)
const every = fast ? 5 : 25
const header = ['epoch', ...curves.flatMap((c) => [`${c.name}: loss`, 'accuracy'])]
const rows: string[][] = []
for (let e = 0; e <= epochs; e += every) rows.push([String(e), ...curves.flatMap((c) => [c.losses[e].toFixed(4), `${(100 * c.accuracies[e]).toFixed(1)} %`])])
const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)))
const line = (r: readonly string[]): string => r.map((c, j) => c.padStart(widths[j])).join('  ')
console.log(line(header))
console.log(line(widths.map((w) => '─'.repeat(w))))
for (const r of rows) console.log(line(r))

if (plotPath !== undefined) {
  writeFileSync(plotPath, lossPlot({ series: curves.map((c) => ({ name: c.name, values: c.losses })), title: 'Two moons: training loss by epoch', xLabel: 'epoch', yLabel: 'mean logistic loss' }))
  const accuracyPath = plotPath.replace(/(\.svg)?$/, '-accuracy.svg')
  writeFileSync(
    accuracyPath,
    lossPlot({ series: curves.map((c) => ({ name: c.name, values: c.accuracies.map((a) => 1 - a) })), title: 'Two moons: error rate (1 − accuracy) by epoch', xLabel: 'epoch', yLabel: 'error rate' })
  )
  console.log(`\nwrote ${plotPath} and ${accuracyPath}`)
}
