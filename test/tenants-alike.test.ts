/**
 * Tenants are indistinguishable: an unknown tenant and tenants holding `whsec_` keys, a `whpk_` key, or both get
 * the same answer, byte for byte, for every shape of delivery. The timing is measured in bench/tenants.ts, not here.
 */
import t from 'tap'
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import Fastify, { type FastifyRequest } from 'fastify'
import { autosana } from '../plugins/autosana.js'
import { pulse } from '../plugins/pulse.js'
import { fixtures } from '../lib/testing/kit.js'
import { HEX_SECRET, SW_SECRET, SW_SECRET_2, signWith } from './helpers/sign.js'

const body = JSON.stringify(fixtures.pulse['job.completed'])
const tenantParam = (request: FastifyRequest): string => (request.params as { tenant: string }).tenant

/** An ed25519 key pair from node:crypto: the receiver's `whpk_`, and the sender's private key to sign `v1a` with. */
function ed25519Pair (): { publicKey: string, privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url')
  return { publicKey: `whpk_${raw.toString('base64')}`, privateKey }
}

function v1a (privateKey: KeyObject, id: string, stamp: number): string {
  return `v1a,${sign(null, Buffer.from(`${id}.${stamp}.${body}`), privateKey).toString('base64')}`
}

/** The `v1,` entry of SW_SECRET-like `secret` over `body`, from the independent signer. */
function v1 (secret: string, id: string, stamp: number): string {
  return signWith({ kind: 'standard', prefix: 'webhook' }, body, { secret, id, timestamp: stamp })['webhook-signature']!
}

const own = ed25519Pair()
const stranger = ed25519Pair()
const tenants: Record<string, string[] | undefined> = {
  unknown: undefined,
  whsec: [SW_SECRET],
  whpk: [own.publicKey],
  mixed: [SW_SECRET, own.publicKey]
}

/** Every shape of signature headers a delivery can have, none of them signed with a key any tenant holds. */
function shapes (): Record<string, Record<string, string>> {
  const id = 'msg_alike'
  const now = Math.floor(Date.now() / 1000)
  const at = (stamp: number, signature: string): Record<string, string> =>
    ({ 'webhook-id': id, 'webhook-timestamp': String(stamp), 'webhook-signature': signature })
  const strangerV1 = v1(SW_SECRET_2, id, now)
  const strangerV1a = v1a(stranger.privateKey, id, now)
  return {
    'v1 only': at(now, strangerV1),
    'v1a only': at(now, strangerV1a),
    'v1 and v1a': at(now, `${strangerV1} ${strangerV1a}`),
    'v1a before v1': at(now, `${strangerV1a} ${strangerV1}`),
    'malformed: no v1 or v1a entry': at(now, 'v2,abc'),
    'malformed: timestamp': { ...at(now, strangerV1), 'webhook-timestamp': 'soon' },
    missing: {},
    'stale timestamp': at(now - 600, v1(SW_SECRET, id, now - 600)),
    'v1 of the right form, wrong': at(now, `v1,${Buffer.alloc(32).toString('base64')}`),
    'v1a of the right form, wrong': at(now, `v1a,${Buffer.alloc(64).toString('base64')}`),
    'v1a of the wrong length': at(now, 'v1a,AAAA'),
    'v1 and v1a of the right form, wrong':
      at(now, `v1,${Buffer.alloc(32).toString('base64')} v1a,${Buffer.alloc(64).toString('base64')}`)
  }
}

/** Status, body and headers of an answer. `date` is dropped: it is the only header that varies, and by time only. */
async function answer (res: Response): Promise<{ status: number, body: string, headers: Record<string, string> }> {
  const headers = Object.fromEntries(res.headers)
  delete headers.date
  return { status: res.status, body: await res.text(), headers }
}

