/**
 * `v1a` (ed25519) Standard Webhooks signatures against independent ed25519 code: a Python script written from
 * the spec alone (test/helpers/ed25519_oracle.py, with `cryptography`) and WebCrypto. Over real HTTP.
 */
import t from 'tap'
import { execFile } from 'node:child_process'
import { randomBytes, webcrypto } from 'node:crypto'
import { promisify } from 'node:util'
import Fastify from 'fastify'
import { main } from '../bin/main.js'
import {
  generateEd25519KeyPair,
  parseEd25519PublicKey,
  parseEd25519SecretKey,
  signEd25519
} from '../lib/schemes/ed25519.js'
import { pulse } from '../plugins/pulse.js'
import { cyberdesk } from '../plugins/cyberdesk.js'
import { fixtures, sign } from '../lib/testing/kit.js'
import { SW_SECRET, SW_SECRET_2, signWith } from './helpers/sign.js'

const ORACLE = new URL('./helpers/ed25519_oracle.py', import.meta.url).pathname

type OracleRequest =
  | { op: 'keypair' }
  | { op: 'sign', secretKey: string, id: string, timestamp: string, body: string }
  | { op: 'verify', publicKey: string, id: string, timestamp: string, body: string, signature: string }

/** Runs the Python oracle on a batch of requests (one process for many: each start costs ~100 ms). */
async function oracle<R> (requests: OracleRequest[]): Promise<R[]> {
  const child = promisify(execFile)('python3', [ORACLE], { maxBuffer: 16 * 1024 * 1024 })
  child.child.stdin!.end(JSON.stringify(requests))
  return JSON.parse((await child).stdout) as R[]
}

const b64 = (text: string): string => Buffer.from(text).toString('base64')
const now = (): string => String(Math.floor(Date.now() / 1000))
const payload = JSON.stringify(fixtures.pulse['job.completed'])

