/**
 * With @fastify/swagger registered, each webhook route documents its payload
 * (the union of its event types) and its answers; and the documentation
 * changes nothing about what the route accepts or answers.
 */
import swagger from '@fastify/swagger'
import Fastify from 'fastify'
import t from 'tap'
import { autosana } from '../plugins/autosana.js'
import { autotab } from '../plugins/autotab.js'
import { pulse } from '../plugins/pulse.js'
import { retab } from '../plugins/retab.js'
import { defineStandardWebhooks } from '../plugins/standard-webhooks.js'
import { fixtures, sign } from '../lib/testing/kit.js'
import { HEX_SECRET, SW_SECRET } from './helpers/sign.js'

interface Operation {
  summary: string
  tags: string[]
  parameters?: Array<{ in: string; name: string; required?: boolean; schema: { type: string } }>
  requestBody: {
    required?: boolean
    content: Record<
      string,
      {
        schema: {
          anyOf?: Array<{ title?: string; properties: Record<string, { enum?: string[]; const?: string }> }>
          properties?: Record<string, unknown>
        }
      }
    >
  }
  responses: Record<
    string,
    { description: string; content?: Record<string, { schema: { properties: Record<string, { enum?: unknown[] }> } }> }
  >
}

async function documented (queue = false) {
  const app = Fastify()
  await app.register(swagger, { openapi: { info: { title: 'webhooks', version: '1.0.0' } } })
  await app.register(pulse, { secret: SW_SECRET })
  await app.register(retab, { secret: HEX_SECRET, path: '/hooks/retab' })
  await app.register(autotab, { secret: HEX_SECRET, prefix: '/v1' })
  if (queue) {
    await app.register(pulse, { secret: SW_SECRET, path: '/queued', queue: { name: 'jobs', add: async () => ({}) } })
  }
  await app.ready()
  return { app, doc: app.swagger() as { paths: Record<string, { post: Operation }> } }
}

/** The event type each branch of the documented union accepts. */
function typesOf (op: Operation, field: string): string[] {
  const schema = op.requestBody.content['application/json']!.schema
  return (schema.anyOf ?? []).map(branch => {
    const property = branch.properties[field]!
    return property.const ?? property.enum![0]!
  })
}

t.test('each webhook route shows the union of its event types as its body', async t => {
  const { app, doc } = await documented()
  t.teardown(() => app.close())
  t.same(
    Object.keys(doc.paths).sort(),
    ['/hooks/retab', '/v1/webhooks/autotab', '/webhooks/pulse'],
    'paths honour path and prefix'
  )

  const pulseOp = doc.paths['/webhooks/pulse']!.post
  t.equal(pulseOp.summary, 'Receives pulse webhooks')
  t.same(pulseOp.tags, ['webhooks'])
  t.same(typesOf(pulseOp, 'type'), Object.keys(fixtures.pulse), 'pulse: one branch per event type')
  t.same(
    typesOf(doc.paths['/v1/webhooks/autotab']!.post, 'state'),
    Object.keys(fixtures.autotab),
    'autotab: one branch per state'
  )

  const branches = pulseOp.requestBody.content['application/json']!.schema.anyOf!
  t.same(branches.map(branch => branch.title), Object.keys(fixtures.pulse), 'each branch is titled with its event type')

  const retabBody = doc.paths['/hooks/retab']!.post.requestBody.content['application/json']!.schema
  t.notOk(retabBody.anyOf, 'a provider with one event type documents that type, not a union of one')
  t.ok(retabBody.properties!.completion, 'retab: the completion is documented')
})

t.test('the signature headers are header parameters', async t => {
  const { app, doc } = await documented()
  t.teardown(() => app.close())
  const headers = (path: string) =>
    doc.paths[path]!.post.parameters!.map(p => ({ in: p.in, name: p.name, required: p.required, type: p.schema.type }))
  t.same(
    headers('/webhooks/pulse'),
    ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map(name => ({
      in: 'header',
      name,
      required: true,
      type: 'string'
    })),
    'Pulse: all three, each required'
  )
  t.same(
    headers('/hooks/retab'),
    ['retab-signature', 'x-retab-signature'].map(name => ({ in: 'header', name, required: false, type: 'string' })),
    'Retab: both names it may send, neither required alone'
  )
  t.same(headers('/v1/webhooks/autotab'), [{ in: 'header', name: 'autotab-signature', required: true, type: 'string' }])
})

t.test('a header is not required where another prefix may stand in, or unsigned deliveries are allowed', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(swagger, { openapi: { info: { title: 'webhooks', version: '1.0.0' } } })
  const both = defineStandardWebhooks({ name: 'both', headerPrefixes: ['webhook', 'svix'] })
  await app.register(both, { secret: SW_SECRET })
  await app.register(autosana, { allowUnsigned: true })
  await app.ready()
  const doc = app.swagger() as { paths: Record<string, { post: Operation }> }
  for (const path of ['/webhooks/both', '/webhooks/autosana']) {
    const parameters = doc.paths[path]!.post.parameters!
    t.ok(parameters.length > 0 && parameters.every(p => p.required === false), path)
  }
})

