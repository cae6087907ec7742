/**
 * A progress bar on stderr for long runs: drawn only when stderr is a
 * terminal and only once a run has taken longer than `delayMs` (so quick runs
 * print nothing), redrawn at most every 100 ms, and erased when done so the
 * table that follows starts on a clean line.
 */
import type { CliIo } from './io.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** Report progress with `update(done)`; call `done()` at the end. */
export interface Progress {
  readonly update: (done: number) => void
  readonly done: () => void
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** A progress bar that never draws. */
export const silentProgress: Progress = { update: () => undefined, done: () => undefined }

/**
 * A bar for `total` units of work labelled `label`. Defaults: first drawn
 * after 500 ms (a run that ends within a second shows at most a glimpse),
 * redrawn every 100 ms.
 */
export const progressBar = (io: CliIo, label: string, total: number, delayMs = 500): Progress => {
  if (!io.errIsTTY || total <= 0) return silentProgress
  const start = io.now()
  let lastDraw = -Infinity
  let drawn = false
  const width = Math.max(10, Math.min(40, (io.errColumns ?? 80) - label.length - 30))
  const draw = (done: number): void => {
    const fraction = Math.min(1, done / total)
    const filled = Math.round(fraction * width)
    const elapsed = (io.now() - start) / 1000
    const eta = fraction > 0 ? (elapsed / fraction - elapsed).toFixed(1) : '?'
    io.err(`\r${label} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${elapsed.toFixed(1)}s, ~${eta}s left\x1b[K`)
    drawn = true
  }
  return {
    update: (done) => {
      const now = io.now()
      if (now - start < delayMs || now - lastDraw < 100) return
      lastDraw = now
      draw(done)
    },
    done: () => {
      if (drawn) io.err('\r\x1b[K')
    }
  }
}