t.test('unknown, whsec_, whpk_ and mixed tenants give byte-identical answers to every header shape', async t => {
  let lookups = 0
  const handled: string[] = []
  const app = Fastify()
  await app.register(pulse, {
    path: '/webhooks/pulse/:tenant',
    tenant: tenantParam,
    secret: tenant => { lookups++; return tenants[tenant] },
    onEvent: event => { handled.push(event.tenant!) }
  })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())
  const post = async (tenant: string, headers: Record<string, string>): Promise<Response> =>
    await fetch(`${url}/webhooks/pulse/${tenant}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body
    })

  const expected: Record<string, string> = {
    'v1 only': 'WEBHOOK_INVALID_SIGNATURE',
    'v1a only': 'WEBHOOK_INVALID_SIGNATURE',
    'v1 and v1a': 'WEBHOOK_INVALID_SIGNATURE',
    'v1a before v1': 'WEBHOOK_INVALID_SIGNATURE',
    'malformed: no v1 or v1a entry': 'WEBHOOK_MALFORMED_SIGNATURE',
    'malformed: timestamp': 'WEBHOOK_MALFORMED_SIGNATURE',
    missing: 'WEBHOOK_MISSING_SIGNATURE',
    'stale timestamp': 'WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE',
    'v1 of the right form, wrong': 'WEBHOOK_INVALID_SIGNATURE',
    'v1a of the right form, wrong': 'WEBHOOK_INVALID_SIGNATURE',
    'v1a of the wrong length': 'WEBHOOK_INVALID_SIGNATURE',
    'v1 and v1a of the right form, wrong': 'WEBHOOK_INVALID_SIGNATURE'
  }
  // Twice: the first round looks every tenant up, the second is served from the cache (known and unknown alike).
  for (const round of ['looked up', 'cached']) {
    for (const [shape, headers] of Object.entries(shapes())) {
      const answers: Record<string, Awaited<ReturnType<typeof answer>>> = {}
      for (const tenant of Object.keys(tenants)) answers[tenant] = await answer(await post(tenant, headers))
      const { unknown, ...known } = answers
      t.equal(unknown!.status, 401, `${shape} (${round})`)
      t.equal(JSON.parse(unknown!.body).code, expected[shape], `${shape} (${round})`)
      for (const [tenant, each] of Object.entries(known)) t.same(each, unknown, `${shape}: ${tenant} as unknown`)
    }
  }
  t.equal(lookups, 4, 'one lookup per tenant, unknown included')

  // Each known tenant's own signatures are accepted: the stand-ins take nothing away.
  const now = Math.floor(Date.now() / 1000)
  const signed = (id: string, signature: string): Record<string, string> =>
    ({ 'webhook-id': id, 'webhook-timestamp': String(now), 'webhook-signature': signature })
  const accepted: Array<[string, Record<string, string>]> = [
    ['whsec', signed('msg_1', v1(SW_SECRET, 'msg_1', now))],
    ['whpk', signed('msg_2', v1a(own.privateKey, 'msg_2', now))],
    ['mixed', signed('msg_3', v1(SW_SECRET, 'msg_3', now))],
    ['mixed', signed('msg_4', v1a(own.privateKey, 'msg_4', now))],
    ['whpk', signed('msg_5', `${v1(SW_SECRET_2, 'msg_5', now)} ${v1a(own.privateKey, 'msg_5', now)}`)]
  ]
  for (const [tenant, headers] of accepted) t.equal((await post(tenant, headers)).status, 200, tenant)
  t.same(handled, ['whsec', 'whpk', 'mixed', 'mixed', 'whpk'])
  const unknownSigned = await post('unknown', signed('msg_6', v1(SW_SECRET, 'msg_6', now)))
  t.equal(JSON.parse(await unknownSigned.text()).code, 'WEBHOOK_INVALID_SIGNATURE', 'a good signature, unknown tenant')
})

t.test('the log line of a refusal is the same too, for every kind of tenant', async t => {
  const lines: Array<Record<string, unknown>> = []
  const app = Fastify({
    logger: { level: 'warn', stream: { write: (line: string) => { lines.push(JSON.parse(line)) } } }
  })
  await app.register(pulse, { path: '/webhooks/pulse/:tenant', tenant: tenantParam, secret: tenant => tenants[tenant] })
  for (const headers of [shapes()['v1 only']!, shapes()['v1a only']!]) {
    for (const tenant of Object.keys(tenants)) {
      await app.inject({
        method: 'POST',
        url: `/webhooks/pulse/${tenant}`,
        headers: { 'content-type': 'application/json', ...headers },
        payload: body
      })
    }
  }
  const details = lines.map(line => line.detail)
  t.equal(details.length, 8)
  t.same(new Set(details), new Set(['no signature matched (1 received, 2 secrets tried)']))
})

t.test('a scheme with one kind of key (HMAC hex): known and unknown tenants alike', async t => {
  const app = Fastify()
  await app.register(autosana, { tenant: () => 'acme', secret: tenant => (tenant === 'acme' ? HEX_SECRET : undefined) })
  await app.register(autosana, {
    prefix: '/other',
    tenant: () => 'nobody',
    secret: tenant => (tenant === 'acme' ? HEX_SECRET : undefined)
  })
  const payload = JSON.stringify(fixtures.autosana[Object.keys(fixtures.autosana)[0] as keyof typeof fixtures.autosana])
  const scheme = { kind: 'hex', header: 'x-autosana-signature-256', prefix: 'sha256=' } as const
  const post = async (url: string, secret: string): Promise<{ status: number, body: string }> => {
    const headers = { 'content-type': 'application/json', ...signWith(scheme, payload, { secret }) }
    const res = await app.inject({ method: 'POST', url, headers, payload })
    return { status: res.statusCode, body: res.body }
  }
  t.equal((await post('/webhooks/autosana', HEX_SECRET)).status, 200, 'the known tenant verifies with its key')
  const wrong = await post('/webhooks/autosana', 'another')
  t.equal(wrong.status, 401)
  t.same(await post('/other/webhooks/autosana', HEX_SECRET), wrong, 'the unknown tenant: the answer of a wrong key')
})
