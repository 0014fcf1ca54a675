/**
 * The README's examples are files that run: "Testing your handlers" is test/readme-example.test.ts,
 * the `defineProvider` one is examples/gitea-provider.ts, the Prometheus recipe examples/prometheus.ts. They must not
 * drift apart; only the package imports differ.
 */
import { readFile } from 'node:fs/promises'
import t from 'tap'

const HEADING = '## Testing your handlers'

/** The first ```ts block after the heading. */
export function exampleIn (markdown: string, heading = HEADING): string | undefined {
  const start = markdown.indexOf(`\n${heading}\n`)
  if (start === -1) return undefined
  const block = /```ts\n([\s\S]*?)```/.exec(markdown.slice(start))
  return block?.[1]
}

/** The test file as a user would copy it: package imports instead of relative ones, without its first comment line. */
export function asInReadme (testFile: string): string {
  return testFile
    .slice(testFile.indexOf('\n') + 1)
    .replace("from '../plugins/pulse.js'", "from 'fastify-webhooks/pulse'")
    .replace("from '../lib/testing/kit.js'", "from 'fastify-webhooks/testing'")
}

const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8')
const test = await readFile(new URL('./readme-example.test.ts', import.meta.url), 'utf8')
const example = exampleIn(readme)

t.test('the runnable test, with the imports a user writes', async t => {
  t.match(asInReadme(test), "import { fixtures, sign } from 'fastify-webhooks/testing'")
  t.notMatch(asInReadme(test), '../plugins/')
})

t.test('the README example is the runnable test, word for word', async t => {
  t.equal(example, asInReadme(test))
})

t.test('exampleIn finds the block under its heading only', async t => {
  t.equal(exampleIn('# x\n```ts\nnot this\n```\n'), undefined)
  t.equal(exampleIn(`# x\n\n${HEADING}\n\ntext\n\n\`\`\`ts\ncode\n\`\`\`\n`), 'code\n')
  t.equal(exampleIn(`# x\n\n${HEADING}\n\nno code\n`), undefined)
})

t.test('the defineProvider example is examples/gitea-provider.ts, word for word', async t => {
  const file = await readFile(new URL('../examples/gitea-provider.ts', import.meta.url), 'utf8')
  const asUserWrites = file
    .slice(file.indexOf('*/\n') + 3)
    .replace("from '../plugins/index.js'", "from 'fastify-webhooks'")
  t.equal(exampleIn(readme, '## A provider of your own: `defineProvider`'), asUserWrites)
})

t.test('the Prometheus recipe is examples/prometheus.ts, word for word', async t => {
  const file = await readFile(new URL('../examples/prometheus.ts', import.meta.url), 'utf8')
  const asUserWrites = file
    .slice(file.indexOf('*/\n') + 3)
    .replace("from '../plugins/index.js'", "from 'fastify-webhooks'")
  t.equal(exampleIn(readme, '### Prometheus with prom-client'), asUserWrites)
})

t.test('the many-tenants example is examples/many-tenants.ts, word for word, in under 20 lines', async t => {
  const file = await readFile(new URL('../examples/many-tenants.ts', import.meta.url), 'utf8')
  const asUserWrites = file.slice(file.indexOf('*/\n') + 3)
    .replace("from '../plugins/index.js'", "from 'fastify-webhooks'")
    .replace("from '../plugins/pulse.js'", "from 'fastify-webhooks/pulse'")
  const example = exampleIn(readme, '## Many tenants: a secret per delivery')
  t.equal(example, asUserWrites)
  t.ok(example!.trimEnd().split('\n').length < 20)
})

t.test('the generic Standard Webhooks example is examples/any-sender.ts, word for word, in under 10 lines', async t => {
  const file = await readFile(new URL('../examples/any-sender.ts', import.meta.url), 'utf8')
  const asUserWrites = file
    .slice(file.indexOf('*/\n') + 3)
    .replace("from '../plugins/standard-webhooks.js'", "from 'fastify-webhooks/standard-webhooks'")
  const example = exampleIn(readme, '## Any Standard Webhooks sender: `fastify-webhooks/standard-webhooks`')
  t.equal(example, asUserWrites)
  t.ok(example!.trimEnd().split('\n').length < 10)
})
