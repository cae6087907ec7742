/**
 * `train`: minibatch gradient descent over a dataset. A dataset is a tree of
 * tensors whose leaves share their first axis (the N examples), e.g.
 * `{ x: [N, 3], y: [N] }`; a batch is the same tree with the chosen rows.
 * Batch size 1 is SGD, m is minibatch, N is full batch. Shuffling is seeded,
 * one permutation per epoch, so a run replays exactly.
 */
import { type Optimizer, stepOwnedApplied } from '../optim/Optimizer.js'
import { NonFiniteGradientError } from '../optim/wrappers.js'
import { random } from '../tensor/Random.js'
import { Tensor } from '../tensor/Tensor.js'
import { type TensorTree, flattenTensors, unflatten } from '../tensor/Tree.js'
import { firstNonFiniteLeaf } from './minimize.js'

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

/** What `onStep` sees after each step. */
export interface TrainStepInfo<S = unknown> {
  /** Steps taken so far, counting `startStep`. */
  readonly step: number
  /** The epoch of this step, from 0. */
  readonly epoch: number
  /** The batch loss of this step (before its update). */
  readonly loss: number
  /** Steps the whole run takes when nothing stops it early (counting `startStep`): for a progress bar. */
  readonly totalSteps: number
  /** The validation loss, on the steps where it was measured. */
  readonly validationLoss?: number
  /** The parameters after this step's update. */
  readonly params: TensorTree
  /** Valid only during the callback (the driver reuses its buffers): serialise it there. */
  readonly state: S
}

/**
 * Early stopping on a validation loss: measured every `every` steps (default:
 * at the end of each epoch); training stops with 'early-stop' after `patience`
 * measurements in a row that do not improve on the best by more than
 * `minDelta`, and the parameters with the best validation loss are returned.
 */
export interface ValidationOptions {
  /** The validation loss at the parameters, e.g. the mean loss over a held-out set. */
  readonly loss: (params: TensorTree) => number
  /** Measure every this many steps. Default: at the end of each epoch. */
  readonly every?: number
  /** Measurements without improvement before stopping. Default Infinity (never stop early; the best is still kept). */
  readonly patience?: number
  /** An improvement must lower the best by more than this. Default 0. */
  readonly minDelta?: number
  /** Return the parameters of the best validation loss rather than the last ones. Default true. */
  readonly restoreBest?: boolean
}

/** Options of `train`: batching, epochs, validation, progress and resuming. */
export interface TrainOptions<S = unknown> extends MinibatchOptions {
  /** Passes over the data. Default 1. */
  readonly epochs?: number
  /** Early stopping on a validation loss. Default: none. */
  readonly validation?: ValidationOptions
  /** Called after each step; returning false stops with reason 'callback'. */
  readonly onStep?: (info: TrainStepInfo<S>) => boolean | void
  /**
   * Resume: the optimizer state to start from (the driver takes it over) and
   * the number of steps already taken with the same data, seed and batch size.
   * The run then continues exactly where the checkpointed one was.
   */
  readonly state?: S
  /** Steps already taken (see `state`): that many batches of the run are skipped. Default 0. */
  readonly startStep?: number
}

/** Why training stopped: all epochs done, early stopping, the non-finite policy (see `minimize`), or `onStep`. */
export type TrainStopReason = 'epochs' | 'early-stop' | 'non-finite' | 'callback'

