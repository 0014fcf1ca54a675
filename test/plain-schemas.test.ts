/**
 * schemas/plain/ is what the providers load: each module must be its TypeBox source's schemas, key for key.
 * `npm run schemas` (WRITE_PLAIN_SCHEMAS=1) rewrites them.
 */
import { readFile, writeFile } from 'node:fs/promises'
import t from 'tap'
import { PLAIN, plainModule, schemaSources } from '../support/plain-schemas.js'

const write = process.env.WRITE_PLAIN_SCHEMAS === '1'

for (const file of await schemaSources()) {
  t.test(`schemas/plain/${file} is schemas/${file}`, async t => {
    const expected = await plainModule(file)
    if (write) await writeFile(PLAIN + file, expected)
    const actual = await readFile(PLAIN + file, 'utf8').catch(() => '(missing)')
    t.equal(actual, expected, 'run `npm run schemas` after changing a schema')
  })
}

t.test("fastify-webhooks/stripe's stripeEvent builds what the TypeBox source's does", async t => {
  const { stripeEvent } = await import('../plugins/stripe.js')
  const source = await import('../schemas/stripe.js')
  for (const [type, schema] of Object.entries(source.stripeEvents)) {
    const example = (schema as { examples?: Array<{ data: { object: Record<string, unknown> } }> }).examples![0]!.data
    const object = schema.properties.data.properties.object
    t.same(stripeEvent(type, object, example), source.stripeEvent(type, object, example), type)
    t.same(stripeEvent(type, object, example), schema, `${type} as shipped`)
  }
})
