#!/usr/bin/env node
/**
 * Finds the redis-server the tests start (`npm test` runs this first, as its pretest script): the Redis tests
 * run against a real server, and none of them skips. $REDIS_SERVER wins; else redis-server on the PATH; else,
 * as root with apt-get, `apt-get install -y redis-server`. Otherwise the run stops here with one line saying
 * how to install it. Prints the binary it chose; support/redis-server.ts starts the same one.
 */
import { spawnSync } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

const HOW_TO_INSTALL =
  'install it with `sudo apt-get install redis-server` (Debian/Ubuntu) or `brew install redis` (macOS), or set ' +
  'REDIS_SERVER to its path'

// The tests set ENSURE_REDIS_UID to take the root and non-root paths on any machine; other runs use the real uid.
const uid = Number(process.env.ENSURE_REDIS_UID ?? process.getuid())

/** The first executable `name` in the PATH's directories, or undefined. */
function onPath (name) {
  return `${process.env.PATH}`.split(delimiter).map(dir => join(dir, name)).find(file => {
    try {
      accessSync(file, constants.X_OK)
      return true
    } catch {
      return false
    }
  })
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

/** apt-get install, and again after apt-get update when that fails (a fresh container has no package lists). */
function aptInstall () {
  console.log('redis-server not found: installing it with apt-get install -y redis-server (running as root)')
  if (apt('install', '-y', 'redis-server').status === 0) return
  apt('update')
  const retry = apt('install', '-y', 'redis-server')
  if (retry.status !== 0) {
    stop(`apt-get install -y redis-server failed (${retry.stderr.trim().split('\n').at(-1)}): ${HOW_TO_INSTALL}`)
  }
}

function choose () {
  if (process.env.REDIS_SERVER) return process.env.REDIS_SERVER
  const found = onPath('redis-server')
  if (found !== undefined || uid !== 0 || onPath('apt-get') === undefined) return found
  aptInstall()
  return onPath('redis-server')
}

const binary = choose()
if (binary === undefined) {
  stop(`redis-server is missing (REDIS_SERVER is not set and none is on the PATH): ${HOW_TO_INSTALL}`)
}
// It must start, not merely exist: a broken REDIS_SERVER should fail here, not in the middle of the tests.
if (spawnSync(binary, ['--version'], { stdio: 'ignore' }).status !== 0) {
  stop(`${binary} --version failed: ${HOW_TO_INSTALL}`)
}
console.log(`redis-server for the tests: ${binary}`)
