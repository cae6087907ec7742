// vitest's global setup (vitest.config.ts): compile dist/ when a source is newer.
import { build } from './build.mjs'

export default function setup() {
  build({ ifStale: true, quiet: true })
}