async function server (secret: string | string[]): Promise<{ url: string, handled: string[] }> {
  const handled: string[] = []
  const app = Fastify()
  await app.register(pulse, { secret, onEvent: event => { handled.push(event.id) } })
  const url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/webhooks/pulse`
  t.teardown(() => app.close())
  return { url, handled }
}

async function post (
  url: string,
  headers: Record<string, string>,
  body: string
): Promise<{ status: number; code: string | undefined }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
  const answer = await res.json() as { code?: string }
  return { status: res.status, code: answer.code }
}

const headersOf = (id: string, timestamp: string, signature: string): Record<string, string> =>
  ({ 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature })

t.test(
  'deliveries signed by the Python oracle verify with its public key; tampered or wrongly keyed ones do ' + 'not',
  async t => {
    const [pair, other] = await oracle<{ secretKey: string; publicKey: string }>([{ op: 'keypair' }, { op: 'keypair' }])
    const { url, handled } = await server(pair!.publicKey)
    const deliveries = Array.from({ length: 20 }, (_, i) => ({
      id: `msg_${randomBytes(8).toString('hex')}`,
      timestamp: now(),
      // Varied bytes: the sample, and JSON with non-ASCII text, as it was sent.
      body: i % 2 === 0 ? payload : JSON.stringify({ ...fixtures.pulse['job.created'], note: `é${'✓'.repeat(i)}` })
    }))
    const signed = await oracle<{ signature: string }>(
      deliveries.map(d => ({ op: 'sign', secretKey: pair!.secretKey, ...d, body: b64(d.body) }))
    )
    for (const [i, d] of deliveries.entries()) {
      t.equal(
        (await post(url, headersOf(d.id, d.timestamp, signed[i]!.signature), d.body)).status,
        200,
        `delivery ${i}`
      )
    }
    t.equal(handled.length, 20)

    const d = deliveries[0]!
    const signature = signed[0]!.signature
    const tampered = await post(url, headersOf(`${d.id}x`, d.timestamp, signature), d.body.replace('25', '26'))
    t.same(tampered, { status: 401, code: 'WEBHOOK_INVALID_SIGNATURE' }, 'tampered body')
    const [byOther] = await oracle<{ signature: string }>([
      { op: 'sign', secretKey: other!.secretKey, ...d, id: 'msg_other', body: b64(d.body) }
    ])
    t.same(
      await post(url, headersOf('msg_other', d.timestamp, byOther!.signature), d.body),
      { status: 401, code: 'WEBHOOK_INVALID_SIGNATURE' },
      'signed with another key'
    )
    t.same(
      await post(url, headersOf('msg_id', d.timestamp, signature), d.body),
      { status: 401, code: 'WEBHOOK_INVALID_SIGNATURE' },
      'a signature of another id'
    )
    t.same(await post(url, headersOf(d.id, String(Number(d.timestamp) - 3600), signature), d.body), {
      status: 401,
      code: 'WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE'
    })
    const garbled = `v1a,${'!'.repeat(88)} v1a,${signature.slice(4, 40)} v1a,${signature.slice(4, -4)}AAA=`
    t.same(
      await post(url, headersOf('msg_garbled', d.timestamp, garbled), d.body),
      { status: 401, code: 'WEBHOOK_INVALID_SIGNATURE' },
      'not base64, short, altered'
    )
  }
)

t.test('the kit signs v1a with a secret key, and the Python oracle verifies it', async t => {
  const [pair] = await oracle<{ secretKey: string, publicKey: string }>([{ op: 'keypair' }])
  const timestamp = Number(now())
  const delivery = sign('pulse', fixtures.pulse['job.completed'], { secret: pair!.secretKey, id: 'msg_kit', timestamp })
  t.match(delivery.headers['webhook-signature'], /^v1a,[A-Za-z0-9+/]{86}==$/)
  const request = {
    op: 'verify',
    publicKey: pair!.publicKey,
    id: 'msg_kit',
    timestamp: String(timestamp),
    signature: delivery.headers['webhook-signature']!
  } as const
  const [good, bad] = await oracle<{ ok: boolean }>([
    { ...request, body: b64(delivery.body) },
    { ...request, body: b64(`${delivery.body} `) }
  ])
  t.same([good, bad], [{ ok: true }, { ok: false }])
})

t.test('WebCrypto keys and signatures, both ways', async t => {
  const pair = (await webcrypto.subtle.generateKey({ name: 'Ed25519' }, true, [
    'sign',
    'verify'
  ])) as webcrypto.CryptoKeyPair
  const publicKey = 'whpk_' + Buffer.from(await webcrypto.subtle.exportKey('raw', pair.publicKey)).toString('base64')
  // PKCS#8 of ed25519 is a 16-byte header and the 32-byte seed (RFC 8410).
  const secretKey =
    'whsk_' +
    Buffer.from(await webcrypto.subtle.exportKey('pkcs8', pair.privateKey))
      .subarray(16)
      .toString('base64')
  const { url } = await server(publicKey)
  const timestamp = now()
  const content = Buffer.from(`msg_webcrypto.${timestamp}.${payload}`)
  const signature = Buffer.from(await webcrypto.subtle.sign('Ed25519', pair.privateKey, content)).toString('base64')
  t.equal(
    (await post(url, headersOf('msg_webcrypto', timestamp, `v1a,${signature}`), payload)).status,
    200,
    'WebCrypto signs, the plugin verifies'
  )
  const ours = Buffer.from(signEd25519(secretKey, content), 'base64')
  t.ok(await webcrypto.subtle.verify('Ed25519', pair.publicKey, ours, content), 'the package signs, WebCrypto verifies')
})

t.test('mixed v1 and v1a lists, and rotation across both', async t => {
  const [a, b] = await oracle<{ secretKey: string, publicKey: string }>([{ op: 'keypair' }, { op: 'keypair' }])
  const hmacOnly = await server(SW_SECRET)
  const edOnly = await server([a!.publicKey, b!.publicKey])
  const mixed = await server([SW_SECRET, a!.publicKey])
  const timestamp = Number(now())
  const deliver = async (
    target: { url: string },
    secret: string | string[],
    id: string
  ): Promise<{ status: number; code: string | undefined }> =>
    await post(target.url, pulse.provider.scheme.sign(secret, payload, { id, timestamp }), payload)

  t.same(await deliver(mixed, SW_SECRET, 'm1'), { status: 200, code: undefined }, 'an HMAC signature alone')
  t.same(await deliver(mixed, a!.secretKey, 'm2'), { status: 200, code: undefined }, 'an ed25519 signature alone')
  t.same(
    await deliver(mixed, [SW_SECRET_2, b!.secretKey, a!.secretKey], 'm3'),
    { status: 200, code: undefined },
    'the last of a mixed list'
  )
  t.same(
    await deliver(mixed, [SW_SECRET_2, b!.secretKey], 'm4'),
    { status: 401, code: 'WEBHOOK_INVALID_SIGNATURE' },
    'none of a mixed list'
  )
  t.same(
    await deliver(mixed, SW_SECRET_2, 'm6'),
    { status: 401, code: 'WEBHOOK_INVALID_SIGNATURE' },
    'a wrong v1 entry alone, for secrets and public keys'
  )
  t.same(await deliver(edOnly, a!.secretKey, 'e1'), { status: 200, code: undefined }, 'the old key while rotating')
  t.same(await deliver(edOnly, b!.secretKey, 'e2'), { status: 200, code: undefined }, 'the new key while rotating')
  t.same(
    await deliver(edOnly, [b!.secretKey, SW_SECRET], 'e3'),
    { status: 200, code: undefined },
    'a sender rotating from HMAC to ed25519'
  )
  t.same(
    await deliver(hmacOnly, [a!.secretKey, b!.secretKey], 'h1'),
    { status: 401, code: 'WEBHOOK_MALFORMED_SIGNATURE' },
    'only v1a entries for HMAC secrets'
  )
  t.same(
    await deliver(edOnly, SW_SECRET, 'e4'),
    { status: 401, code: 'WEBHOOK_MALFORMED_SIGNATURE' },
    'only v1 entries for public keys'
  )
  t.same(
    await post(
      mixed.url,
      { ...sign('pulse', payload, { secret: SW_SECRET, id: 'm5', timestamp }).headers, 'webhook-signature': 'v2,abc' },
      payload
    ),
    { status: 401, code: 'WEBHOOK_MALFORMED_SIGNATURE' },
    'no entry of a known version'
  )
  t.same(
    await post(
      hmacOnly.url,
      signWith({ kind: 'standard', prefix: 'webhook' }, payload, { secret: SW_SECRET, id: 'h2', timestamp }),
      payload
    ),
    { status: 200, code: undefined },
    'HMAC still agrees with the standardwebhooks package'
  )
})

t.test('keys: formats, and a receiver never takes a secret key', async t => {
  const pair = generateEd25519KeyPair()
  t.match(pair, { secretKey: /^whsk_[A-Za-z0-9+/]{43}=$/, publicKey: /^whpk_[A-Za-z0-9+/]{43}=$/ })
  await t.rejects(async () => {
    await Fastify().register(pulse, { secret: pair.secretKey })
  }, /fastify-webhooks-pulse: option "secret" is an ed25519 secret key \("whsk_"\), which only the sender needs: give its public key \("whpk_"\)/)
  await t.rejects(async () => {
    await Fastify().register(cyberdesk, { secret: [SW_SECRET, 'whpk_AAAA'] })
  }, /option "secret\[1\]" must decode to the 32 bytes of an ed25519 public key, not 3/)
  t.throws(() => parseEd25519PublicKey('whpk_not base64'), /must be "whpk_" followed by base64/)
  t.throws(() => parseEd25519PublicKey('whsec_AAAA'), /must start with "whpk_"/)
  t.throws(
    () => parseEd25519SecretKey('whsk_AAAA'),
    /must decode to a 32-byte ed25519 seed \(or 64 bytes: seed and public key\), not 3/
  )

  // libsodium's 64-byte secret key (seed, then public key) signs as its seed does.
  const seed = Buffer.from(pair.secretKey.slice(5), 'base64')
  const publicRaw = Buffer.from(pair.publicKey.slice(5), 'base64')
  const message = Buffer.from('msg.1.{}')
  t.equal(
    signEd25519('whsk_' + Buffer.concat([seed, publicRaw]).toString('base64'), message),
    signEd25519(pair.secretKey, message)
  )
  t.throws(
    () => parseEd25519SecretKey('whsk_' + Buffer.concat([seed, randomBytes(32)]).toString('base64')),
    /holds a public key that is not the one of its seed/
  )
})

t.test('CLI: secret prints a key pair; send signs v1a with the secret key', async t => {
  const run = async (args: string[]): Promise<{ code: number, out: string, err: string }> => {
    let out = ''
    let err = ''
    const code = await main(args, { out: text => { out += text + '\n' }, err: text => { err += text + '\n' }, env: {} })
    return { code, out, err }
  }
  const pair = await run(['secret', 'pulse', '--ed25519'])
  t.equal(pair.code, 0)
  const [secretKey, publicKey, rest] = pair.out.split('\n')
  t.match(secretKey, /^whsk_/)
  t.match(publicKey, /^whpk_/)
  t.equal(rest, '', 'two lines, nothing else')
  const { url, handled } = await server(publicKey!)
  const sent = await run(['send', 'pulse', 'job.failed', '--url', url, '--secret', secretKey!])
  t.equal(sent.code, 0, sent.err)
  t.equal(handled.length, 1)
  t.equal((await run(['send', 'pulse', '--url', url, '--secret', publicKey!])).code, 2, 'a public key cannot sign')
  t.equal(
    (await run(['send', 'pulse', '--url', url, '--secret', SW_SECRET])).code,
    1,
    'an HMAC secret the endpoint does not hold is refused'
  )
  const none = await run(['secret', 'autotab', '--ed25519'])
  t.equal(none.code, 2)
  t.match(none.err, /--ed25519: autotab signs with HMAC-SHA256 hex, which has no key pairs/)
})
