#!/usr/bin/env node
/**
 * Runs a command under a Node that this package supports (`engines` in package.json): `npm start` and
 * `npm test` go through it. Under a supported Node the command runs as it is. Under an older one (a
 * machine's own Node may be past its end of life), it brings Node 24 from npm's `node-<os>-<cpu>` package
 * into ~/.node24 once, says so in one line, and runs the command with that Node first on the PATH.
 *
 *   node scripts/supported-node.mjs <command> [args...]
 *   node scripts/supported-node.mjs --version   prints the version the command would run under
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { delimiter, join } from 'node:path'

const LINE = 24
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const minimum = /^>=(\d+)\.(\d+)\.(\d+)$/.exec(pkg.engines.node)?.slice(1).map(Number)
if (minimum === undefined) {
  throw new Error(`scripts/supported-node.mjs reads engines.node as ">=X.Y.Z", not "${pkg.engines.node}"`)
}

function supported (version) {
  const v = version.replace(/^v/, '').split('.').map(Number)
  for (let i = 0; i < 3; i++) if (v[i] !== minimum[i]) return v[i] > minimum[i]
  return true
}

function stop (line) {
  console.error(line)
  process.exit(1)
}

/** The bin folder of Node `LINE` in ~/.node<LINE>, installed there from npm the first time. */
function bringNode () {
  const prefix = join(homedir(), `.node${LINE}`)
  const name = `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`
  const bin = join(prefix, 'node_modules', name, 'bin')
  if (existsSync(join(bin, 'node'))) return bin
  const install = spawnSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--no-save', '--prefix', prefix, `${name}@${LINE}`],
    { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' }
  )
  if (install.status !== 0 || !existsSync(join(bin, 'node'))) {
    stop(
      `Node ${process.version} is older than this package supports (${pkg.engines.node}), and npm could not install ` +
      `${name}@${LINE}: install Node ${LINE} (e.g. \`nvm install ${LINE}\`) and run it again`
    )
  }
  return bin
}

const [command, ...args] = process.argv.slice(2)
if (command === undefined) stop('usage: node scripts/supported-node.mjs <command> [args...]')
if (supported(process.version)) {
  if (command === '--version') console.log(process.version)
  else process.exitCode = run(process.env.PATH)
} else {
  const bin = bringNode()
  const version = spawnSync(join(bin, 'node'), ['--version'], { encoding: 'utf8' }).stdout.trim()
  if (command === '--version') console.log(version)
  else {
    console.error(
      `Node ${process.version} is older than this package supports (${pkg.engines.node}): running ` +
      `\`${[command, ...args].join(' ')}\` under Node ${version} from ${bin}`
    )
    process.exitCode = run(`${bin}${delimiter}${process.env.PATH}`)
  }
}

function run (path) {
  const { status, signal, error } = spawnSync(command, args, {
    stdio: 'inherit',
    env: { ...process.env, PATH: path },
    shell: process.platform === 'win32'
  })
  if (error !== undefined) stop(`could not run ${command}: ${error.message}`)
  return signal === null ? status : 1
}
