/**
 * Hostile input through the real route: garbage in every signature header is
 * a 4xx, never a 5xx and never accepted; prototype poisoning in a correctly
 * signed body never reaches Object.prototype.
 */
import t from 'tap'
import { equal, ok } from 'node:assert/strict'
import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import {
  HEX_HEADER,
  headerText,
  hexProvider,
  hexSignature,
  messageId,
  plainSecret,
  propertyApp,
  swProvider,
  swSecret,
  swSignature
} from './helpers/property.js'

const RUNS = 300
type HeaderValue = string | string[] | undefined

function post (app: FastifyInstance, url: string, headers: Record<string, HeaderValue>, payload: Buffer) {
  const present = Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined)) as Record<
    string,
    string | string[]
  >
  return app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...present }, payload })
}

/**
 * Garbage of the kinds a hostile or broken sender produces; `valid` is the right value, used by some kinds.
 * Repeated headers reach the route joined by ", " (as Node joins them), so a repeated signature header that
 * still holds the right `v1,` entry is authentic and accepted (svix agrees; tested below): `signature` leaves those
 * out.
 */
function garbage (valid: string, signature = false): fc.Arbitrary<HeaderValue> {
  return fc.oneof(
    fc.constant(undefined), // absent
    fc.constant(''),
    headerText(1, 100),
    headerText(4097, 6000), // over MAX_SIGNATURE_HEADER
    fc.constant<HeaderValue>([valid, valid]), // repeated: Node gives an array only for some headers, inject can for any
    headerText(1, 60).map(other => `${other}, ${other}`), // repeated as Node joins them
    fc.integer({ min: 17, max: 3000 }).map(n => Array(n).fill('v1,').join(' ')), // thousands of empty v1 entries
    fc.integer({ min: 17, max: 300 }).map(n => Array(n).fill(`v1,${Buffer.alloc(32).toString('base64')}`).join(' ')),
    headerText(1, 60).map(s => `v1,${s}`), // bad base64
    fc.constant(`v1,${valid.toUpperCase()}`),
    fc.constant(valid.toUpperCase()),
    fc.constant(valid.slice(0, -1))
  ).filter(value => value !== valid && !(signature && [value ?? ''].flat().join(', ').split(' ').includes(valid)))
}

const BODY = Buffer.from('{"type":"job.completed","data":{"job_id":"j1"}}')

const NOW = String(Math.floor(Date.now() / 1000))

/** A secret, and the three headers with one to three of them garbage (never equal to the right value). */
const swCase = fc.tuple(swSecret, messageId, fc.integer({ min: 1, max: 7 })).chain(([secret, id, which]) => {
  const signature = `v1,${swSignature(secret, id, NOW, BODY)}`
  const maybe = (bit: number, valid: string) =>
    (which & bit) !== 0 ? garbage(valid, bit === 4) : fc.constant<HeaderValue>(valid)
  return fc.record({
    secret: fc.constant(secret),
    headers: fc.record({
      'webhook-id': maybe(1, id),
      'webhook-timestamp': maybe(2, NOW),
      'webhook-signature': maybe(4, signature)
    })
  })
})

t.test('Standard Webhooks: garbage in any of the three headers is 4xx, never 5xx, never accepted', async t => {
  await fc.assert(fc.asyncProperty(swCase, async ({ secret, headers }) => {
    const { app, seen } = await propertyApp(swProvider, secret)
    const res = await post(app, '/webhooks/prop-sw', headers, BODY)
    ok(res.statusCode >= 400 && res.statusCode < 500, `status ${res.statusCode}`)
    equal(seen.length, 0)
  }), { numRuns: RUNS })
  t.pass(`${RUNS} garbled deliveries, each refused with a 4xx (fc.assert throws on the first that is not)`)
})

const hexCase = plainSecret.chain(secret => {
  const hex = hexSignature(secret, BODY)
  return fc.record({
    secret: fc.constant(secret),
    value: fc.oneof(
      garbage(`sha256=${hex}`, true),
      fc.constant(hex), // the right hex without `sha256=`
      fc.constant(`sha256=${hex.toUpperCase()}`),
      fc.constant(`SHA256=${hex}`),
      fc.constant(`sha256=${hex}0`),
      headerText(64, 64).map(s => `sha256=${s}`)
    )
  })
})

t.test('hex: garbage in the signature header (absent, empty, repeated, long, uppercase, no sha256=) is 4xx, never ' +
  '5xx, never accepted', async t => {
  await fc.assert(fc.asyncProperty(hexCase, async ({ secret, value }) => {
    const { app, seen } = await propertyApp(hexProvider, secret)
    const res = await post(app, '/webhooks/prop-hex', { [HEX_HEADER]: value }, BODY)
    ok(res.statusCode >= 400 && res.statusCode < 500, `status ${res.statusCode}`)
    equal(seen.length, 0)
  }), { numRuns: RUNS })
  t.pass()
})