t.test('each webhook route lists its answers', async t => {
  const { app, doc } = await documented(true)
  t.teardown(() => app.close())
  const { responses } = doc.paths['/webhooks/pulse']!.post
  t.same(Object.keys(responses).sort(), ['200', '400', '401', '409', '413', '415', '500', '503'])
  t.same(responses['503']!.content!['application/json']!.schema.properties.code!.enum, ['WEBHOOK_BUFFER_FULL'])
  t.match(responses['401']!.description, /Signature/)
  t.same(Object.keys(responses['401']!.content!['application/json']!.schema.properties).sort(), [
    'code',
    'error',
    'message',
    'statusCode'
  ])
  t.same(Object.keys(responses['200']!.content!['application/json']!.schema.properties).sort(), [
    'duplicate',
    'invalid',
    'received'
  ])
  t.same(
    Object.keys(doc.paths['/queued']!.post.responses).sort(),
    ['200', '202', '400', '401', '409', '413', '415', '500', '503'],
    'with a queue, 202 too'
  )
})

t.test('each error answer lists the codes its status can carry', async t => {
  const { app, doc } = await documented()
  t.teardown(() => app.close())
  const { responses } = doc.paths['/webhooks/pulse']!.post
  const codes = (status: number) =>
    responses[status]!.content!['application/json']!.schema.properties.code!.enum as string[]
  t.same(codes(400).sort(), [
    'FST_ERR_CTP_INVALID_CONTENT_LENGTH',
    'WEBHOOK_EMPTY_BODY',
    'WEBHOOK_INVALID_JSON',
    'WEBHOOK_INVALID_PAYLOAD',
    'WEBHOOK_UNREADABLE_PAYLOAD'
  ])
  t.same(codes(401).sort(), [
    'WEBHOOK_INVALID_SIGNATURE',
    'WEBHOOK_MALFORMED_SIGNATURE',
    'WEBHOOK_MISSING_SIGNATURE',
    'WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE'
  ])
  t.same(codes(409), ['WEBHOOK_CLAIM_LOST', 'WEBHOOK_IN_FLIGHT'])
  t.same(codes(413), ['FST_ERR_CTP_BODY_TOO_LARGE'])
  t.same(codes(415), ['FST_ERR_CTP_INVALID_MEDIA_TYPE'])
  t.same(codes(500).sort(), [
    'WEBHOOK_HANDLER_FAILED',
    'WEBHOOK_QUEUE_UNAVAILABLE',
    'WEBHOOK_SECRET_UNAVAILABLE',
    'WEBHOOK_STORE_UNAVAILABLE'
  ])
  t.notOk(codes(400).includes('WEBHOOK_MISSING_TYPE'), 'a provider whose type is not required never answers it')
  t.same(
    responses['401']!.content!['application/json']!.schema.properties.statusCode,
    { type: 'integer', enum: [401] },
    'the status itself'
  )

  // The answers the route gives are among the documented ones.
  const post = (headers: Record<string, string>, payload: string) =>
    app.inject({ method: 'POST', url: '/webhooks/pulse', headers, payload })
  const good = sign('pulse', fixtures.pulse['job.completed'], { secret: SW_SECRET })
  for (const [name, res] of [
    ['forged', await post({ ...good.headers, 'webhook-signature': 'v1,AAAA' }, good.body)],
    ['not JSON', await post(sign('pulse', '{"', { secret: SW_SECRET }).headers, '{"')],
    ['too large', await post(good.headers, ' '.repeat(1024 * 1024 + 1))],
    ['not JSON at all', await post({ 'content-type': 'text/plain' }, 'hi')]
  ] as const) {
    t.ok(codes(res.statusCode).includes(res.json().code), `${name}: ${res.statusCode} ${res.json().code} is documented`)
  }
})

t.test('a provider that requires its type documents WEBHOOK_MISSING_TYPE among its 400 codes', async t => {
  const strict = defineStandardWebhooks({ name: 'strict', type: { header: 'x-event-type', required: true } })
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(swagger, { openapi: { info: { title: 'webhooks', version: '1.0.0' } } })
  await app.register(strict, { secret: SW_SECRET, onEvent: () => {} })
  await app.ready()
  const doc = app.swagger() as { paths: Record<string, { post: Operation }> }
  const answer = doc.paths['/webhooks/strict']!.post.responses['400']!
  const codes = answer.content!['application/json']!.schema.properties.code!.enum as string[]
  t.ok(codes.includes('WEBHOOK_MISSING_TYPE'))
  t.match(answer.description, /no event type/)
  const delivery = sign(strict, { any: 'thing' }, { secret: SW_SECRET })
  const { headers, body: payload } = delivery
  const res = await app.inject({ method: 'POST', url: '/webhooks/strict', headers, payload })
  t.same([res.statusCode, res.json().code], [400, 'WEBHOOK_MISSING_TYPE'], 'and answers it')
})

