#!/usr/bin/env node
/**
 * Does the package install cleanly where users install it? (`npm run check:package`, run by .ci/run.)
 * Packs it as a publish would: a git clone of HEAD in a temp dir, `npm ci` there, then `npm pack`, whose
 * prepack builds (nothing built here is used, so a tarball without dist/ cannot pass for want of a build).
 * Installs the tarball in a fresh project beside it (from npm's cache where it can; fastify is a peer, so it
 * is installed beside it, with the optional peers bullmq, ioredis, pg and @opentelemetry/api), then checks every
 * subpath export: ESM import, CommonJS require (require of ESM, Node 22.12+), TypeScript types under moduleResolution
 * node16 and bundler, the bin, and publint and attw over the same tarball. Then a strict consumer (skipLibCheck
 * false, so the shipped .d.ts are checked; exactOptionalPropertyTypes) under every @types/node and TypeScript of
 * STRICT_MATRIX, each pair installed into a temp dir of its own (never the project's devDependencies). Prints one
 * line per check; exits 1 if any fails.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const work = mkdtempSync(join(tmpdir(), 'fastify-webhooks-package-'))
/** The clean clone that is packed; its node_modules also provide the tools and the peers' versions. */
const clone = join(work, 'clone')
/** The fresh project the tarball is installed in. */
const dir = join(work, 'consumer')
const bin = name => join(clone, 'node_modules', '.bin', name)
const versionOf = name => JSON.parse(readFileSync(join(clone, 'node_modules', name, 'package.json'), 'utf8')).version
const packageName = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).name
const specifier = subpath => subpath === '.' ? packageName : `${packageName}/${subpath.slice(2)}`

/**
 * The strict consumer compiles under each pair: @types/node 22 (the oldest Node supported), 24, and 26 (what
 * `npm i -D @types/node` installs, which reordered TracingChannel's type parameters); TypeScript 5.9 (the build's)
 * and 7 (the current native compiler).
 */
const STRICT_MATRIX = { typesNode: ['22', '24', '26'], typescript: ['5.9', '7'] }

/**
 * The README's `register` form with the two mistakes users make most: under each compiler each must be one
 * error, under 300 characters as printed after the file name, that names what is wrong.
 */
const MISTAKES = {
  'misspelled-type.ts': {
    code: "await app.register(pulse, { secret: process.env.SECRET, on: { 'job.complete': async () => {} } })",
    names: ["''job.complete'' does not exist", '"job.completed"']
  },
  'missing-secret.ts': {
    code: "await app.register(pulse, { on: { 'job.completed': async () => {} } })",
    names: ['SecretIsRequired']
  }
}

const started = Date.now()
let failed = 0

function run (command, args, options = {}) {
  return execFileSync(command, args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options })
}

function check (name, fn) {
  try {
    const note = fn()
    console.log(`ok - ${name}${note ? ` (${note})` : ''}`)
    return true
  } catch (err) {
    failed++
    console.log(`not ok - ${name}`)
    console.log(String(err.stdout ?? '') + String(err.stderr ?? '') || err.message)
    return false
  }
}

