/**
 * The exponentially weighted moving average on a series, with and without
 * bias correction: vₜ = βvₜ₋₁ + (1 − β)xₜ from v₀ = 0 has total weight 1 − βᵗ,
 * so early raw averages are too small; dividing by 1 − βᵗ fixes it. The
 * effective window is 1/(1 − β) samples.
 *
 *   npx tsx examples/ewma.ts          # full run
 *   npx tsx examples/ewma.ts --fast   # shorter series (CI)
 *   npx tsx examples/ewma.ts --plot ewma.svg   # also draw the series and its averages
 *
 * Checkable by hand: a constant series 5 with β = 0.9 averages raw to
 * 0.5, 0.95, 1.355 (= 5·(1 − 0.9ᵗ)) and bias-corrected to 5, 5, 5.
 */
import { writeFileSync } from 'node:fs'
import { lossPlot } from '../src/cli/plot.js'
import { effectiveWindow, ewmaSeries, ewmaTotalWeight } from '../src/optim/Ewma.js'
import { random } from '../src/tensor/Random.js'

const fast = process.argv.includes('--fast')

console.log('Constant series 5, β = 0.9:')
console.log('  t   raw       corrected  1 − βᵗ')
const raw = ewmaSeries([5, 5, 5, 5, 5], 0.9, false)
const corrected = ewmaSeries([5, 5, 5, 5, 5], 0.9)
raw.forEach((v, i) => console.log(`  ${i + 1}   ${v.toFixed(6)}  ${corrected[i].toFixed(6)}   ${ewmaTotalWeight(0.9, i + 1).toFixed(6)}`))

console.log('\nEffective window 1/(1 − β):')
for (const beta of [0.5, 0.9, 0.99, 0.999]) {
  const n = effectiveWindow(beta)
  console.log(`  β = ${String(beta).padEnd(5)}  window ${n.toFixed(0).padStart(4)} samples; weight older than that: β^window = ${Math.pow(beta, n).toFixed(4)} (→ 1/e = 0.3679)`)
}

// A noisy loss curve: the smoothed value tracks the trend 1/(1 + t/50) within the noise / √window.
const n = fast ? 200 : 2000
const rng = random(42)
const trend = (t: number): number => 1 / (1 + t / 50)
const noisy = Array.from({ length: n }, (_, t) => trend(t) + 0.2 * (rng.next() - 0.5))
const smooth = ewmaSeries(noisy, 0.9)
console.log(`\nNoisy loss (uniform noise ±0.1 around 1/(1 + t/50)), β = 0.9, ${n} samples:`)
console.log('  t      noisy     smoothed  trend')
for (const t of [0, 1, 2, 10, 50, 100, n - 1]) console.log(`  ${String(t).padEnd(5)}  ${noisy[t].toFixed(4)}    ${smooth[t].toFixed(4)}    ${trend(t).toFixed(4)}`)
const err = (xs: number[]) => Math.sqrt(xs.slice(20).reduce((s, x, i) => s + (x - trend(i + 20)) ** 2, 0) / (n - 20))
console.log(`  RMS distance to the trend after t = 20: noisy ${err(noisy).toFixed(4)}, smoothed ${err(smooth).toFixed(4)}`)

// The picture: the noisy series, its debiased averages for several β, and one raw average
// (β = 0.98) whose start lags towards 0 — the bias that 1 − βᵗ removes.
const plotAt = process.argv.indexOf('--plot')
if (plotAt >= 0) {
  const file = process.argv[plotAt + 1] ?? 'ewma.svg'
  const head = noisy.slice(0, 300)
  writeFileSync(
    file,
    lossPlot({
      title: 'A noisy series and its EWMAs (bias-corrected unless marked raw)',
      logY: false,
      xLabel: 't',
      yLabel: 'value',
      series: [
        { name: 'noisy series', values: head },
        ...[0.5, 0.9, 0.98].map((beta) => ({ name: `β = ${beta}`, values: ewmaSeries(head, beta) })),
        { name: 'β = 0.98, raw', values: ewmaSeries(head, 0.98, false), dash: '6 3' }
      ]
    })
  )
  console.log(`\nwrote ${file}`)
}
