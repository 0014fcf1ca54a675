#!/usr/bin/env node
/**
 * Finds the Chromium the dashboard's browser tests drive (`npm test` runs this first, after ensure-redis.mjs):
 * they run in a real headless browser, and none of them skips. $CHROMIUM wins; else chromium (or
 * chromium-browser) on the PATH; else, as root with apt-get, `apt-get install -y chromium`. Otherwise the run
 * stops here with one line saying how to install it. Prints the binary it chose; support/chromium.ts uses the same.
 */
import { ensureTool } from './ensure-tool.mjs'

ensureTool({
  name: 'chromium',
  binaries: ['chromium', 'chromium-browser'],
  aptPackage: 'chromium',
  env: 'CHROMIUM',
  uidEnv: 'ENSURE_CHROMIUM_UID',
  hint: 'install it with `sudo apt-get install chromium` (Debian/Ubuntu) or `brew install --cask chromium` ' +
    '(macOS), or set CHROMIUM to its path'
})
