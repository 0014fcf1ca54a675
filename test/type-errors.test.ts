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

/** The whole diagnostic as a terminal prints it after the file name: what a user reads. */
const whole = (file: string): string => first(file).join('\n')

t.test('a misspelled event type in the README\'s `register` form: one short error naming the valid types', async t => {
  const text = whole('register-misspelled-on.ts')
  t.ok(text.length < 300, `${text.length} characters`)
  t.match(text, /^error TS2769: No overload matches this call\.\nThe last overload gave the following error\.\n/)
  t.match(text, /''job\.complete'' does not exist in type 'TypesOf<"pulse", "job\.created" \| "job\.processing" \| "job\.completed" \| "job\.failed" \| "job\.cancelled">/)
  // Only the mistake: the handler's `event` is still typed, so no implicit-any error follows it.
  t.equal(byFile.get('register-misspelled-on.ts')?.length, 1)
})

t.test('a secret left out of the `register` form: one short error that says so', async t => {
  const text = whole('register-missing-secret.ts')
  t.ok(text.length < 300, `${text.length} characters`)
  t.match(text, /^error TS2769: No overload matches this call\.\n/)
  t.match(text, /does not exist in type '\{\} & SecretIsRequired'\.$/)
  t.equal(byFile.get('register-missing-secret.ts')?.length, 1)
})

t.test('every fixture fails, and only as pinned here', async t => {
  t.same([...byFile.keys()].sort(), [
    'missing-secret.ts',
    'misspelled-on.ts',
    'register-missing-secret.ts',
    'register-misspelled-on.ts',
    'wrong-secret.ts'
  ])
})

t.test('diagnosticsByFile groups the detail lines under their error', async t => {
  const output = 'test/type-errors/a.ts(1,2): error TS1: one.\n  detail\nb.ts(3,4): error TS2: two.\n\n'
  t.same([...diagnosticsByFile(output)], [['a.ts', [['error TS1: one.', 'detail']]], ['b.ts', [['error TS2: two.']]]])
  t.same([...diagnosticsByFile('  stray detail\n')], [])
})