/** Where training ended and the loss history. */
export interface TrainResult<S> {
  /** The last parameters, or with `validation` (and `restoreBest`) those of the best validation loss. */
  readonly params: TensorTree
  /**
   * The optimizer state after the last step. When a step was undone because a
   * parameter became non-finite, it includes that step: only the parameters were rolled back.
   */
  readonly state: S
  /** Steps taken by this call (not counting `startStep`, nor a step undone by the non-finite policy). */
  readonly steps: number
  /** Why training stopped. */
  readonly reason: TrainStopReason
  /** What stopped a 'non-finite' run. */
  readonly message?: string
  /** The batch loss at each step (before that step's update). */
  readonly losses: readonly number[]
  /** The mean batch loss of each epoch (of the batches this call ran), weighted by batch size. */
  readonly epochLosses: readonly number[]
  /** Every validation measurement, with the step it was taken after (counting `startStep`). */
  readonly validationLosses: readonly {
    /** The step it was taken after, counting `startStep`. */
    readonly step: number
    /** The validation loss. */
    readonly loss: number
  }[]
  /** The best validation measurement, when there was one. */
  readonly best?: {
    /** The step it was taken after, counting `startStep`. */
    readonly step: number
    /** Its loss: the lowest with minDelta = 0, else the last to beat the best before it by more than minDelta. */
    readonly loss: number
  }
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
 * seed 0, shuffle true. Stops early on `validation` (see `ValidationOptions`)
 * and under the drivers' non-finite policy (see `minimize`): a step that makes
 * a parameter NaN or ±Infinity is undone and training stops with
 * 'non-finite', as it does when the optimizer gives up (`skipNonFinite`,
 * which skips non-finite batches until too many come in a row). Uses the
 * donated step (the driver owns the state).
 */
export const train = <S>(
  lossAndGrad: BatchLossAndGrad,
  params: TensorTree,
  data: TensorTree,
  optimizer: Optimizer<S>,
  options: TrainOptions<S> = {}
): TrainResult<S> => {
  const { epochs = 1, onStep, startStep = 0, validation } = options
  const n = datasetSize(data)
  let x = params
  let state = options.state ?? optimizer.init(x)
  let into: TensorTree | undefined
  const losses: number[] = []
  const epochLosses: number[] = []
  const validationLosses: { step: number; loss: number }[] = []
  let best: { step: number; loss: number; params: TensorTree } | undefined
  let sinceBest = 0
  let steps = 0
  let skip = startStep
  let message: string | undefined
  const plan = minibatchIndices(n, epochs, options)
  const totalSteps = plan.reduce((sum, epoch) => sum + epoch.length, 0)
  const every = validation?.every
  if (every !== undefined && !(Number.isInteger(every) && every >= 1)) throw new RangeError(`train: validation.every must be a positive integer, got ${every}`)
  const patience = validation?.patience ?? Infinity
  const minDelta = validation?.minDelta ?? 0

  /** Measure the validation loss; true when patience ran out. */
  const validate = (): boolean => {
    if (validation === undefined) return false
    const loss = validation.loss(x)
    const step = startStep + steps
    validationLosses.push({ step, loss })
    if (best === undefined || loss < best.loss - minDelta) {
      best = { step, loss, params: x }
      sinceBest = 0
    } else sinceBest++
    return sinceBest >= patience
  }

  const reason = ((): TrainStopReason => {
    for (let e = 0; e < plan.length; e++) {
      let sum = 0
      let count = 0
      const endEpoch = (): void => {
        if (count > 0) epochLosses.push(sum / count)
      }
      if (skip >= plan[e].length) {
        skip -= plan[e].length
        continue
      }
      for (let b = 0; b < plan[e].length; b++) {
        const rows = plan[e][b]
        if (skip > 0) {
          skip--
          continue
        }
        const batch = takeRows(data, rows)
        const [loss, grad] = lossAndGrad(x, batch)
        let next: TensorTree
        try {
          const stepped = stepOwnedApplied(optimizer, state, grad, x, into, { value: loss, objective: (p) => lossAndGrad(p, batch) })
          state = stepped.state
          next = stepped.params
          into = stepped.update
        } catch (err) {
          if (!(err instanceof NonFiniteGradientError)) throw err
          message = `step ${startStep + steps + 1} (batch loss ${loss}): ${err.message}`
          endEpoch()
          return 'non-finite'
        }
        const bad = firstNonFiniteLeaf(next)
        if (bad !== undefined) {
          message = `step ${startStep + steps + 1} (batch loss ${loss}): parameter ${bad.path} became ${bad.value}; the step is undone`
          endEpoch()
          return 'non-finite'
        }
        x = next
        losses.push(loss)
        sum += loss * rows.length
        count += rows.length
        steps++
        const measure = validation !== undefined && (every !== undefined ? steps % every === 0 : b === plan[e].length - 1)
        const exhausted = measure && validate()
        const info: TrainStepInfo<S> = {
          step: startStep + steps,
          epoch: e,
          loss,
          totalSteps,
          ...(measure ? { validationLoss: validationLosses[validationLosses.length - 1].loss } : {}),
          params: x,
          state
        }
        if (onStep !== undefined && onStep(info) === false) {
          endEpoch()
          return 'callback'
        }
        if (exhausted) {
          endEpoch()
          return 'early-stop'
        }
      }
      endEpoch()
    }
    return 'epochs'
  })()

  const restore = validation?.restoreBest ?? true
  const kept = best
  return {
    params: restore && kept !== undefined ? kept.params : x,
    state,
    steps,
    reason,
    ...(message !== undefined ? { message } : {}),
    losses,
    epochLosses,
    validationLosses,
    ...(kept !== undefined ? { best: { step: kept.step, loss: kept.loss } } : {})
  }
}
