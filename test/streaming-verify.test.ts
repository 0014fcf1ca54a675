/**
 * A large or chunked body's signature is checked as the body arrives (the scheme's `begin`), not hashed whole once
 * read: the verdict is `verify`'s for the same bytes, a forged body is refused at its end without being joined into
 * one buffer, and a small body is verified whole as before.
 */
import { randomBytes } from 'node:crypto'
import Fastify from 'fastify'
import t, { type Test } from 'tap'
import { defineProvider } from '../lib/fastify/define-provider.js'
import { hmac } from '../lib/schemes/hmac.js'
import type { SignatureScheme, Verification } from '../lib/schemes/scheme.js'
import { providers, type ProviderName } from '../plugins/registry.js'
import { pulse } from '../plugins/pulse.js'
import { retab } from '../plugins/retab.js'
import { discord } from '../plugins/discord.js'
import { fixtures } from '../lib/testing/kit.js'
import { registrySecrets } from './helpers/registry-secrets.js'
import { HEX_SECRET, SW_SECRET } from './helpers/sign.js'
import { rawPost, until } from '../support/raw-http.js'
import { bufferedBytes } from '../lib/fastify/body-guard.js'

const URL_SIGNED = 'https://example.com/webhooks/hook?x=1'
const NOW = Math.floor(Date.now() / 1000)
const context = { now: NOW, tolerance: 300, method: 'POST', url: URL_SIGNED }

/** The providers whose scheme checks a body as it arrives: every HMAC over the body as sent. */
const STREAMED: readonly ProviderName[] = [
  'autotab', 'autosana', 'cyberdesk', 'retab', 'pulse', 'stripe', 'github', 'slack', 'shopify', 'paddle', 'twitch',
  'square'
]

/** `body` cut at random places, as a socket may hand it over. */
function chunks (body: Buffer): Buffer[] {
  const parts: Buffer[] = []
  for (let at = 0; at < body.length;) {
    const size = 1 + Math.floor(Math.random() * Math.min(body.length, 70_000))
    parts.push(body.subarray(at, at + size))
    at += size
  }
  return parts
}

function fed (scheme: SignatureScheme, keys: readonly unknown[], headers: Record<string, string>, body: Buffer) {
  const started = scheme.begin!(keys, headers, context)
  if ('reason' in started!) return started
  for (const chunk of chunks(body)) started!.update(chunk)
  return started!.finish()
}

const reasonOf = (verdict: Verification<object> | undefined): string => verdict?.ok === false ? verdict.reason : 'ok'

t.test('the schemes that can be fed a body as it arrives', async t => {
  const names = (Object.keys(providers) as ProviderName[]).filter(name => providers[name].provider.scheme.begin)
  t.same(names, STREAMED, 'ed25519, ECDSA, a shared token, a signed form and a body-field timestamp are verified whole')
})

t.test('fed in random chunks, each scheme gives the verdict verify gives', async t => {
  const { secrets, signing } = registrySecrets()
  for (const name of STREAMED) {
    // Each provider's own key type: seen here as any scheme's.
    const scheme = providers[name].provider.scheme as SignatureScheme
    const keys = [scheme.parseSecret(secrets[name])]
    const other = [scheme.parseSecret(scheme.generateSecret())]
    for (const size of [0, 1, 1000, 65_537, 300_000]) {
      const body = Buffer.from(JSON.stringify({ type: 'x', data: randomBytes(size).toString('base64').slice(0, size) }))
      const headers = scheme.sign(signing(name), body, { url: URL_SIGNED, timestamp: NOW })
      const whole = scheme.verify(keys, headers, body, context)
      t.ok(whole.ok, `${name}, ${body.length} bytes: verify accepts the delivery`)
      t.same(fed(scheme, keys, headers, body), whole, `${name}, ${body.length} bytes: the same verdict fed in chunks`)

      const tampered = Buffer.from(body)
      tampered[tampered.length - 1] = tampered.at(-1)! ^ 1
      t.equal(reasonOf(fed(scheme, keys, headers, tampered)), 'invalid-signature', `${name}: a changed last byte`)
      t.same(fed(scheme, other, headers, body), scheme.verify(other, headers, body, context), `${name}: another key`)
    }
  }
})

t.test('the headers are refused as verify refuses them', async t => {
  const { scheme } = pulse.provider
  const keys = [scheme.parseSecret(SW_SECRET)]
  const body = Buffer.from('{}')
  const headers = scheme.sign(SW_SECRET, body, { timestamp: NOW - 3600 })
  const started = scheme.begin!(keys, headers, context)
  t.same(started, scheme.verify(keys, headers, body, context), 'a stale timestamp, before any byte')
  const { scheme: hex } = retab.provider
  const hexKeys = [hex.parseSecret(HEX_SECRET)]
  t.same(hex.begin!(hexKeys, {}, context), hex.verify(hexKeys, {}, body, context), 'no signature header')
})

