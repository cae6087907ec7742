/**
 * The PyTorch peer: bench/torch_peer.py in a child process of /usr/bin/python3
 * (or $PYTHON), float64 on one thread (see peer.ts for the protocol).
 */
import { type Peer, startPeer } from './peer.js'

/** What the peer says about itself. */
export interface TorchInfo {
  readonly torch: string
  readonly python: string
  readonly threads: number
  readonly blas: readonly string[]
}

export type TorchPeer = Peer<TorchInfo>

/** Start the peer with `python` (default $PYTHON, else /usr/bin/python3), or resolve to the reason it cannot run (no python3, no torch). */
export const startTorch = (python: string = process.env.PYTHON ?? '/usr/bin/python3'): Promise<TorchPeer | string> =>
  startPeer<TorchInfo>('PyTorch', python, [new URL('./torch_peer.py', import.meta.url).pathname], {
    ...process.env,
    OMP_NUM_THREADS: '1',
    OPENBLAS_NUM_THREADS: '1',
    MKL_NUM_THREADS: '1'
  })
