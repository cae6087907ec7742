import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const bin = fileURLToPath(new URL('../../bin/descent', import.meta.url))

/** The real launcher, as a user runs it (one process each: keep these few). */
describe('bin/descent', () => {
  it('runs analyze with no build step and exits 0', () => {
    const r = spawnSync(bin, ['analyze', 'x^2 - y^2', '--at', '0,0', '--json'], { encoding: 'utf8' })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(JSON.parse(r.stdout).eigenvalues).toEqual([-2, 2])
  })

  it('exits 2 on bad input with a message and a caret, never a stack trace', () => {
    const r = spawnSync(bin, ['analyze', '2x + y', '--at', '1,2'], { encoding: 'utf8' })
    expect(r.status).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('column 2')
    expect(r.stderr).toContain('  2x + y\n   ^')
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })
})
