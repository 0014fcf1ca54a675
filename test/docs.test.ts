/**
 * Every code block of README.md and docs/**\/*.md is checked, by its language and the marker comment on the line
 * before its fence:
 *
 *   ts, js (no marker)               a complete module: type-checked as a user's file importing the package
 *   <!-- check: fragment -->         type-checked, with your app and your own code taken as given
 *                                    (test/helpers/docs-prelude.ts: `app`, `db`, `secret`, ...)
 *   <!-- check: run -->              type-checked, then run as its own process; a node:test file must pass
 *   <!-- check: run otel -->         the OpenTelemetry setup: run, sent a delivery, its spans read from its output
 *   <!-- check: type-errors -->      must fail to compile, with the errors (and only those) its comments name
 *   <!-- check: same-as <file> -->   that repository file word for word, as a user writes it (a file that runs or
 *                                    is type-checked itself); sql: `same-as migrationSql()`
 *   sh                               every `npm install` names a package the package depends on or is tested with;
 *                                    every `npx fastify-webhooks` a command it has, with options that command takes
 *   text                             a command's output: its `$ npx fastify-webhooks` line, as for sh
 *
 * The type-checked blocks are written to a directory of their own under examples/ (so that `fastify`, `typebox` and
 * the rest resolve), their package imports pointed at the sources, and compiled by one `tsc` run.
 */
import { execFile } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import t from 'tap'
import { main } from '../bin/main.js'
import { migrationSql } from '../lib/stores/postgres-sql.js'
import { sign } from '../lib/testing/kit.js'
import '../plugins/pulse.js'
import { spawnChild } from '../support/child-process.js'
import {
  asUserWrites, blocksOf, diagnosticsByFile, root, toSourceImports, unboundNames, type Block
} from './helpers/markdown-blocks.js'

const pages = ['README.md', ...markdownUnder('docs')]
const blocks = pages.flatMap(file => blocksOf(readFileSync(join(root, file), 'utf8'), file))
const where = (block: Block): string => `${block.file}:${block.line}`

function markdownUnder (dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter(name => name.endsWith('.md'))
    .map(name => join(dir, name))
    .sort()
}

const PRELUDE_NAMES = [...readFileSync(join(root, 'test/helpers/docs-prelude.ts'), 'utf8')
  .matchAll(/^export declare (?:const|function) (\w+)/gm)].map(m => m[1]!)

// ---- one tsc run for every block that compiles, or must not ----

// Left over only by a run killed outright, which the next removes.
for (const stale of readdirSync(join(root, 'examples')).filter(name => name.startsWith('docs-blocks-'))) {
  rmSync(join(root, 'examples', stale), { recursive: true, force: true })
}
const dir = join(root, 'examples', `docs-blocks-${process.pid}`)
mkdirSync(dir, { recursive: true })
t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })

const compiled = blocks.filter(b => (b.lang === 'ts' || b.lang === 'js') && b.check[0] !== 'same-as')
const fileOf = new Map<Block, string>(compiled.map((b, i) => [b, `${b.file.replace(/[/.]/g, '_')}_${b.line}_${i}.ts`]))
writeFileSync(join(dir, 'prelude.ts'), readFileSync(join(root, 'test/helpers/docs-prelude.ts'), 'utf8')
  .replace(/^\/\*\*[\s\S]*?\*\/\n/, ''))
for (const block of compiled) {
  let code = toSourceImports(block.code, dir)
  if (block.check[0] === 'fragment' || block.check[0] === 'type-errors') {
    const given = unboundNames(block.code, PRELUDE_NAMES)
    if (given.length > 0) code = `import { ${given.join(', ')} } from './prelude.js'\n${code}`
  }
  // A block without imports is a script to tsc; each is a module, as in a user's ESM project.
  if (!/^(import|export) /m.test(code)) code += 'export {}\n'
  writeFileSync(join(dir, fileOf.get(block)!), code)
}
writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
  extends: '../../tsconfig.json',
  compilerOptions: { noEmit: true, rootDir: '../..' },
  include: ['*.ts'],
  exclude: []
}))

const tscOutput = await new Promise<string>(resolve => {
  execFile(join(root, 'node_modules/.bin/tsc'), ['-p', dir, '--pretty', 'false'], { cwd: root },
    (_err, stdout) => { resolve(stdout) })
})
const diagnostics = diagnosticsByFile(tscOutput)

t.test('the pages hold code blocks, each of a language this test checks', async t => {
  t.ok(blocks.length > 40, `${blocks.length} blocks`)
  for (const block of blocks) {
    t.ok(['ts', 'js', 'sh', 'sql', 'text'].includes(block.lang), `${where(block)}: language "${block.lang}"`)
  }
})

