/**
 * Cold import: how long `import('fastify-webhooks/<subpath>')` takes in a fresh Node process, against
 * `import('fastify')` in the same run; what it adds once Fastify is loaded (as in an app, which imports Fastify
 * anyway); and how long `fastify-webhooks --help` takes against a Node that does nothing.
 * `node dist/bench/import.js [rounds=15] [other build's root]`; each sample is its own process, the contenders
 * interleaved. With another build's root (a checkout with its `dist` built), its subpaths run in the same rounds.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { stat } from './measure.js'

const ROUNDS = Number(process.argv[2] ?? 15)
const OTHER = process.argv[3]
/** The suffix of a contender imported once Fastify is: its own cost in an app. */
const AFTER = 'after fastify'
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SUBPATHS = ['', '/pulse', '/autotab', '/retab', '/standard-webhooks', '/testing', '/postgres', '/bullmq', '/otel']

/** Milliseconds one fresh process takes to import `specifier`, measured inside it, after importing `first`. */
function importTime (specifier: string, first?: string): number {
  const script = (first === undefined ? '' : `await import(${JSON.stringify(first)}); `) +
    `const t = performance.now(); await import(${JSON.stringify(specifier)}); ` +
    'process.stdout.write(String(performance.now() - t))'
  return Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' }))
}

/** Milliseconds of wall time a fresh process takes to run `args` to its end. */
function runTime (args: string[]): number {
  const start = performance.now()
  execFileSync(process.execPath, args, { cwd: ROOT, stdio: 'ignore' })
  return performance.now() - start
}

const contenders: Record<string, () => number> = {
  fastify: () => importTime('fastify'),
  ...Object.fromEntries(SUBPATHS.flatMap(subpath => {
    const specifier = `fastify-webhooks${subpath}`
    return [[specifier, () => importTime(specifier)], [`${specifier} ${AFTER}`, () => importTime(specifier, 'fastify')]]
  })),
  ...(OTHER === undefined ? {} : otherBuild(OTHER)),
  'node -e ""': () => runTime(['-e', '']),
  'fastify-webhooks --help': () => runTime(['dist/bin/cli.js', '--help'])
}
/** The same subpaths of another build, by the files its package.json exports them as. */
function otherBuild (root: string): Record<string, () => number> {
  const { exports } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    exports: Record<string, { default: string }>
  }
  return Object.fromEntries(SUBPATHS.filter(subpath => exports[`.${subpath}`] !== undefined).flatMap(subpath => {
    const file = join(root, exports[`.${subpath}`]!.default)
    const name = `other build fastify-webhooks${subpath}`
    return [[name, () => importTime(file)], [`${name} ${AFTER}`, () => importTime(file, 'fastify')]]
  }))
}

const samples: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map(name => [name, []]))
for (const run of Object.values(contenders)) run() // warm the file system cache
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of Object.entries(contenders)) samples[name]!.push(run())
}
const median = (name: string): number => stat(samples[name]!).median
const base = median('fastify')
console.log(`Node ${process.version}, ${ROUNDS} rounds, medians in ms`)
console.log('| what | ms | x fastify\'s import | ms after fastify |\n|---|---|---|---|')
for (const name of Object.keys(contenders)) {
  if (name.endsWith(AFTER)) continue
  const subpath = name.includes('fastify-webhooks') && !name.endsWith('--help')
  const ratio = subpath ? (median(name) / base).toFixed(2) : ''
  const after = subpath ? median(`${name} ${AFTER}`).toFixed(0) : ''
  console.log(`| ${name} | ${median(name).toFixed(0)} | ${ratio} | ${after} |`)
}
