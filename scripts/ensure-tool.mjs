/**
 * The core of the pretest scripts that find a server binary the tests need (ensure-redis.mjs,
 * ensure-chromium.mjs): $<env> wins; else one of `binaries` on the PATH; else, as root with apt-get,
 * `apt-get install -y <package>`. Otherwise the run stops with one line saying how to install it. Prints the
 * binary it chose, as `<name> for the tests: <path>`.
 */
import { spawnSync } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

/** The first executable of `names` in the PATH's directories, or undefined. */
function onPath (names) {
  const dirs = `${process.env.PATH}`.split(delimiter)
  for (const name of names) {
    const found = dirs.map(dir => join(dir, name)).find(file => {
      try {
        accessSync(file, constants.X_OK)
        return true
      } catch {
        return false
      }
    })
    if (found !== undefined) return found
  }
  return undefined
}

function stop (line) {
  console.error(line)
  process.exit(1)
}

function apt (...args) {
  return spawnSync('apt-get', args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  })
}

/**
 * @param {{ name: string, binaries: string[], aptPackage: string, env: string, uidEnv: string, hint: string }} tool
 *   `uidEnv` lets the tests take the root and non-root paths on any machine; other runs use the real uid.
 */
export function ensureTool ({ name, binaries, aptPackage, env, uidEnv, hint }) {
  const uid = Number(process.env[uidEnv] ?? process.getuid())

  /** apt-get install, and again after apt-get update when that fails (a fresh container has no package lists). */
  function aptInstall () {
    console.log(`${name} not found: installing it with apt-get install -y ${aptPackage} (running as root)`)
    if (apt('install', '-y', aptPackage).status === 0) return
    apt('update')
    const retry = apt('install', '-y', aptPackage)
    if (retry.status !== 0) {
      stop(`apt-get install -y ${aptPackage} failed (${retry.stderr.trim().split('\n').at(-1)}): ${hint}`)
    }
  }

  function choose () {
    if (process.env[env]) return process.env[env]
    const found = onPath(binaries)
    if (found !== undefined || uid !== 0 || onPath(['apt-get']) === undefined) return found
    aptInstall()
    return onPath(binaries)
  }

  const binary = choose()
  if (binary === undefined) stop(`${name} is missing (${env} is not set and none is on the PATH): ${hint}`)
  // It must start, not merely exist: a broken one should fail here, not in the middle of the tests.
  if (spawnSync(binary, ['--version'], { stdio: 'ignore' }).status !== 0) stop(`${binary} --version failed: ${hint}`)
  console.log(`${name} for the tests: ${binary}`)
}
