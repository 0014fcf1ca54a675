import t from 'tap'
import Fastify from 'fastify'
import Type from 'typebox'
import { retab } from '../plugins/retab.js'
import { fixtures } from '../lib/testing/kit.js'
import { providerSuite } from './helpers/provider-suite.js'
import { HEX_SECRET, HEX_SECRET_2, signWith } from './helpers/sign.js'

const sample = fixtures.retab['extraction.completed']
const scheme = { kind: 'hex', header: 'retab-signature' } as const

providerSuite({
  name: 'retab',
  plugin: retab,
  scheme,
  secret: HEX_SECRET,
  otherSecret: HEX_SECRET_2,
  samples: fixtures.retab,
  invalid: {
    payload: { ...sample, completion: { ...sample.completion, choices: [] } },
    path: '/completion/choices',
    reason: 'must not have fewer than 1 items'
  },
  expectedId: () => sample.completion.id
})

const Meeting = Type.Object({ name: Type.String(), date: Type.String() })

function post (app: ReturnType<typeof Fastify>, payload: unknown, header = 'retab-signature') {
  const body = JSON.stringify(payload)
  return app.inject({
    method: 'POST',
    url: '/webhooks/retab',
    headers: { 'content-type': 'application/json', ...signWith({ kind: 'hex', header }, body, { secret: HEX_SECRET }) },
    payload: body
  })
}

t.test('retab: the extracted object is parsed and checked against the user schema', async t => {
  const app = Fastify()
  const names: unknown[] = []
  await app.register(retab, {
    secret: HEX_SECRET,
    extraction: Meeting,
    on: {
      'extraction.completed': e => {
        names.push(e.extraction)
      }
    }
  })
  t.equal((await post(app, sample)).statusCode, 200)
  t.same(names, [{ name: 'Team Meeting!', date: '2023-12-31' }])

  const wrong = structuredClone(sample)
  wrong.completion.id = 'other'
  wrong.completion.choices[0]!.message.content = '{"name": 42, "date": "2024-01-01"}'
  const res = await post(app, wrong)
  t.equal(res.statusCode, 400)
  t.equal(res.json().code, 'WEBHOOK_INVALID_PAYLOAD')
  t.match(res.json().message, '/completion/choices/0/message/content/name: must be a string')

  const notJson = structuredClone(sample)
  notJson.completion.id = 'third'
  notJson.completion.choices[0]!.message.content = 'not json'
  const unparsed = await post(app, notJson)
  t.equal(unparsed.statusCode, 400)
  t.match(unparsed.json().message, /at \/completion\/choices\/0\/message\/content: must be JSON text$/)

  const notObject = structuredClone(sample)
  notObject.completion.id = 'fourth'
  notObject.completion.choices[0]!.message.content = '"a string"'
  const whole = await post(app, notObject)
  t.equal(whole.statusCode, 400)
  t.match(whole.json().message, /at \/completion\/choices\/0\/message\/content: must be an object$/)
})

t.test('retab: without a schema the extraction is the parsed content; X-Retab-Signature is read too', async t => {
  const app = Fastify()
  const seen: unknown[] = []
  await app.register(retab, { secret: HEX_SECRET, on: { 'extraction.completed': e => { seen.push(e.extraction) } } })
  const res = await post(app, sample, 'x-retab-signature')
  t.equal(res.statusCode, 200)
  t.same(seen, [{ name: 'Team Meeting!', date: '2023-12-31' }])
  const empty = structuredClone(sample)
  empty.completion.id = 'empty'
  empty.completion.choices[0]!.message.content = null as unknown as string
  t.equal((await post(app, empty)).statusCode, 200)
  t.same(seen[1], {})
})

t.test('retab: bodies of tens of MB pass the default limit; the id falls back to extraction_id', async t => {
  const app = Fastify()
  const ids: string[] = []
  await app.register(retab, {
    secret: HEX_SECRET,
    on: {
      'extraction.completed': e => {
        ids.push(e.id)
      }
    }
  })
  const big = structuredClone(sample) as Omit<typeof sample, 'completion'> & {
    completion: Partial<typeof sample.completion>
  }
  delete big.completion.id
  big.file_payload = {
    filename: 'big.pdf',
    url: 'data:application/pdf;base64,' + Buffer.alloc(20 * 1024 * 1024, 7).toString('base64')
  }
  const res = await post(app, big)
  t.equal(res.statusCode, 400, 'completion.id is required by the schema')
  const withId = { ...big, completion: { ...big.completion, id: 'big' } }
  t.equal((await post(app, withId)).statusCode, 200)
  t.same(ids, ['big'])
})
