/**
 * `train`: minibatch gradient descent over a dataset. A dataset is a tree of
 * tensors whose leaves share their first axis (the N examples), e.g.
 * `{ x: [N, 3], y: [N] }`; a batch is the same tree with the chosen rows.
 * Batch size 1 is SGD, m is minibatch, N is full batch. Shuffling is seeded,
 * one permutation per epoch, so a run replays exactly.
 */
import { type Optimizer, applyUpdates, stepOwned } from '../optim/Optimizer.js'
import { random } from '../tensor/Random.js'
import { Tensor } from '../tensor/Tensor.js'
import { type TensorTree, flattenTensors, unflatten } from '../tensor/Tree.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** The loss on a batch and its gradient with respect to the parameters. */
export type BatchLossAndGrad = (params: TensorTree, batch: TensorTree) => readonly [number, TensorTree]

/** How a dataset is cut into batches. */
export interface MinibatchOptions {
  /** Examples per batch. Default: all of them (full batch). */
  readonly batchSize?: number
  /** Shuffle seed. Default 0. */
  readonly seed?: number
  /** Default true; false keeps the data order. */
  readonly shuffle?: boolean
  /** Drop the last batch when it is smaller than batchSize. Default false. */
  readonly dropLast?: boolean
}

/** Options of `train`: batching, epochs, progress and resuming. */
export interface TrainOptions<S = unknown> extends MinibatchOptions {
  /** Passes over the data. Default 1. */
  readonly epochs?: number
  /** Called after each step with the batch loss; returning false stops. */
  readonly onStep?: (info: { readonly step: number; readonly epoch: number; readonly loss: number; readonly params: TensorTree; readonly state: S }) => boolean | void
  /**
   * Resume: the optimizer state to start from (the driver takes it over) and
   * the number of steps already taken with the same data, seed and batch size.
   * The run then continues exactly where the checkpointed one was.
   */
  readonly state?: S
  readonly startStep?: number
}

/** Where training ended and the loss history. */
export interface TrainResult<S> {
  readonly params: TensorTree
  readonly state: S
  /** Steps taken by this call (not counting `startStep`). */
  readonly steps: number
  /** The batch loss at each step (before that step's update). */
  readonly losses: readonly number[]
  /** The mean batch loss of each epoch (of the batches this call ran), weighted by batch size. */
  readonly epochLosses: readonly number[]
}

// -------------------------------------------------------------------------------------
// minibatches
// -------------------------------------------------------------------------------------

/** The number of examples N of a dataset (the shared first axis), or an error naming the leaf that disagrees. */
export const datasetSize = (data: TensorTree): number => {
  const flat = flattenTensors(data)
  if (flat.leaves.length === 0) throw new RangeError('train: the dataset has no tensors')
  const n = flat.leaves[0].shape[0]
  flat.leaves.forEach((l, i) => {
    if (l.shape.length === 0 || l.shape[0] !== n) {
      throw new RangeError(`train: dataset leaf ${flat.paths[i] || 'the top'} has shape [${l.shape.join(',')}], expected a first axis of ${n}`)
    }
  })
  return n
}

/** The rows `indices` of every leaf of a dataset. */
export const takeRows = (data: TensorTree, indices: readonly number[]): TensorTree => {
  const flat = flattenTensors(data)
  return unflatten(
    flat.structure,
    flat.leaves.map((l) => {
      const row = l.shape[0] === 0 ? 0 : l.size / l.shape[0]
      const out = new Float64Array(indices.length * row)
      indices.forEach((r, k) => out.set(l.data.subarray(r * row, (r + 1) * row), k * row))
      return Tensor.unsafeFromBuffer([indices.length, ...l.shape.slice(1)], out)
    })
  )
}

/**
 * The batches of every epoch: `epochs[e]` lists the row indices of each batch
 * of epoch e (a seeded permutation cut into batches of `batchSize`). Each
 * example appears exactly once per epoch (unless `dropLast` drops the tail), so
 * the mean of the batch gradients over an epoch, weighted by batch size, is the
 * full-batch gradient — and a uniformly drawn batch's gradient is unbiased.
 */
export const minibatchIndices = (n: number, epochs: number, options: MinibatchOptions = {}): number[][][] => {
  const { batchSize = n, seed = 0, shuffle = true, dropLast = false } = options
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`train: batchSize must be a positive integer, got ${batchSize}`)
  const rng = random(seed)
  const out: number[][][] = []
  for (let e = 0; e < epochs; e++) {
    const order = shuffle ? rng.permutation(n) : Array.from({ length: n }, (_, i) => i)
    const batches: number[][] = []
    for (let start = 0; start < n; start += batchSize) {
      const batch = order.slice(start, start + batchSize)
      if (dropLast && batch.length < batchSize) break
      batches.push(batch)
    }
    out.push(batches)
  }
  return out
}

/** The batches (as datasets) of one pass, for code that wants the data rather than indices. */
export function* minibatches(data: TensorTree, options: MinibatchOptions & { readonly epochs?: number } = {}): Generator<TensorTree> {
  const n = datasetSize(data)
  for (const epoch of minibatchIndices(n, options.epochs ?? 1, options)) for (const batch of epoch) yield takeRows(data, batch)
}

// -------------------------------------------------------------------------------------
// training
// -------------------------------------------------------------------------------------

/**
 * Train `params` on `data`: for each epoch, for each batch, `params ← params + update`
 * with the batch's loss gradient. Defaults: batchSize N (full batch), epochs 1,
 * seed 0, shuffle true. Uses the donated step (the driver owns the state).
 */
export const train = <S>(
  lossAndGrad: BatchLossAndGrad,
  params: TensorTree,
  data: TensorTree,
  optimizer: Optimizer<S>,
  options: TrainOptions<S> = {}
): TrainResult<S> => {
  const { epochs = 1, onStep, startStep = 0 } = options
  const n = datasetSize(data)
  let x = params
  let state = options.state ?? optimizer.init(x)
  let into: TensorTree | undefined
  const losses: number[] = []
  const epochLosses: number[] = []
  let steps = 0
  let skip = startStep
  const plan = minibatchIndices(n, epochs, options)
  outer: for (let e = 0; e < plan.length; e++) {
    let sum = 0
    let count = 0
    if (skip >= plan[e].length) {
      skip -= plan[e].length
      continue
    }
    for (const rows of plan[e]) {
      if (skip > 0) {
        skip--
        continue
      }
      const batch = takeRows(data, rows)
      const [loss, grad] = lossAndGrad(x, batch)
      const [s, u] = stepOwned(optimizer, state, grad, x, into, { value: loss, objective: (p) => lossAndGrad(p, batch) })
      state = s
      x = applyUpdates(x, u)
      into = u
      losses.push(loss)
      sum += loss * rows.length
      count += rows.length
      steps++
      if (onStep !== undefined && onStep({ step: startStep + steps, epoch: e, loss, params: x, state }) === false) {
        epochLosses.push(sum / count)
        break outer
      }
    }
    epochLosses.push(sum / count)
  }
  return { params: x, state, steps, losses, epochLosses }
}