t.test('Standard Webhooks with an ed25519 key among the keys: a v1a entry has the body verified whole', async t => {
  const { scheme } = pulse.provider
  const pair = scheme.generateKeyPair!()
  const keys = [scheme.parseSecret(SW_SECRET), scheme.parseSecret(pair.publicKey)]
  const body = Buffer.from(JSON.stringify({ type: 'x', data: 'd'.repeat(100_000) }))
  const hmacOnly = scheme.sign(SW_SECRET, body, { id: 'msg_1', timestamp: NOW })
  const withV1a = scheme.sign([SW_SECRET, pair.secretKey], body, { id: 'msg_1', timestamp: NOW })
  t.equal(scheme.begin!(keys, withV1a, context), undefined, 'an entry the ed25519 key checks: verified whole')
  t.equal(scheme.begin!([keys[1]!], hmacOnly, context), undefined, 'no HMAC key: verified whole')

  // Only `v1` entries: the HMAC key is fed the body, with verify's verdict, the ed25519 key left out.
  t.ok(scheme.verify(keys, hmacOnly, body, context).ok)
  t.same(fed(scheme, keys, hmacOnly, body), scheme.verify(keys, hmacOnly, body, context))
  const other = [scheme.parseSecret(scheme.generateSecret()), keys[1]!]
  t.same(fed(scheme, other, hmacOnly, body), scheme.verify(other, hmacOnly, body, context), 'no match: a refusal')
  // HMAC keys alone, and a v1a entry among the v1: the count of entries in the refusal is verify's.
  const hmacKeys = [other[0]!]
  t.same(fed(scheme, hmacKeys, withV1a, body), scheme.verify(hmacKeys, withV1a, body, context))
})

/**
 * A receiver of `plugin`'s provider whose scheme counts its whole-body verifies, so that a test can tell a body
 * checked as it arrived (none) from one verified once read.
 */
async function receiver (
  t: Test,
  plugin: typeof pulse | typeof retab | typeof discord,
  secret: string | ((tenant: string) => Promise<string | null>),
  tenantPath?: string
) {
  let verified = 0
  const spec = plugin.provider
  const counting = {
    ...spec.scheme,
    verify: (...args: Parameters<typeof spec.scheme.verify>) => {
      verified++
      return spec.scheme.verify(...args)
    }
  }
  const counted = defineProvider({ ...spec, scheme: counting } as typeof spec)
  const app = Fastify()
  const handled: Array<{ id: string, bytes: number }> = []
  const refusals: string[] = []
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode === 401) refusals.push(request.id)
  })
  const tenants = tenantPath === undefined
    ? {}
    : { path: tenantPath, tenant: (request: { params: unknown }) => (request.params as { tenant: string }).tenant }
  await app.register(counted as never, {
    secret,
    ...tenants,
    bodyLimit: 4 * 1024 * 1024,
    onEvent: (event: { id: string }, request: { rawBody?: Buffer }) => {
      handled.push({ id: event.id, bytes: request.rawBody!.length })
    }
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => app.close())
  const port = (app.server.address() as { port: number }).port
  return { port, handled, refusals, verifies: () => verified, inUse: () => bufferedBytes(app.server)!.inUse }
}