t.test('same-as blocks are their file, word for word, as a user writes it', async t => {
  const sameAs = blocks.filter(b => b.check[0] === 'same-as')
  t.ok(sameAs.length >= 7)
  for (const block of sameAs) {
    const file = block.check[1]!
    if (file === 'migrationSql()') {
      t.equal(block.code, migrationSql(), where(block))
      continue
    }
    const source = readFileSync(join(root, file), 'utf8')
    t.equal(block.code, asUserWrites(source, file), `${where(block)} is ${file}`)
  }
})

t.test('asUserWrites: the package specifiers for relative imports of entry points, the rest as it is', async t => {
  t.equal(
    asUserWrites("/** x\n */\nimport { a } from '../plugins/pulse.js'\nimport b from './b.js'\n", 'examples/x.ts'),
    "import { a } from 'fastify-webhooks/pulse'\nimport b from './b.js'\n"
  )
  t.equal(asUserWrites("// one\n// two\nimport { k } from '../lib/testing/kit.js'\n", 'test/x.ts'),
    "import { k } from 'fastify-webhooks/testing'\n")
  t.equal(toSourceImports("from 'fastify-webhooks'; declare module 'fastify-webhooks/retab'", join(root, 'examples/d')),
    "from '../../plugins/index.js'; declare module '../../plugins/retab.js'")
})

t.test('blocksOf: fences at any indentation, the marker on the line before', async t => {
  const found = blocksOf('text\n<!-- check: fragment -->\n```ts\na\n```\n- item\n  ```sh\n  b\n  ```\n', 'x.md')
  t.same(found.map(b => [b.line, b.lang, b.check, b.code]), [[3, 'ts', ['fragment'], 'a\n'], [7, 'sh', [], 'b\n']])
  t.throws(() => blocksOf('```ts\nnever closed\n', 'x.md'), /x\.md:1: a code block that is never closed/)
})

t.test('unboundNames: what a fragment uses and neither imports nor declares', async t => {
  t.same(unboundNames("import { app } from 'x'\nconst db = 1\nsecret; queue.add(); event.app\n",
    ['app', 'db', 'secret', 'queue', 'runs']), ['secret', 'queue'])
})

t.test('every ts and js block type-checks (against the sources, strict)', async t => {
  const expected = compiled.filter(b => b.check[0] !== 'type-errors')
  t.ok(expected.length >= 25, `${expected.length} blocks`)
  for (const block of expected) {
    t.same(diagnostics.get(fileOf.get(block)!) ?? [], [], where(block))
  }
})

t.test('type-errors blocks fail with the errors their comments name, and no others', async t => {
  const failing = compiled.filter(b => b.check[0] === 'type-errors')
  t.ok(failing.length >= 2)
  for (const block of failing) {
    // `// error TSn: first line`, then `//   detail` lines that must be among that error's detail lines.
    const named = [...block.code.matchAll(/\/\/ (error TS\d+): (.*)$((?:\n\s*\/\/ {3}.*$)*)/gm)]
      .map(([, code, text, details]) => ({
        code, text, details: [...details!.matchAll(/\/\/ {3}(.*)$/gm)].map(([, detail]) => detail!)
      }))
    const got = diagnostics.get(fileOf.get(block)!) ?? []
    t.equal(got.length, named.length, `${where(block)}: ${got.map(lines => lines[0]).join(' | ')}`)
    for (const [i, { code, text, details }] of named.entries()) {
      const [first, ...rest] = got[i] ?? []
      t.match(first, shortened(`${code}: ${text}`), `${where(block)}: ${code}`)
      for (const detail of details) {
        t.ok(rest.some(line => shortened(detail).test(line)), `${where(block)}: ${detail}`)
      }
    }
  }
})

/** The comment may shorten a long type with `...`; the rest is word for word. */
function shortened (text: string): RegExp {
  return new RegExp('^' + text.split('...').map(escapeRegExp).join('.*') + '$')
}