t.test('over real HTTP too: a header far over the limit and thousands of v1 entries are 4xx', async t => {
  const secret = 'whsec_' + Buffer.alloc(32, 7).toString('base64')
  const { app, seen } = await propertyApp(swProvider, secret)
  const url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/webhooks/prop-sw`
  t.teardown(() => app.close())
  const stamp = String(Math.floor(Date.now() / 1000))
  for (const signature of [
    Array(3000).fill('v1,').join(' '),
    'v1,' + 'A'.repeat(12_000),
    `${Array(16).fill('v1,AAAA').join(' ')} v1,${swSignature(secret, 'm', stamp, BODY)}`
  ]) {
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'm',
        'webhook-timestamp': stamp,
        'webhook-signature': signature
      },
      body: BODY
    })
    t.equal(res.status, 401, signature.slice(0, 20))
  }
  const huge = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'webhook-signature': 'v1,' + 'A'.repeat(20_000) },
    body: BODY
  })
  t.equal(huge.status, 431, 'Node itself refuses headers over 16 KiB')
  t.equal(seen.length, 0)

  // By design: a signature header sent twice reaches us joined by ", "; when one copy holds the right
  // signature the delivery is authentic, and accepted (as svix does). It can only carry signatures, never forge one.
  const right = `v1,${swSignature(secret, 'm', stamp, BODY)}`
  const twice = await fetch(url, {
    method: 'POST',
    headers: [
      ['content-type', 'application/json'],
      ['webhook-id', 'm'],
      ['webhook-timestamp', stamp],
      ['webhook-signature', 'v1,AAAA'],
      ['webhook-signature', right]
    ],
    body: BODY
  })
  t.equal(twice.status, 200)
  t.equal(seen.length, 1)
  const ids = await fetch(url, {
    method: 'POST',
    headers: [
      ['content-type', 'application/json'],
      ['webhook-id', 'm'],
      ['webhook-id', 'm'],
      ['webhook-timestamp', stamp],
      ['webhook-signature', right]
    ],
    body: BODY
  })
  t.equal(ids.status, 401, 'a repeated id is not the signed id')
})

// ---- prototype poisoning ----

/** A random JSON value with a poisoning key placed somewhere inside. */
const poisonedBody = fc
  .tuple(
    fc.constantFrom(
      '{"__proto__":{"polluted":"yes"}}',
      '{"constructor":{"prototype":{"polluted":"yes"}}}',
      '{"\\u005f_proto__":{"polluted":"yes"}}',
      '{"a":1,"__proto__":{"polluted":"yes","toString":"x"}}',
      '{"constructor":{"prototype":{"polluted":"yes"}},"__proto__":{"polluted":"yes"}}'
    ),
    fc.array(fc.constantFrom('a', 'data', '0', 'x y'), { maxLength: 6 }),
    fc.boolean()
  )
  .map(([poison, path, inArray]) => {
    let json: string = poison
    for (const key of [...path].reverse()) {
      json = inArray && key === '0' ? `[${json}]` : `{${JSON.stringify(key)}:${json}}`
    }
    return Buffer.from(json)
  })

t.test('prototype poisoning in a correctly signed body never reaches Object.prototype', async t => {
  const secret = 'whsec_' + Buffer.alloc(32, 9).toString('base64')
  const strict = await propertyApp(swProvider, secret)
  const removing = await propertyApp(swProvider, secret, {
    onProtoPoisoning: 'remove',
    onConstructorPoisoning: 'remove'
  })
  await fc.assert(
    fc.asyncProperty(poisonedBody, messageId, async (bytes, id) => {
      const stamp = String(Math.floor(Date.now() / 1000))
      const headers = {
        'webhook-id': id,
        'webhook-timestamp': stamp,
        'webhook-signature': `v1,${swSignature(secret, id, stamp, bytes)}`
      }
      const res = await post(strict.app, '/webhooks/prop-sw', headers, bytes)
      equal(res.statusCode, 400, "refused by default (Fastify's onProtoPoisoning: error)")
      equal(strict.seen.length, 0)
      const kept = await post(removing.app, '/webhooks/prop-sw', headers, bytes)
      equal(kept.statusCode, 200, 'accepted with the key removed when the app says remove')
      const payload = JSON.stringify(removing.seen.pop()!.payload)
      ok(!payload.includes('polluted'), payload)
      equal(({} as Record<string, unknown>).polluted, undefined)
      equal(Object.hasOwn(Object.prototype, 'polluted'), false)
    }),
    { numRuns: 100 }
  )
  t.pass('100 poisoned bodies: refused, or accepted with the key removed; Object.prototype untouched')
})