/** Posts `body` in writes cut at random places, with its declared length or chunked; the answer once closed. */
async function post (
  port: number,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
  chunked: boolean
): Promise<{ status: number, body: string }> {
  const request = await rawPost(port, path, {
    'content-type': 'application/json',
    connection: 'close',
    ...headers,
    ...(chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': body.length })
  })
  for (const piece of chunks(body)) {
    const framed = [Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]
    request.socket.write(chunked ? Buffer.concat(framed) : piece)
  }
  if (chunked) request.socket.write('0\r\n\r\n')
  return await request.answer
}

function largePulse (id: string): { body: Buffer, headers: Record<string, string> } {
  const sample = fixtures.pulse['job.completed']
  const body = Buffer.from(JSON.stringify({ ...sample, data: { ...sample.data, job_id: 'j'.repeat(300_000) } }))
  return { body, headers: pulse.provider.scheme.sign(SW_SECRET, body, { id }) }
}

t.test('over HTTP: a large body is checked as it arrives, a small one once read', async t => {
  const server = await receiver(t, pulse, SW_SECRET)
  for (const chunked of [false, true]) {
    const id = `msg_large_${chunked}`
    const { body, headers } = largePulse(id)
    const answer = await post(server.port, '/webhooks/pulse', headers, body, chunked)
    t.equal(answer.status, 200, `${chunked ? 'chunked' : 'declared length'}: accepted`)
  }
  const { length } = largePulse('x').body
  t.same(server.handled.map(h => h.bytes), [length, length], 'rawBody is every byte')
  t.equal(server.verifies(), 0, 'no large body was hashed again once read')

  const small = Buffer.from(JSON.stringify(fixtures.pulse['job.completed']))
  const answer = await post(server.port, '/webhooks/pulse', pulse.provider.scheme.sign(SW_SECRET, small), small, false)
  t.equal(answer.status, 200)
  t.equal(server.verifies(), 1, 'a small body is verified whole')
})

t.test('over HTTP: a large forged body is refused 401 at its end, and nothing runs', async t => {
  const server = await receiver(t, pulse, SW_SECRET)
  const { body, headers } = largePulse('msg_forged')
  const forged = pulse.provider.scheme.sign(pulse.provider.scheme.generateSecret(), body, { id: 'msg_forged' })
  const wrongKey = await post(server.port, '/webhooks/pulse', forged, body, false)
  t.equal(wrongKey.status, 401)
  t.match(JSON.parse(wrongKey.body), { code: 'WEBHOOK_INVALID_SIGNATURE' })
  const tampered = Buffer.from(body)
  tampered[10] = tampered[10]! ^ 1
  t.equal((await post(server.port, '/webhooks/pulse', headers, tampered, true)).status, 401, 'chunked and changed')
  t.same(server.handled, [], 'no handler ran')
  t.equal(server.verifies(), 0)
  t.equal(server.refusals.length, 2)
})

t.test('over HTTP: the HMAC block (Retab) streams too; ed25519 (Discord) is verified whole', async t => {
  const hex = await receiver(t, retab, HEX_SECRET)
  const sample = fixtures.retab['extraction.completed']
  const body = Buffer.from(JSON.stringify({ ...sample, padding: 'p'.repeat(200_000) }))
  const signed = retab.provider.scheme.sign(HEX_SECRET, body)
  t.equal((await post(hex.port, '/webhooks/retab', signed, body, false)).status, 200)
  t.equal(hex.verifies(), 0)

  const { scheme } = discord.provider
  const pair = scheme.generateKeyPair!()
  const ed = await receiver(t, discord, pair.publicKey)
  const ping = Buffer.from(JSON.stringify({ type: 1, padding: 'p'.repeat(100_000) }))
  t.equal((await post(ed.port, '/webhooks/discord', scheme.sign(pair.secretKey, ping), ping, false)).status, 200)
  t.equal(ed.verifies(), 1)
})

t.test('text signed after the body is fed at its end; a signed URL needs the URL', async t => {
  const scheme = hmac({
    signed: '{timestamp}.{body}.{id}!',
    timestamp: { header: 'x-ts' },
    id: { header: 'x-id' },
    signature: { header: 'x-sig' }
  })
  const keys = [scheme.parseSecret('s')]
  const body = Buffer.from('x'.repeat(100_000))
  const headers = scheme.sign('s', body, { id: 'evt_1', timestamp: NOW })
  t.same(fed(scheme, keys, headers, body), scheme.verify(keys, headers, body, context))
  t.ok(scheme.verify(keys, headers, body, context).ok)

  const { scheme: square } = providers.square.provider
  const squareKeys = [square.parseSecret(HEX_SECRET)]
  const signed = square.sign(HEX_SECRET, body, { url: URL_SIGNED })
  const noUrl = { now: NOW, tolerance: 300 }
  t.same(square.begin!(squareKeys, signed, noUrl), square.verify(squareKeys, signed, body, noUrl), 'no URL to check')
})

t.test('over HTTP: what cannot be checked as it arrives is verified whole once read', async t => {
  // Only `v1a` entries with HMAC keys: the headers pass the precheck, and verify refuses them as ever.
  const server = await receiver(t, pulse, SW_SECRET)
  const { body, headers } = largePulse('msg_v1a')
  const onlyV1a = { ...headers, 'webhook-signature': `v1a,${Buffer.alloc(64).toString('base64')}` }
  const answer = await post(server.port, '/webhooks/pulse', onlyV1a, body, false)
  t.equal(answer.status, 401)
  t.match(JSON.parse(answer.body), { code: 'WEBHOOK_MALFORMED_SIGNATURE' })
  t.equal(server.verifies(), 1)

  // Unsigned deliveries allowed: nothing to check.
  const app = Fastify()
  const handled: string[] = []
  await app.register(providers.autosana, { allowUnsigned: true, onEvent: event => { handled.push(event.type) } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => app.close())
  const { port } = app.server.address() as { port: number }
  const sample = fixtures.autosana[Object.keys(fixtures.autosana)[0] as keyof typeof fixtures.autosana]
  const unsigned = Buffer.from(JSON.stringify({ ...sample, padding: 'p'.repeat(100_000) }))
  t.equal((await post(port, '/webhooks/autosana', {}, unsigned, true)).status, 200)
  t.equal(handled.length, 1)
})

t.test('over HTTP: a tenant\'s large body is checked as it arrives, its secret looked up first', async t => {
  const lookups: string[] = []
  const server = await receiver(t, pulse, async tenant => {
    lookups.push(tenant)
    await new Promise(resolve => setTimeout(resolve, 20))
    return tenant === 'acme' ? SW_SECRET : null
  }, '/webhooks/pulse/:tenant')
  for (const chunked of [false, true]) {
    const { body, headers } = largePulse(`msg_tenant_${chunked}`)
    t.equal((await post(server.port, '/webhooks/pulse/acme', headers, body, chunked)).status, 200, 'accepted')
  }
  t.same(lookups, ['acme'], 'looked up once, then cached')
  const { length } = largePulse('x').body
  t.same(server.handled.map(h => h.bytes), [length, length])

  // A forged body, and one to a tenant the lookup does not know: refused alike, at their end.
  const { body, headers } = largePulse('msg_tenant_forged')
  const forged = pulse.provider.scheme.sign(pulse.provider.scheme.generateSecret(), body, { id: 'msg_tenant_forged' })
  const wrongKey = await post(server.port, '/webhooks/pulse/acme', forged, body, true)
  const unknown = await post(server.port, '/webhooks/pulse/nobody', headers, body, false)
  for (const answer of [wrongKey, unknown]) {
    t.equal(answer.status, 401)
    t.match(JSON.parse(answer.body), { code: 'WEBHOOK_INVALID_SIGNATURE' })
  }
  t.equal(server.verifies(), 0, 'no large body was hashed whole once read')

  // A `v1a` entry, which the tenant's ed25519 stand-in checks, needs the whole message: verified once read.
  const both = { ...headers, 'webhook-signature': `${headers['webhook-signature']!} v1a,${'A'.repeat(86)}==` }
  t.equal((await post(server.port, '/webhooks/pulse/acme', both, body, false)).status, 200)
  t.equal(server.verifies(), 1)
  t.equal(server.handled.length, 3)
})

t.test('over HTTP: a secret lookup that fails before a large body is read answers 500, and nothing runs', async t => {
  const server = await receiver(t, pulse, async () => { throw new Error('vault down') }, '/webhooks/pulse/:tenant')
  const { body, headers } = largePulse('msg_lookup_fails')
  const answer = await post(server.port, '/webhooks/pulse/acme', headers, body, false)
  t.equal(answer.status, 500)
  t.match(JSON.parse(answer.body), { code: 'WEBHOOK_SECRET_UNAVAILABLE' })
  t.notMatch(answer.body, /vault down/, 'the cause is not answered')
  t.same(server.handled, [])
  t.equal(server.verifies(), 0)
})

t.test('over HTTP: an upload given up while its tenant\'s secret is looked up is dropped', async t => {
  let lookedUp = (): void => {}
  let answer = (): void => {}
  const asked = new Promise<void>(resolve => { lookedUp = resolve })
  const server = await receiver(t, pulse, async () => {
    lookedUp()
    await new Promise<void>(resolve => { answer = resolve })
    return SW_SECRET
  }, '/webhooks/pulse/:tenant')
  const { body, headers } = largePulse('msg_given_up')
  const request = await rawPost(server.port, '/webhooks/pulse/acme', {
    'content-type': 'application/json', ...headers, 'content-length': body.length
  })
  request.socket.write(body.subarray(0, 1000))
  await asked
  t.equal(server.inUse(), body.length, 'the declared length is held while the secret is looked up')
  request.socket.destroy()
  await until(() => server.inUse() === 0)
  answer()

  // The tenant's secret is cached now: the next delivery is checked as it arrives, and is the only one handled.
  const next = largePulse('msg_after')
  t.equal((await post(server.port, '/webhooks/pulse/acme', next.headers, next.body, false)).status, 200)
  t.same(server.handled.map(h => h.id), ['msg_after'])
  t.equal(server.verifies(), 0)
  t.equal(server.inUse(), 0)
})
