import { defineConfig } from 'vitest/config'

// Tests import the package by its name (as the README's examples do): resolve it
// to the sources through tsconfig.json's `paths`, not to the compiled dist/.
export default defineConfig({ resolve: { tsconfigPaths: true } })