t.test('@fastify/swagger registered after a webhook plugin: one warn line says to register it first', async t => {
  const lines: Array<{ level: number; msg: string; provider?: string; path?: string }> = []
  const app = Fastify({
    logger: {
      level: 'warn',
      stream: {
        write: (line: string) => {
          lines.push(JSON.parse(line))
        }
      }
    }
  })
  t.teardown(() => app.close())
  await app.register(pulse, { secret: SW_SECRET, prefix: '/v1' })
  await app.register(swagger, { openapi: { info: { title: 'webhooks', version: '1.0.0' } } })
  await app.ready()
  t.same(Object.keys((app.swagger() as { paths: object }).paths), [], 'swagger never saw the route')
  t.same(lines, [
    {
      ...lines[0],
      level: 40,
      provider: 'pulse',
      path: '/v1/webhooks/pulse',
      msg: '@fastify/swagger was registered after fastify-webhooks-pulse, so the OpenAPI document lacks its route: ' +
        'register @fastify/swagger first'
    }
  ])

  for (const swaggerFirst of [true, false]) {
    const quiet: string[] = []
    const other = Fastify({ logger: { level: 'warn', stream: { write: (line: string) => { quiet.push(line) } } } })
    if (swaggerFirst) await other.register(swagger, { openapi: { info: { title: 'webhooks', version: '1.0.0' } } })
    await other.register(pulse, { secret: SW_SECRET })
    await other.ready()
    t.same(quiet, [], swaggerFirst ? 'swagger first: nothing to say' : 'no swagger at all: nothing to say')
    await other.close()
  }
})

t.test('documented routes answer exactly as before: Fastify validates and serializes nothing of its own', async t => {
  const { app } = await documented()
  t.teardown(() => app.close())
  const post = (url: string, delivery: { headers: Record<string, string>, body: string }) =>
    app.inject({ method: 'POST', url, headers: delivery.headers, payload: delivery.body })

  const ok = await post('/webhooks/pulse', sign('pulse', fixtures.pulse['job.completed'], { secret: SW_SECRET }))
  t.equal(ok.statusCode, 200)
  t.equal(ok.body, '{"received":true}')

  // An unknown type is not in the documented union: an ajv check would refuse it, ours lets it through (200).
  const unknown = await post(
    '/webhooks/pulse',
    sign('pulse', JSON.stringify({ type: 'job.new_kind', timestamp: 'x', data: {} }), { secret: SW_SECRET })
  )
  t.equal(unknown.statusCode, 200)

  const forged = await post(
    '/webhooks/pulse',
    sign('pulse', fixtures.pulse['job.completed'], { secret: 'whsec_' + Buffer.alloc(32).toString('base64') })
  )
  t.equal(forged.statusCode, 401)
  t.equal(
    forged.body,
    '{"statusCode":401,"code":"WEBHOOK_INVALID_SIGNATURE","error":"Unauthorized","message":"The webhook signature ' +
    'does not match"}',
    'byte for byte what Fastify answers without a schema'
  )

  const invalid = await post(
    '/webhooks/pulse',
    sign('pulse', JSON.stringify({ ...fixtures.pulse['job.completed'], data: {} }), { secret: SW_SECRET })
  )
  t.equal(invalid.statusCode, 400)
  t.equal(invalid.json().code, 'WEBHOOK_INVALID_PAYLOAD')

  const text = await app.inject({
    method: 'POST',
    url: '/webhooks/pulse',
    headers: { 'content-type': 'text/plain' },
    payload: 'hi'
  })
  t.equal(text.statusCode, 415)
})

t.test('a handler that answers itself is serialized as plain JSON', async t => {
  const app = Fastify()
  await app.register(swagger, { openapi: { info: { title: 'webhooks', version: '1.0.0' } } })
  await app.register(pulse, {
    secret: SW_SECRET,
    on: { 'job.failed': async (_event, _request, reply) => reply.code(200).send({ received: true, note: 'kept' }) }
  })
  const delivery = sign('pulse', fixtures.pulse['job.failed'], { secret: SW_SECRET })
  const res = await app.inject({
    method: 'POST',
    url: '/webhooks/pulse',
    headers: delivery.headers,
    payload: delivery.body
  })
  t.same(res.json(), { received: true, note: 'kept' }, 'a field the 200 schema does not list is not dropped')
})

t.test(
  'without @fastify/swagger the route carries no schema at all: nothing to compile, nothing on the error ' + 'path',
  async t => {
    const app = Fastify()
    const schemas: unknown[] = []
    app.addHook('onRoute', route => {
      schemas.push(route.schema)
    })
    await app.register(pulse, { secret: SW_SECRET })
    await app.ready()
    t.same(schemas, [undefined])
    const forged = sign('pulse', fixtures.pulse['job.completed'], {
      secret: 'whsec_' + Buffer.alloc(32).toString('base64')
    })
    const res = await app.inject({
      method: 'POST',
      url: '/webhooks/pulse',
      headers: forged.headers,
      payload: forged.body
    })
    t.equal(
      res.body,
      '{"statusCode":401,"code":"WEBHOOK_INVALID_SIGNATURE","error":"Unauthorized","message":"The webhook signature ' +
      'does not match"}',
      'the same bytes as with swagger'
    )
  }
)