function escapeRegExp (text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

// ---- blocks that run ----

interface Ran { code: number | null, output: string }

function start (file: string, env: NodeJS.ProcessEnv, args: string[] = []) {
  const child = spawnChild(process.execPath, [...process.execArgv, ...args, file], {
    cwd: root,
    // A block is a user's code: its coverage is not the package's (and tap's exclusions list files made before it).
    env: { ...process.env, _TAPJS_PROCESSINFO_COVERAGE_: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  const listeners: Array<() => void> = []
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; for (const l of listeners) l() })
  }
  const exited: Promise<Ran> = once(child, 'close').then(([code]) => ({ code: code as number | null, output }))
  /** resolves with the output once it matches, or rejects if the process ends first */
  const waitFor = (pattern: RegExp): Promise<RegExpExecArray> => new Promise((resolve, reject) => {
    const check = (): void => { const m = pattern.exec(output); if (m !== null) resolve(m) }
    listeners.push(check)
    check()
    exited.then(() => { reject(new Error(`exited before printing ${pattern}:\n${output}`)) }, reject)
  })
  return { child, exited, waitFor, output: () => output }
}

t.test('run blocks run: a node:test file passes every test', async t => {
  const runs = compiled.filter(b => b.check[0] === 'run' && b.check.length === 1)
  t.ok(runs.length >= 1)
  for (const block of runs) {
    const usesNodeTest = block.code.includes("from 'node:test'")
    const { exited } = start(join(dir, fileOf.get(block)!), {}, usesNodeTest ? ['--test-reporter=tap'] : [])
    const { code, output } = await exited
    t.equal(code, 0, `${where(block)} exits 0`, { output })
    if (usesNodeTest) t.match(output, /^# pass [1-9]\d*\n# fail 0$/m, `${where(block)}: its tests pass`)
  }
})

t.test('the OpenTelemetry setup runs: a delivery makes a webhook span in the request\'s trace', async t => {
  const [block] = compiled.filter(b => b.check.join(' ') === 'run otel')
  t.ok(block, 'docs/observability.md has it')
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
  const server = start(join(dir, fileOf.get(block!)!), { PORT: '0', PULSE_WEBHOOK_SECRET: secret })
  t.teardown(() => { server.child.kill('SIGKILL') })
  const [, url] = await server.waitFor(/"msg":"Server listening at (http:\/\/[^"]+)"/)
  const { headers, body } = sign('pulse', JSON.stringify({
    type: 'job.completed',
    timestamp: new Date().toISOString(),
    data: { job_id: 'job_otel', status: 'completed', pages_processed: 2, processing_time: 1.5 }
  }), { secret, id: 'msg_docs_otel' })
  const res = await fetch(`${url!}/webhooks/pulse`, { method: 'POST', headers, body })
  t.equal(res.status, 200)
  await res.arrayBuffer()
  await server.waitFor(/name: 'webhook pulse'[\s\S]*?'webhook\.outcome': 'handled'/)
  server.child.kill('SIGTERM')
  const { code, output } = await server.exited
  t.equal(code, 0, 'it shuts down cleanly', { output })
  const spans = printedSpans(output)
  const webhook = spans.find(s => s.name === 'webhook pulse')
  if (webhook === undefined) return t.fail('no webhook span printed', { output })
  t.ok(webhook.parent, 'the webhook span has a parent')
  const byId = new Map(spans.map(s => [s.id, s]))
  const chain: string[] = []
  for (let at = webhook.parent; at !== undefined; at = byId.get(at)?.parent) chain.push(byId.get(at)?.name ?? '?')
  t.match(chain[0], /^handler - /, `its parent is @fastify/otel's handler span: ${chain.join(' < ')}`)
  t.match(chain.at(-1), /^request/, 'its root is the request span')
  t.ok(spans.every(s => s.traceId === webhook.traceId), 'one trace')
})

/** The spans ConsoleSpanExporter printed (console.dir of each): name, ids, and the parent's id. */
function printedSpans (output: string): Array<{ name: string, id: string, traceId: string, parent?: string }> {
  return [...output.matchAll(/\{\s*resource:[\s\S]*?\n\}/g)].map(([text]) => {
    const parent = /parentSpanContext: \{[^}]*?spanId: '(\w+)'/.exec(text)?.[1]
    return {
      name: /\n {2}name: '([^']+)'/.exec(text)?.[1] ?? '',
      id: /\n {2}id: '(\w+)'/.exec(text)?.[1] ?? '',
      traceId: /\n {2}traceId: '(\w+)'/.exec(text)?.[1] ?? '',
      ...(parent === undefined ? {} : { parent })
    }
  })
}

// ---- shell blocks and output ----

/** What the CLI prints for these arguments, run in this process. */
async function cli (...args: string[]): Promise<string> {
  let printed = ''
  const write = (text: string): void => { printed += text + '\n' }
  await main(args, { out: write, err: write, env: {} })
  return printed
}

