/**
 * The testing kit's examples (examples/testing/) pass under the runner each is written for, started
 * as a user starts it: node:test and tap files as scripts (here through tap's TypeScript loader), the
 * Vitest file through Vitest's own CLI, which compiles TypeScript itself.
 */
import t from 'tap'
import { spawnChild } from '../support/child-process.js'

function run (args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null, output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawnChild(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
    child.once('error', reject)
    child.once('close', code => { resolve({ code, output }) })
  })
}

// Vite transforms the sources its own way: their coverage from Vitest's processes would not map onto
// tap's and would undo it, so tap records none there.
const vitestEnv = { ...process.env, _TAPJS_PROCESSINFO_COVERAGE_: '0', NO_COLOR: '1' }

const runners: Array<{ runner: string; args: string[]; env: NodeJS.ProcessEnv; passed: RegExp }> = [
  {
    runner: 'node:test',
    args: [...process.execArgv, '--test-reporter=tap', 'examples/testing/node-test.test.ts'],
    env: process.env,
    passed: /^# pass 3\n# fail 0$/m
  },
  {
    runner: 'tap',
    args: [...process.execArgv, 'examples/testing/tap.test.ts'],
    env: process.env,
    passed: /^ok 3 - the failed-job handler, with no HTTP/m
  },
  {
    runner: 'vitest',
    args: ['node_modules/vitest/vitest.mjs', 'run', 'examples/testing/vitest.test.ts'],
    env: vitestEnv,
    passed: /Tests {2}3 passed \(3\)/
  }
]

for (const { runner, args, env, passed } of runners) {
  t.test(`${runner}: the example passes`, async t => {
    const { code, output } = await run(args, env)
    t.equal(code, 0, 'exits 0', { output })
    t.match(output, passed)
  })
}
