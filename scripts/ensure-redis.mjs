#!/usr/bin/env node
/**
 * Finds the redis-server the tests start (`npm test` runs this first, as its pretest script): the Redis tests
 * run against a real server, and none of them skips. $REDIS_SERVER wins; else redis-server on the PATH; else,
 * as root with apt-get, `apt-get install -y redis-server`. Otherwise the run stops here with one line saying
 * how to install it. Prints the binary it chose; support/redis-server.ts starts the same one.
 */
import { ensureTool } from './ensure-tool.mjs'

ensureTool({
  name: 'redis-server',
  binaries: ['redis-server'],
  aptPackage: 'redis-server',
  env: 'REDIS_SERVER',
  uidEnv: 'ENSURE_REDIS_UID',
  hint: 'install it with `sudo apt-get install redis-server` (Debian/Ubuntu) or `brew install redis` (macOS), or ' +
    'set REDIS_SERVER to its path'
})