t.test('sh and text blocks: the packages installed and the CLI commands exist', async t => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string>>
  const known = new Set([
    'fastify-webhooks',
    ...Object.keys(pkg.dependencies!),
    ...Object.keys(pkg.peerDependencies!),
    ...Object.keys(pkg.devDependencies!)
  ])
  const commands = ['send', 'secret', 'verify', 'stats', 'inbox']
  const usages = new Map(await Promise.all(commands.map(async c => [c, await cli(c, '--help')] as const)))
  const mainUsage = await cli('--help')
  const helpOf = (command: string): string => command.startsWith('-') ? mainUsage : usages.get(command) ?? ''
  const shells = blocks.filter(b => b.lang === 'sh' || b.lang === 'text')
  t.ok(shells.length >= 8)
  for (const block of shells) {
    for (const line of block.code.split('\n')) {
      const install = /^npm install (.*?)(?:\s+#.*)?$/.exec(line)
      if (block.lang === 'sh' && install !== null) {
        for (const name of install[1]!.split(/\s+/)) {
          const bare = name.replace(/(?<=.)@[^@/]+$/, '')
          t.ok(known.has(bare), `${where(block)}: ${bare} is a dependency, peer or dev dependency`)
        }
      }
      const npx = /(?:^|\$ |\(|&& )npx fastify-webhooks (\S+)([^#)"]*)/.exec(line)
      if (npx === null || (block.lang === 'text' && !line.startsWith('$ '))) continue
      const [, command, rest] = npx as unknown as [string, string, string]
      if (command.startsWith('<')) continue // the synopsis of every command
      const usage = helpOf(command)
      const named = command.startsWith('-')
        ? usage.includes(command)
        : usage.startsWith(`Usage: fastify-webhooks ${command} `)
      t.ok(named, `${where(block)}: ${command}`)
      for (const [option] of rest.matchAll(/--[a-z0-9-]+/g)) {
        t.ok(usage.includes(option), `${where(block)}: ${command} takes ${option}`)
      }
    }
  }
})

t.test('every package a block imports is installed by the README or its own page', async t => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const install = readme.slice(readme.indexOf('\n## Install\n'), readme.indexOf('\n## Quick start\n'))
  const installs = (text: string): Set<string> => new Set([...text.matchAll(/npm install ([^`\n#]+)/g)]
    .flatMap(([, names]) => names!.trim().split(/\s+/)).map(name => name.replace(/(?<=.)@[^@/]+$/, '')))
  const everywhere = installs(install)
  for (const block of blocks.filter(b => b.lang === 'ts' || b.lang === 'js')) {
    const own = installs(readFileSync(join(root, block.file), 'utf8'))
    for (const [, specifier] of block.code.matchAll(/^import .*?['"]([^'"]+)['"]/gm)) {
      if (specifier!.startsWith('node:') || specifier!.startsWith('.')) continue
      const name = specifier!.startsWith('@') ? specifier!.split('/').slice(0, 2).join('/') : specifier!.split('/')[0]!
      t.ok(everywhere.has(name) || own.has(name), `${where(block)}: ${name} is installed in the README or the page`)
    }
  }
})

t.test('no page points at what the package does not ship', async t => {
  for (const file of pages) {
    // The check markers name repository files for this test; a reader never sees them.
    const text = readFileSync(join(root, file), 'utf8').replace(/<!--[\s\S]*?-->/g, '')
    t.notMatch(text, /examples\/|dist\/examples|npm run build|the benchmarks|bench\/|DESIGN\.md/, `${file}`)
    for (const [, target] of text.matchAll(/\]\((?!https?:|#)([^)#]+)(?:#[^)]*)?\)/g)) {
      const path = join(root, file, '..', target!)
      t.doesNotThrow(() => readFileSync(path), `${file} links ${relative(root, path)}`)
    }
  }
})

t.test('the Compatibility table is package.json\'s peers and engines', async t => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    version: string, engines: { node: string }, peerDependencies: Record<string, string>
  }
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const minor = pkg.version.replace(/\.\d+$/, '.x')
  t.match(readme, `| ${minor} | ${pkg.peerDependencies.fastify} | ${pkg.engines.node} (`)
  const peers = readme.slice(readme.indexOf('\nOptional peers'), readme.indexOf('\n## Many tenants'))
  for (const [name, range] of Object.entries(pkg.peerDependencies)) {
    if (name === 'fastify') continue
    const major = range.split('||').map(r => r.trim().replace(/(\.0)+$/, ''))
    t.match(peers, `\`${name}\` ${major.join(' or ')}`, `${name} ${range}`)
  }
})

t.test('the changelog names the version it ships in', async t => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }
  const changelog = readFileSync(join(root, 'CHANGELOG.md'), 'utf8')
  t.equal(/^## \[([^\]]+)\]/m.exec(changelog)?.[1], pkg.version)
})

t.test('the Errors table\'s empty bodies: no body at all, and a signed empty one', async t => {
  const { default: Fastify } = await import('fastify')
  const { pulse } = await import('../plugins/pulse.js')
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
  const app = Fastify()
  await app.register(pulse, { secret })
  t.teardown(() => app.close())
  const post = async (headers: Record<string, string>, payload?: string) => {
    const body = payload === undefined ? {} : { payload }
    const res = await app.inject({ method: 'POST', url: '/webhooks/pulse', headers, ...body })
    return [res.statusCode, res.json<{ code: string }>().code]
  }
  const { headers } = sign('pulse', '', { secret })
  const { 'content-type': _json, ...signatureOnly } = headers
  t.same(await post({}), [400, 'WEBHOOK_EMPTY_BODY'], 'nothing: no body, no content type')
  t.same(await post(signatureOnly), [400, 'WEBHOOK_EMPTY_BODY'], 'signed, no body, no content type')
  t.same(await post(headers, ''), [400, 'WEBHOOK_EMPTY_BODY'], 'signed, an empty body as application/json')
  t.same(await post({ 'content-type': 'application/json' }, ''), [401, 'WEBHOOK_MISSING_SIGNATURE'], 'unsigned, empty')
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  t.match(readme, /\| POST with no body and no `content-type` \(signed or not\), or a signed empty body \| 400 \| `WEBHOOK_EMPTY_BODY` \|/)
})

t.test('the providers table: one row per page, alphabetical, the same in the README and docs/providers/', async t => {
  const rowsOf = (text: string, linkPrefix: string): string[] => {
    const table = text.slice(text.indexOf('| provider | import |'))
    return table.slice(0, table.indexOf('\n\n')).split('\n').slice(2)
      .map(row => row.replaceAll(`](${linkPrefix}`, ']('))
  }
  const inReadme = rowsOf(readFileSync(join(root, 'README.md'), 'utf8'), 'docs/providers/')
  const inDocs = rowsOf(readFileSync(join(root, 'docs/providers/README.md'), 'utf8'), '')
  t.same(inReadme, inDocs)
  const linked = inDocs.map(row => /\]\(([\w-]+\.md)\)/.exec(row)?.[1])
  const pagesThere = readdirSync(join(root, 'docs/providers')).filter(f => f !== 'README.md').sort()
  t.same([...linked].sort(), pagesThere, 'a row for every page')
  const names = inDocs.map(row => /^\| \[([^\]]+)\]/.exec(row)?.[1] ?? '').filter(name => !name.startsWith('any '))
  t.same(names, [...names].sort((a, b) => a.localeCompare(b)), 'alphabetical')
})

t.test('the Options section\'s example message is what a wrong secret throws', async t => {
  const { default: Fastify } = await import('fastify')
  const { pulse } = await import('../plugins/pulse.js')
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const options = readme.slice(readme.indexOf('\n## Options\n'))
  const message = /\(`` (fastify-webhooks-pulse: .+?) ``\)/.exec(options)?.[1] ?? 'the section quotes none'
  const app = Fastify()
  t.teardown(() => app.close())
  await t.rejects(async () => { await app.register(pulse, { secret: 'not-a-standard-secret' }).ready() }, { message })
})

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes. */
function slug (heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-')
}

t.test('the README\'s custom provider is at most 15 lines, with no crypto of its own', async t => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('\n## Custom providers\n'))
  const code = section.slice(section.indexOf('```ts\n') + 6, section.indexOf('\n```'))
  t.ok(code.split('\n').length <= 15, `${code.split('\n').length} lines`)
  t.notMatch(code, /crypto|createHmac/)
})

t.test('every link to a heading finds it', async t => {
  const anchors = (file: string): Set<string> => new Set(
    [...readFileSync(join(root, file), 'utf8').matchAll(/^#{1,6} (.+)$/gm)].map(([, heading]) => slug(heading!)))
  t.equal(slug('OpenTelemetry: `fastify-webhooks/otel`'), 'opentelemetry-fastify-webhooksotel')
  t.equal(slug('Why was my delivery refused?'), 'why-was-my-delivery-refused')
  for (const file of pages) {
    const text = readFileSync(join(root, file), 'utf8')
    for (const [, target, anchor] of text.matchAll(/\]\((?!https?:)([^)#]*)#([^)]+)\)/g)) {
      const targetFile = target === '' ? file : relative(root, join(root, file, '..', target!))
      t.ok(anchors(targetFile).has(anchor!), `${file}: ${target}#${anchor}`)
    }
  }
})