try {
  mkdirSync(dir)
  const cloned = check('a clean clone of HEAD, with npm ci', () => {
    const head = run('git', ['rev-parse', 'HEAD'], { cwd: root }).trim()
    run('git', ['clone', '--quiet', '--no-checkout', root, clone])
    run('git', ['checkout', '--quiet', head], { cwd: clone })
    run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: clone })
    const uncommitted = run('git', ['status', '--porcelain'], { cwd: root }).trim() !== ''
    return `${head.slice(0, 7)}${uncommitted ? '; uncommitted changes are not in it' : ''}`
  })
  if (!cloned) throw new Error('nothing to pack')

  // What is packed is the clone's package.json, HEAD's, not the working tree's.
  const pkg = JSON.parse(readFileSync(join(clone, 'package.json'), 'utf8'))
  const subpaths = Object.keys(pkg.exports).filter(key => key !== './package.json')
  let tarball
  check('npm pack in the clone, whose prepack builds', () => {
    // --json keeps stdout for the JSON: the prepack build's output goes to stderr.
    const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: clone }))
    tarball = join(dir, packed.filename)
    const missing = subpaths.flatMap(subpath => Object.values(pkg.exports[subpath]))
      .concat(Object.values(pkg.bin), 'LICENSE')
      .map(file => file.replace(/^\.\//, ''))
      .filter(file => !packed.files.some(entry => entry.path === file))
    if (missing.length > 0) throw new Error(`the tarball lacks ${missing.join(', ')}`)
    const stray = packed.files.filter(entry => /^dist\/(test|bench|examples|support)\//.test(entry.path))
    if (stray.length > 0) {
      throw new Error(`the tarball holds files users do not need: ${stray.map(e => e.path).join(', ')}`)
    }
    return `${packed.files.length} files, ${Math.round(packed.size / 1024)} kB`
  })
  if (tarball === undefined) throw new Error('nothing to install')

  // The clone's own build (the one just packed) says what each subpath must export.
  const registry = (await import(pathToFileURL(join(clone, 'dist', 'plugins', 'registry.js')).href)).providers
  const providers = Object.keys(registry)
  /** Named exports each subpath must have at run time: the plugins (named and default), the kit, the stores. */
  const expected = {
    '.': [...providers, 'defineProvider', 'MemoryStore', 'signStandard', 'WebhookInvalidSignatureError'],
    ...Object.fromEntries(providers.map(name => [`./${name}`, [name, 'default']])),
    './standard-webhooks': ['defineStandardWebhooks'],
    './schemes': ['hmac', 'ed25519', 'ecdsa', 'sharedToken', 'hmacHex', 'standardWebhooks'],
    './testing': ['sign', 'fixtures', 'fixture', 'deliver', 'receive'],
    './redis': ['RedisStore'],
    './postgres': ['PostgresStore', 'migrationSql', 'PostgresClaimLostError'],
    './bullmq': ['createWebhookWorker'],
    './otel': ['instrumentWebhooks'],
    './dashboard': ['dashboard', 'default']
  }

  check('npm install of the tarball in a fresh project, fastify as peer', () => {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
    const peers = ['fastify', 'bullmq', 'ioredis', 'pg', '@opentelemetry/api', '@types/pg', '@types/node'].map(
      name => `${name}@${versionOf(name)}`
    )
    run('npm', [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--loglevel=error',
      tarball,
      ...peers
    ])
    return peers.join(', ')
  })

  /** Lines that load one subpath with `load` (`await import` or `require`) and check its named exports. */
  const loadAndCheck = (subpath, load) => `
      const m = ${load}(${JSON.stringify(specifier(subpath))})
      const missing = ${JSON.stringify(expected[subpath] ?? [])}.filter(name => m[name] === undefined)
      if (missing.length) throw new Error(${JSON.stringify(specifier(subpath))} + ' lacks ' + missing.join(', '))`

  check('ESM import of every subpath export', () => {
    const lines = subpaths.map(subpath => `{${loadAndCheck(subpath, 'await import')}
      if ('default' in m && m.default !== m[${JSON.stringify(subpath.slice(2))}]) \
throw new Error(${JSON.stringify(subpath)} + ': default is not the named plugin')
    }`)
    writeFileSync(join(dir, 'esm.mjs'), lines.join('\n'))
    run(process.execPath, ['esm.mjs'])
    return subpaths.join(' ')
  })

  check('CommonJS require of every subpath export', () => {
    const lines = subpaths.map(subpath => `{${loadAndCheck(subpath, 'require')}
    }`)
    writeFileSync(join(dir, 'cjs.cjs'), lines.join('\n'))
    // require(esm) is on by default from Node 22.12.
    run(process.execPath, ['--disable-warning=ExperimentalWarning', 'cjs.cjs'])
    return `Node ${process.versions.node}`
  })

  writeFileSync(join(dir, 'consumer.ts'), `
import Fastify from 'fastify'
import { defineProvider, hmacHex, MemoryStore, type PulseEvent } from 'fastify-webhooks'
${providers.map(name =>
  `import { ${name} } from 'fastify-webhooks/${name}'\nimport ${name}Default from 'fastify-webhooks/${name}'`
).join('\n')}
import { fixtures, sign } from 'fastify-webhooks/testing'
import { RedisStore } from 'fastify-webhooks/redis'
import { PostgresStore } from 'fastify-webhooks/postgres'
import pg from 'pg'
import { createWebhookWorker } from 'fastify-webhooks/bullmq'
import { instrumentWebhooks } from 'fastify-webhooks/otel'

const app = Fastify()
await app.register(pulse, {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  on: { 'job.completed': async (event) => { const pages: number = event.payload.data.pages_processed; void pages } },
  idempotency: { store: new MemoryStore() }
})
${providers.map(name => `// @ts-expect-error the types are real: a type ${name} does not send is refused
await app.register(${name}, { secret: 's', on: { 'no.such.type': async () => {} } })
await app.register(${name}Default, \
{ secret: ${JSON.stringify(registry[name].provider.scheme.generateSecret())}, path: '/${name}-default' })`
  )
  .join('\n')}
const postgres = new PostgresStore({ pool: new pg.Pool() })
const committed: Promise<boolean> = postgres.transaction('pulse:msg_1', 60_000, \
async (tx) => (await tx.query('SELECT 1')).rowCount === 1)
const mine = defineProvider({ name: 'mine', scheme: hmacHex({ headers: ['x-sig'] }), events: {}, \
typeOf: () => undefined })
const delivery: { headers: Record<string, string>, body: string } = \
sign('pulse', fixtures.pulse['job.failed'], { secret: 'whsec_x' })
const event: PulseEvent['type'] = 'job.failed'
const stop: () => void = instrumentWebhooks()
void mine; void delivery; void event; void RedisStore; void committed; void createWebhookWorker; void stop
// Optional options from a config object whose fields may be undefined (exactOptionalPropertyTypes).
declare const config: { tolerance: number | undefined, path: string | undefined }
await app.register(pulse, { secret: process.env.PULSE_WEBHOOK_SECRET, tolerance: config.tolerance, path: config.path })
`)
  // Importing the kit alone must not add every provider to request.webhook: only a provider's own module does.
  writeFileSync(join(dir, 'kit-only.ts'), `
import Fastify from 'fastify'
import { sign } from 'fastify-webhooks/testing'
const app = Fastify()
app.addHook('preHandler', async (request) => {
  const webhook: null = request.webhook
  // @ts-expect-error no provider plugin is imported here, so request.webhook is only null
  void request.webhook?.provider
  void webhook
})
void sign
`)
  for (const [resolution, module] of [['node16', 'node16'], ['bundler', 'esnext']]) {
    check(`TypeScript, moduleResolution ${resolution}: the types of every subpath export resolve`, () => {
      writeFileSync(
        join(dir, `tsconfig.${resolution}.json`),
        JSON.stringify({
          compilerOptions: {
            target: 'es2022',
            module,
            moduleResolution: resolution,
            strict: true,
            noEmit: true,
            skipLibCheck: true,
            types: ['node']
          },
          files: ['consumer.ts']
        })
      )
      run(bin('tsc'), ['-p', `tsconfig.${resolution}.json`])
      writeFileSync(
        join(dir, `tsconfig.kit.${resolution}.json`),
        JSON.stringify({
          compilerOptions: {
            target: 'es2022',
            module,
            moduleResolution: resolution,
            strict: true,
            noEmit: true,
            skipLibCheck: true,
            types: ['node']
          },
          files: ['kit-only.ts']
        })
      )
      run(bin('tsc'), ['-p', `tsconfig.kit.${resolution}.json`])
    })
  }

  // What users get by default: skipLibCheck false checks every .d.ts the package ships, under their @types/node.
  for (const typesNode of STRICT_MATRIX.typesNode) {
    for (const typescript of STRICT_MATRIX.typescript) {
      check(
        `TypeScript ${typescript}, @types/node ${typesNode}: a strict consumer (skipLibCheck false, ` +
        'exactOptionalPropertyTypes) of every subpath export compiles',
        () => strictConsumer(typesNode, typescript)
      )
    }
  }

  check('the installed bin: --version, send --help, a secret, and an event that the installed plugin verifies', () => {
    const version = run('npx', ['--no-install', 'fastify-webhooks', '--version']).trim()
    if (version !== pkg.version) throw new Error(`--version printed "${version}", not ${pkg.version}`)
    if (
      !run('npx', ['--no-install', 'fastify-webhooks', 'send', '--help']).startsWith('Usage: fastify-webhooks send ')
    ) {
      throw new Error('send --help printed no usage of send')
    }
    const secret = run('npx', ['--no-install', 'fastify-webhooks', 'secret', 'pulse']).trim()
    if (!/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret)) throw new Error(`unexpected output: ${secret}`)
    // The README's walk: a server, then `send` from the command line (run async: the server must answer meanwhile).
    writeFileSync(join(dir, 'walk.mjs'), `
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import Fastify from 'fastify'
import { pulse } from 'fastify-webhooks/pulse'
const secret = process.env.PULSE_WEBHOOK_SECRET
const app = Fastify()
const done = []
await app.register(pulse, { secret, on: { 'job.completed': async (event) => { \
done.push(event.payload.data.job_id) } } })
const url = await app.listen({ host: '127.0.0.1', port: 0 })
const { stdout } = await promisify(execFile)('npx', ['--no-install', 'fastify-webhooks', 'send', 'pulse', \
'job.completed', '--url', url + '/webhooks/pulse', '--secret', secret])
await app.close()
if (!stdout.includes('200 OK {"received":true}') || done.length !== 1) throw new Error('not verified: ' + stdout)
`)
    run(process.execPath, ['walk.mjs'], { env: { ...process.env, PULSE_WEBHOOK_SECRET: secret } })
  })

  check('publint --strict over the tarball', () => run(bin('publint'), ['--strict', tarball]).trim().split('\n').at(-1))

  // ESM only on purpose: require() of it works from Node 22.12 (checked above), which attw's node16-cjs
  // resolution does not model, so that rule is ignored. Profile node16 leaves out moduleResolution node10,
  // which predates `exports` and so cannot see subpaths (TypeScript deprecates it). Every other rule applies.
  check('attw --profile node16 (are the types wrong), ignoring only cjs-resolves-to-esm', () => {
    run(bin('attw'), [
      tarball,
      '--profile',
      'node16',
      '--ignore-rules',
      'cjs-resolves-to-esm',
      '--format',
      'table-flipped',
      '--no-color'
    ])
  })
} finally {
  rmSync(work, { recursive: true, force: true })
}

