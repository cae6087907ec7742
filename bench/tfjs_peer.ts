/**
 * The TF.js peer of the benchmarks, in a child process of its own (run by
 * bench/run.ts with `node --import tsx`; protocol in peer.ts): TF.js's
 * tensors and garbage live in their own heap, so they never show in the
 * timings of descent and the handwritten peers. The workloads' inputs are
 * rebuilt here from the same seeds.
 */
import { createRequire } from 'node:module'
import { type PeerRequest, servePeer } from './peer.js'

// stdout carries the protocol: TF.js's greeting and anything else printed go to stderr
console.log = console.info = console.warn = (...args: unknown[]) => {
  process.stderr.write(`${args.join(' ')}\n`)
}
const tfjs = await import('./tfjs.js')
const w = await import('./workloads.js')

const version = (createRequire(import.meta.url)('@tensorflow/tfjs-core/package.json') as { version: string }).version

/** Each workload: a call, and its answer as numbers. */
const workloads: Record<string, () => { call: () => unknown; answer: () => number[] }> = {
  W1: () => {
    const g = tfjs.tfjsRosenbrockGrad()
    return { call: () => g(-1.2, 1), answer: () => Array.from(g(-1.2, 1)) }
  },
  W2: () => {
    const h = tfjs.tfjsRosenbrockHessianEig()
    return { call: () => h(1, 1), answer: () => Array.from(h(1, 1)) }
  },
  W3: () => {
    const { x, v } = w.extendedPoint(10_000)
    const t = tfjs.tfjsExtended(x.data, v.data)
    return { call: t.hvp, answer: () => Array.from(t.hvp()) }
  },
  W3g: () => {
    const { x, v } = w.extendedPoint(10_000)
    const t = tfjs.tfjsExtended(x.data, v.data)
    return { call: t.grad, answer: () => Array.from(t.grad()) }
  },
  W4: () => {
    const t = tfjs.tfjsMlp(w.mlpProblem())
    return { call: t.grad, answer: () => t.grad().flatMap((g) => Array.from(g)) }
  },
  W4f: () => {
    const t = tfjs.tfjsMlp(w.mlpProblem())
    return { call: t.loss, answer: () => [t.loss()] }
  }
}

const ready = new Map<string, () => unknown>()

const answer = async (request: PeerRequest): Promise<object> => {
  switch (request.op) {
    case 'info':
      await tfjs.tfjsReady()
      return { tfjs: version }
    case 'setup': {
      const make = Object.hasOwn(workloads, request.workload ?? '') ? workloads[request.workload!] : undefined
      if (make === undefined) return { error: `no TF.js workload ${request.workload}` }
      const { call, answer: of } = make()
      ready.set(request.workload!, call)
      return { answer: of() }
    }
    case 'time': {
      const call = ready.get(request.workload ?? '')
      if (call === undefined) return { error: `${request.workload} is not set up` }
      const t0 = performance.now()
      for (let i = 0; i < (request.calls ?? 1); i++) call()
      return { ms: performance.now() - t0 }
    }
    default:
      return { error: `unknown op ${request.op}` }
  }
}

await servePeer(answer)
