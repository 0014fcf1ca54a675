/**
 * A payload that fails its schema is refused with the rule it breaks (the missing property, the values or
 * the type allowed) in the 400 and the log line, and never with a value it carried.
 */
import Fastify from 'fastify'
import t from 'tap'
import Type, { type TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import type { TLocalizedValidationError } from 'typebox/error'
import { schemaFailure } from '../lib/core/schema-failure.js'
import { Literals, Nullable } from '../schemas/common.js'
import { autotab } from '../plugins/autotab.js'
import { defineProvider } from '../lib/fastify/define-provider.js'
import { hmacHex } from '../lib/schemes/hmac-hex.js'
import { pulse } from '../plugins/pulse.js'
import { fixtures } from '../lib/testing/kit.js'
import { HEX_SECRET, SW_SECRET, signWith } from './helpers/sign.js'

const SECRETISH = 'sk_live_51HxQ2eLkdIwHu7ix'

function failure (schema: TSchema, value: unknown) {
  const validator = Compile(schema)
  t.notOk(validator.Check(value), 'the value fails')
  return schemaFailure(validator, value)
}

t.test('each rule is said in words made of the schema alone', async t => {
  const cases: Array<[string, TSchema, unknown, { path: string; reason: string }]> = [
    [
      'one property missing',
      Type.Object({ id: Type.String(), n: Type.Number() }),
      { n: 1 },
      { path: '/', reason: 'must have property "id"' }
    ],
    [
      'several missing',
      Type.Object({ a: Type.Object({ id: Type.String(), n: Type.Number() }) }),
      { a: {} },
      { path: '/a', reason: 'must have properties "id", "n"' }
    ],
    ['a type', Type.Object({ n: Type.Integer() }), { n: SECRETISH }, { path: '/n', reason: 'must be an integer' }],
    ['the whole payload', Type.Object({}), SECRETISH, { path: '/', reason: 'must be an object' }],
    [
      'a constant',
      Type.Object({ status: Type.Literal('completed') }),
      { status: SECRETISH },
      { path: '/status', reason: 'must be "completed"' }
    ],
    [
      'an enum',
      Type.Object({ s: Type.Enum(['a', 'b']) }),
      { s: SECRETISH },
      { path: '/s', reason: 'must be "a" or "b"' }
    ],
    [
      'a union of literals',
      Type.Object({ s: Literals('x', 'y', 'z') }),
      { s: SECRETISH },
      { path: '/s', reason: 'must be "x", "y" or "z"' }
    ],
    [
      'a nullable union of literals',
      Type.Object({ s: Nullable(Literals('x', 'y')) }),
      { s: SECRETISH },
      { path: '/s', reason: 'must be "x", "y" or null' }
    ],
    [
      'a nullable enum',
      Type.Object({ s: Nullable(Type.Enum(['a', 'b'])) }),
      { s: SECRETISH },
      { path: '/s', reason: 'must be "a", "b" or null' }
    ],
    [
      'a union of types',
      Type.Object({ s: Nullable(Type.String()) }),
      { s: 42 },
      { path: '/s', reason: 'must be a string or null' }
    ],
    [
      'a type list',
      Type.Unsafe({ type: ['string', 'array'] }),
      42,
      { path: '/', reason: 'must be a string or an array' }
    ],
    [
      'a branch of the right kind failing inside',
      Type.Object({ owner: Type.Union([Type.String(), Type.Object({ id: Type.String() })]) }),
      { owner: { id: 7 } },
      { path: '/owner/id', reason: 'must be a string' }
    ],
    [
      'a union whose branches are not all types or values: the first branch',
      Type.Object({ s: Nullable(Type.String({ minLength: 3 })) }),
      { s: 'sk' },
      { path: '/s', reason: 'must not have fewer than 3 characters' }
    ],
    [
      'a limit',
      Type.Object({ list: Type.Array(Type.String(), { minItems: 1 }) }),
      { list: [] },
      { path: '/list', reason: 'must not have fewer than 1 items' }
    ],
    [
      'a pattern',
      Type.Object({ id: Type.String({ pattern: '^job_' }) }),
      { id: SECRETISH },
      { path: '/id', reason: 'must match pattern "^job_"' }
    ],
    [
      'a property the schema forbids: its object is named, not the property',
      Type.Object({ data: Type.Object({}, { additionalProperties: false }) }),
      { data: { [SECRETISH]: 1 } },
      { path: '/data', reason: 'must have only the properties its schema lists' }
    ],
    [
      'at the top',
      Type.Object({}, { additionalProperties: false }),
      { [SECRETISH]: 1 },
      { path: '/', reason: 'must have only the properties its schema lists' }
    ],
    [
      'property names',
      Type.Unsafe({ type: 'object', propertyNames: { pattern: '^a' } }),
      { [SECRETISH]: 1 },
      { path: '/', reason: 'must have only the property names its schema allows' }
    ],
    [
      'a record: its keys read *',
      Type.Object({ meta: Type.Record(Type.String(), Type.Object({ n: Type.Number() })) }),
      { meta: { [SECRETISH]: { n: 'x' } } },
      { path: '/meta/*/n', reason: 'must be a number' }
    ],
    [
      'a schema for other properties',
      Type.Object({ list: Type.Array(Type.Object({}, { additionalProperties: Type.Integer() })) }),
      { list: [{ [SECRETISH]: 1.5 }] },
      { path: '/list/0/*', reason: 'must be an integer' }
    ],
    [
      'a listed property named like a keyword',
      Type.Object({ items: Type.Object({ additionalProperties: Type.Literal(1) }) }),
      { items: { additionalProperties: 2 } },
      { path: '/items/additionalProperties', reason: 'must be 1' }
    ],
    [
      'unevaluated properties',
      Type.Unsafe({ type: 'object', unevaluatedProperties: false }),
      { [SECRETISH]: 1 },
      { path: '/', reason: 'must have only the properties its schema lists' }
    ]
  ]
  for (const [name, schema, value, expected] of cases) {
    const got = failure(schema, value)
    t.same(got, expected, name)
    t.notMatch(JSON.stringify(got), SECRETISH, `${name}: no value of the payload`)
  }
})

t.test('errors TypeBox reports in other ways are said without the payload too', async t => {
  const error = (e: Partial<TLocalizedValidationError>) =>
    ({ schemaPath: '#', instancePath: '/x', params: {}, message: 'm', ...e }) as TLocalizedValidationError
  const of = (...errors: TLocalizedValidationError[]) => schemaFailure({ Errors: () => errors }, null)
  t.same(
    of(
      error({
        keyword: 'additionalProperties',
        params: { additionalProperties: [SECRETISH] },
        message: `has ${SECRETISH}`
      })
    ),
    { path: '/x', reason: 'must have only the properties its schema lists' },
    'additionalProperties: its property names are left out'
  )
  t.same(
    of(error({ keyword: 'boolean', schemaPath: '#/properties/x' })),
    { path: '/x', reason: 'is not allowed by its schema' },
    'a `false` schema'
  )
  t.same(
    of(error({ keyword: 'propertyNames', params: { propertyNames: [SECRETISH] }, message: `${SECRETISH} is invalid` })),
    { path: '/x', reason: 'must have only the property names its schema allows' },
    'propertyNames: its names are left out'
  )
  t.same(
    of(
      error({ keyword: 'anyOf', schemaPath: '#/properties/x/anyOf/0' }),
      error({ keyword: 'anyOf', schemaPath: '#/properties/x' })
    ),
    { path: '/x', reason: 'm' },
    "a union whose branches are unions with nothing reported: TypeBox's words"
  )
})

async function pulseApp () {
  const lines: Array<Record<string, unknown>> = []
  const raw: string[] = []
  const app = Fastify({
    logger: {
      level: 'info',
      stream: {
        write: (line: string) => {
          raw.push(line)
          lines.push(JSON.parse(line))
        }
      }
    }
  })
  await app.register(pulse, { secret: SW_SECRET })
  const post = (payload: unknown) => {
    const body = JSON.stringify(payload)
    return app.inject({
      method: 'POST',
      url: '/webhooks/pulse',
      headers: {
        'content-type': 'application/json',
        ...signWith({ kind: 'standard', prefix: 'webhook' }, body, { secret: SW_SECRET })
      },
      payload: body
    })
  }
  return { app, lines, raw, post }
}

t.test('the 400 and the log line name the path and the rule, and no value the sender put in the payload', async t => {
  const { app, lines, raw, post } = await pulseApp()
  t.teardown(() => app.close())
  const sample = fixtures.pulse['job.completed']
  const cases: Array<[string, unknown, string, string]> = [
    [
      'a wrong constant',
      { ...sample, data: { ...sample.data, status: SECRETISH } },
      '/data/status',
      'must be "completed"'
    ],
    [
      'a wrong type',
      { ...sample, data: { ...sample.data, pages_processed: SECRETISH } },
      '/data/pages_processed',
      'must be an integer'
    ],
    [
      'a missing property',
      { ...sample, data: { job_id: SECRETISH, status: 'completed', pages_processed: 1 } },
      '/data',
      'must have property "processing_time"'
    ],
    [
      'one of the allowed values',
      { ...fixtures.pulse['job.cancelled'], data: { job_id: 'j', status: SECRETISH } },
      '/data/status',
      'must be "cancelled" or "canceled"'
    ]
  ]
  for (const [name, payload, path, reason] of cases) {
    lines.length = 0
    const res = await post(payload)
    t.equal(res.statusCode, 400, name)
    t.same(
      res.json(),
      {
        statusCode: 400,
        code: 'WEBHOOK_INVALID_PAYLOAD',
        error: 'Bad Request',
        message: `The webhook payload does not match the schema of its event type at ${path}: ${reason}`
      },
      name
    )
    t.match(
      lines.find(line => line.msg === 'webhook payload does not match its schema'),
      { level: 40, provider: 'pulse', path, reason },
      `${name}: logged`
    )
    t.notMatch(res.body, SECRETISH, `${name}: not in the answer`)
  }
  t.notMatch(raw.join(''), SECRETISH, 'no payload value in any log line')
})

t.test('a provider’s own check (`extend`) gives its reason, or a default that names the plugin', async t => {
  const events = { 'order.paid': Type.Object({ kind: Type.Literal('order.paid'), note: Type.String() }) }
  const acme = defineProvider({
    name: 'acme',
    title: 'Acme',
    scheme: hmacHex({ headers: ['x-acme-signature'] }),
    events,
    typeOf: () => 'order.paid',
    extend: (payload: unknown) =>
      (payload as { note: string }).note === 'plain'
        ? { invalid: '/note' }
        : { invalid: '/note', reason: 'must be a note Acme knows' }
  })
  const untitled = defineProvider({ ...acme.provider, name: 'untitled', title: undefined })
  const app = Fastify()
  await app.register(acme, { secret: HEX_SECRET })
  await app.register(untitled, { secret: HEX_SECRET })
  for (const [name, note, reason] of [
    ['acme', 'plain', 'fails a check of the Acme plugin'],
    ['acme', SECRETISH, 'must be a note Acme knows'],
    ['untitled', 'plain', 'fails a check of the untitled plugin']
  ]) {
    const body = JSON.stringify({ kind: 'order.paid', note })
    const res = await app.inject({
      method: 'POST',
      url: `/webhooks/${name}`,
      headers: {
        'content-type': 'application/json',
        ...signWith({ kind: 'hex', header: 'x-acme-signature' }, body, { secret: HEX_SECRET })
      },
      payload: body
    })
    t.equal(
      res.json().message,
      `The webhook payload does not match the schema of its event type at /note: ${reason}`,
      `${name}: ${reason}`
    )
  }
})

t.test('a nullable field of literals, through a shipped plugin', async t => {
  const app = Fastify()
  await app.register(autotab, { secret: HEX_SECRET })
  const body = JSON.stringify({ ...fixtures.autotab.finish, environment: SECRETISH })
  const res = await app.inject({
    method: 'POST',
    url: '/webhooks/autotab',
    headers: {
      'content-type': 'application/json',
      ...signWith({ kind: 'hex', header: 'autotab-signature' }, body, { secret: HEX_SECRET })
    },
    payload: body
  })
  t.equal(
    res.json().message,
    'The webhook payload does not match the schema of its event type at /environment: must be "client", "cloud" or null'
  )
})