/**
 * Installs @types/node `typesNode` and TypeScript `typescript` into a temp dir of their own, and compiles the
 * consumer (and the kit alone) with that tsc, its @types/node as the only one: typeRoots point there, and the
 * files tsc lists are checked to hold no other @types/node. Returns the versions installed.
 */
function strictConsumer (typesNode, typescript) {
  const tools = join(work, `types-node-${typesNode}-typescript-${typescript}`)
  const types = join(tools, 'node_modules', '@types')
  mkdirSync(tools)
  run('npm', [
    'install',
    '--prefix',
    tools,
    '--no-save',
    '--prefer-offline',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
    `@types/node@${typesNode}`,
    `typescript@${typescript}`
  ])
  const installed = name => JSON.parse(readFileSync(join(tools, 'node_modules', name, 'package.json'), 'utf8')).version
  const tsc = join(tools, 'node_modules', '.bin', 'tsc')
  const configFor = file => {
    const config = `tsconfig.strict.${typesNode}.${typescript}.${file.replace(/\.ts$/, '')}.json`
    writeFileSync(
      join(dir, config),
      JSON.stringify({
        compilerOptions: {
          target: 'es2022',
          module: 'node16',
          moduleResolution: 'node16',
          strict: true,
          exactOptionalPropertyTypes: true,
          noEmit: true,
          skipLibCheck: false,
          typeRoots: [types],
          types: ['node']
        },
        files: [file]
      })
    )
    return config
  }
  for (const file of ['consumer.ts', 'kit-only.ts']) {
    const config = configFor(file)
    let listed
    try {
      listed = run(tsc, ['-p', config, '--listFiles']).split('\n')
    } catch (err) {
      // tsc lists every file it read after its errors (absolute paths): keep only the errors.
      err.stdout = String(err.stdout ?? '').split('\n').filter(line => !/^(?:[A-Za-z]:)?[\\/].*\.[cm]?ts$/.test(line))
        .join('\n')
      throw err
    }
    const nodeTypes = listed.filter(line => /[\\/]@types[\\/]node[\\/]/.test(line))
    const stray = nodeTypes.find(line => !resolve(line).startsWith(join(types, 'node')))
    if (nodeTypes.length === 0 || stray !== undefined) {
      throw new Error(`${file} did not compile against ${join(types, 'node')} alone: ${stray ?? 'no @types/node'}`)
    }
  }
  const lengths = Object.entries(MISTAKES).map(([file, { code, names }]) => {
    writeFileSync(join(dir, file), `import Fastify from 'fastify'
import { pulse } from 'fastify-webhooks/pulse'
const app = Fastify()
${code}
`)
    let output = ''
    try {
      run(tsc, ['-p', configFor(file), '--pretty', 'false'])
    } catch (err) {
      output = String(err.stdout ?? '')
    }
    const errors = output.split(/^(?=\S)/m).filter(Boolean)
    const text = errors[0]?.replace(/^\S+\(\d+,\d+\): /, '').trimEnd() ?? ''
    if (errors.length !== 1 || text.length >= 300 || !names.every(name => text.includes(name))) {
      throw new Error(`${file}: expected one error under 300 characters naming ${names.join(', ')}; got:\n${output}`)
    }
    return text.length
  })
  return `typescript ${installed('typescript')}, @types/node ${installed('@types/node')}; ` +
    `register's misspelled type and missing secret: one error each, ${lengths.join(' and ')} characters`
}

console.log(
  `${failed === 0 ? 'package ok' : `${failed} package check(s) failed`} in ` +
  `${Math.round((Date.now() - started) / 1000)} s`
)
process.exitCode = failed === 0 ? 0 : 1
