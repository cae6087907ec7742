import { defineConfig } from 'vitest/config'

export default defineConfig({
  // Tests import the package by its name (as the README's examples do): resolve it
  // to the sources through tsconfig.json's `paths`, not to the compiled dist/.
  resolve: { tsconfigPaths: true },
  // bin/descent runs dist/: compile it once before the tests when a source is newer,
  // so no test pays for a build inside its timeout.
  test: { globalSetup: ['scripts/build-before-tests.mjs'] }
})
