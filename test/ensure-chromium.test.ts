/**
 * scripts/ensure-chromium.mjs, the pretest step that finds (or installs) the Chromium of the browser tests. Its core
 * (scripts/ensure-tool.mjs) is test/ensure-redis.test.ts's; these are Chromium's names and its line.
 */
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const SCRIPT = fileURLToPath(new URL('../scripts/ensure-chromium.mjs', import.meta.url))

function run (path: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [SCRIPT], {
    encoding: 'utf8',
    env: { ...process.env, PATH: path, CHROMIUM: undefined, ENSURE_CHROMIUM_UID: '1000', ...env }
  })
}

function pathDir (): string {
  const dir = mkdtempSync(join(tmpdir(), 'fw-path-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  symlinkSync(process.execPath, join(dir, 'node'))
  return dir
}

t.test('chromium-browser on the PATH is found too', async t => {
  const dir = pathDir()
  writeFileSync(join(dir, 'chromium-browser'), '#!/bin/sh\necho "Chromium 150 (stand-in)"\n', { mode: 0o755 })
  const result = run(dir)
  t.equal(result.status, 0, result.stderr)
  t.equal(result.stdout, `chromium for the tests: ${join(dir, 'chromium-browser')}\n`)
})

t.test('none, not root: one line naming the install command', async t => {
  const result = run(pathDir())
  t.equal(result.status, 1)
  t.equal(
    result.stderr,
    'chromium is missing (CHROMIUM is not set and none is on the PATH): install it with `sudo apt-get install ' +
    'chromium` (Debian/Ubuntu) or `brew install --cask chromium` (macOS), or set CHROMIUM to its path\n'
  )
})
