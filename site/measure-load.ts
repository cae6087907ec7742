/**
 * How fast the playground loads: build it, serve it with `vite preview`,
 * open the default view in headless Chromium seven times (a fresh context
 * each, so nothing is cached) and print the time from navigation to the
 * first complete drawing (the page's `data-ready`), and the median.
 * Run: npx tsx site/measure-load.ts
 */
import { openSite } from '../test/site/harness.js'

const site = await openSite()
const times: number[] = []
for (let i = 0; i < 7; i++) {
  const context = await site.browser.newContext()
  const page = await context.newPage()
  await page.goto(site.url)
  await page.waitForSelector('html[data-ready]')
  times.push(Number(await page.getAttribute('html', 'data-ready')))
  await context.close()
}
await site.close()
console.log(`first complete drawing, ms after navigation: ${times.join(', ')}; median ${[...times].sort((a, b) => a - b)[3]}`)
