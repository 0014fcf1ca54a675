/**
 * Headless Chromium for the dashboard's browser tests and its screenshots: the binary scripts/ensure-chromium.mjs
 * found or installed ($CHROMIUM, else chromium on the PATH), driven by playwright-core. Playwright gives each launch
 * a fresh profile directory and deletes it on close; the flags keep a run quiet and offline apart from the pages it
 * is sent to, and let it run as root (no sandbox).
 */
import { spawnSync } from 'node:child_process'
import { chromium, type Browser } from 'playwright-core'

export function chromiumBinary (): string {
  if (process.env.CHROMIUM) return process.env.CHROMIUM
  for (const name of ['chromium', 'chromium-browser']) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim()
    if (found !== '') return found
  }
  throw new Error('chromium is missing: run `node scripts/ensure-chromium.mjs` (npm test does) to install it')
}

export async function launchChromium (): Promise<Browser> {
  return await chromium.launch({
    executablePath: chromiumBinary(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync'
    ]
  })
}
