/**
 * The type errors a user is most likely to meet, and their first line: what an editor shows and what
 * a terminal shows first. Each file in test/type-errors/ is one mistake; one `tsc` run with the project's
 * settings compiles them all (they are outside the main tsconfig's reach, as they must fail).
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { diagnosticsByFile } from './helpers/markdown-blocks.js'

const root = fileURLToPath(new URL('..', import.meta.url))

function compileFixtures (): Promise<string> {
  return new Promise(resolve => {
    // tsc exits non-zero: these files are meant to fail.
    execFile(
      `${root}node_modules/.bin/tsc`,
      ['-p', 'test/type-errors', '--pretty', 'false'],
      { cwd: root },
      (_err, stdout) => resolve(stdout)
    )
  })
}

const byFile = diagnosticsByFile(await compileFixtures())
const first = (file: string): string[] => byFile.get(file)?.[0] ?? []

t.test('a misspelled event type in `on` is reported as itself, on the first line', async t => {
  const [line] = first('misspelled-on.ts')
  t.match(
    line,
    /^error TS2353: Object literal may only specify known properties, and ''job\.complete'' does not exist in type 'WebhookHandlers<EventOf<StandardWebhooksSpec<"pulse", /
  )
})

t.test('a secret that is no string is reported as itself, on the first line', async t => {
  t.same(first('wrong-secret.ts'), [
    "error TS2322: Type 'number' is not assignable to type 'WebhookSecret | SecretLookup | undefined'."
  ])
})

t.test('a missing secret is a type error, named on the second line', async t => {
  const [line, detail] = first('missing-secret.ts')
  t.match(
    line,
    /^error TS2345: Argument of type '\{ on: \{\}; \}' is not assignable to parameter of type 'ProviderOptions<StandardWebhooksSpec<"pulse", /
  )
  t.equal(
    detail,
    "Property 'secret' is missing in type '{ on: {}; }' but required in type " +
    "'{ secret: WebhookSecret | SecretLookup | undefined; }'."
  )
})

t.test('without `options`, Fastify\'s overloads report the same mistake under their own first line', async t => {
  const [line, ...details] = first('register-misspelled-on.ts')
  t.equal(line, 'error TS2769: No overload matches this call.')
  t.ok(
    details.some(d =>
      d.startsWith("Object literal may only specify known properties, and ''job.complete'' does not exist")
    )
  )
})

t.test('every fixture fails, and only as pinned here', async t => {
  t.same([...byFile.keys()].sort(), [
    'missing-secret.ts',
    'misspelled-on.ts',
    'register-misspelled-on.ts',
    'wrong-secret.ts'
  ])
})

t.test('diagnosticsByFile groups the detail lines under their error', async t => {
  const output = 'test/type-errors/a.ts(1,2): error TS1: one.\n  detail\nb.ts(3,4): error TS2: two.\n\n'
  t.same([...diagnosticsByFile(output)], [['a.ts', [['error TS1: one.', 'detail']]], ['b.ts', [['error TS2: two.']]]])
  t.same([...diagnosticsByFile('  stray detail\n')], [])
})
