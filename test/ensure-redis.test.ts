/**
 * scripts/ensure-redis.mjs, the pretest step that picks (or installs) the redis-server, run as `npm test` runs
 * it, with a PATH that holds only `node` and what each case adds. apt-get is a stand-in that logs its calls.
 */
import t, { type Test } from 'tap'
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureRedis, redisServerPath } from './helpers/redis-server.js'

const INSTALL_HINT =
  'install it with `sudo apt-get install redis-server` (Debian/Ubuntu) or `brew install redis` (macOS), or set ' +
  'REDIS_SERVER to its path'

/** A directory to be the whole PATH: `node` linked, plus the given executables (a file to link to, or a script). */
function pathDir (t: Test, executables: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'fw-path-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  symlinkSync(process.execPath, join(dir, 'node'))
  for (const [name, target] of Object.entries(executables)) {
    if (target.startsWith('#!')) writeFileSync(join(dir, name), target, { mode: 0o755 })
    else symlinkSync(target, join(dir, name))
  }
  return dir
}

/**
 * An apt-get that logs its arguments and whose `install` puts a redis-server stand-in on the PATH:
 * at once, only after `update` (package lists missing, as in a fresh container), or never.
 */
function fakeAptGet (dir: string, install: 'works' | 'needs update' | 'fails'): void {
  const fail = "echo 'E: Unable to locate package redis-server' >&2; exit 100"
  writeFileSync(join(dir, 'apt-get'), `#!/bin/sh
PATH=/usr/bin:/bin
echo "$*" >> '${dir}/apt.log'
if [ "$1" = update ]; then touch '${dir}/updated'; exit 0; fi
${install === 'fails' ? fail : install === 'needs update' ? `[ -e '${dir}/updated' ] || { ${fail}; }` : ''}
printf '#!/bin/sh\\necho "Redis server v=7.0.0 (stand-in)"\\n' > '${dir}/redis-server'
chmod +x '${dir}/redis-server'
`, { mode: 0o755 })
}

const aptLog = (dir: string): string[] =>
  existsSync(join(dir, 'apt.log')) ? readFileSync(join(dir, 'apt.log'), 'utf8').trim().split('\n') : []

/** Runs the script with only `dir` on the PATH and neither knob set unless `env` sets it. */
const run = (dir: string, env: NodeJS.ProcessEnv = {}) =>
  ensureRedis({ PATH: dir, REDIS_SERVER: undefined, ENSURE_REDIS_UID: undefined, ...env })

const real = redisServerPath()

t.test('REDIS_SERVER naming a real redis-server is used, with none on the PATH', async t => {
  const result = run(pathDir(t), { REDIS_SERVER: real })
  t.equal(result.status, 0, result.stderr)
  t.equal(result.stdout, `redis-server for the tests: ${real}\n`)
})

t.test('a REDIS_SERVER that does not run stops the run before any test', async t => {
  const result = run(pathDir(t), { REDIS_SERVER: '/nonexistent/redis-server' })
  t.equal(result.status, 1)
  t.equal(result.stderr, `/nonexistent/redis-server --version failed: ${INSTALL_HINT}\n`)
})

t.test('without REDIS_SERVER, the redis-server on the PATH is used', async t => {
  const dir = pathDir(t, { 'redis-server': real })
  const result = run(dir)
  t.equal(result.status, 0, result.stderr)
  t.equal(result.stdout, `redis-server for the tests: ${join(dir, 'redis-server')}\n`)
})

const MISSING = `redis-server is missing (REDIS_SERVER is not set and none is on the PATH): ${INSTALL_HINT}\n`

t.test('none anywhere and no apt-get on the PATH: one line saying how to install it, exit 1', async t => {
  for (const uid of [undefined, '0']) { // this machine's user, then root
    const result = run(pathDir(t), { ENSURE_REDIS_UID: uid })
    t.equal(result.status, 1, `uid ${uid ?? 'of this process'}`)
    t.equal(result.stdout, '')
    t.equal(result.stderr, MISSING)
  }
})

t.test('none anywhere, apt-get on the PATH but not root: the same line, and apt-get is not run', async t => {
  const dir = pathDir(t)
  fakeAptGet(dir, 'works')
  const result = run(dir, { ENSURE_REDIS_UID: '1000' })
  t.equal(result.status, 1)
  t.equal(result.stderr, MISSING)
  t.same(aptLog(dir), [])
})

const INSTALLING = 'redis-server not found: installing it with apt-get install -y redis-server (running as root)\n'

t.test('as root with apt-get: installs redis-server, says so, and uses it', async t => {
  const dir = pathDir(t)
  fakeAptGet(dir, 'works')
  const result = run(dir, { ENSURE_REDIS_UID: '0' })
  t.equal(result.status, 0, result.stderr)
  t.equal(result.stdout, `${INSTALLING}redis-server for the tests: ${join(dir, 'redis-server')}\n`)
  t.same(aptLog(dir), ['install -y redis-server'])
})

t.test('as root, an install that fails without package lists runs apt-get update and tries again', async t => {
  const dir = pathDir(t)
  fakeAptGet(dir, 'needs update')
  const result = run(dir, { ENSURE_REDIS_UID: '0' })
  t.equal(result.status, 0, result.stderr)
  t.equal(result.stdout, `${INSTALLING}redis-server for the tests: ${join(dir, 'redis-server')}\n`)
  t.same(aptLog(dir), ['install -y redis-server', 'update', 'install -y redis-server'])
})

t.test('as root, an install that fails after the update too stops the run with apt-get\'s reason', async t => {
  const dir = pathDir(t)
  fakeAptGet(dir, 'fails')
  const result = run(dir, { ENSURE_REDIS_UID: '0' })
  t.equal(result.status, 1)
  t.equal(result.stdout, INSTALLING)
  t.equal(
    result.stderr,
    `apt-get install -y redis-server failed (E: Unable to locate package redis-server): ${INSTALL_HINT}\n`
  )
  t.same(aptLog(dir), ['install -y redis-server', 'update', 'install -y redis-server'])
})
