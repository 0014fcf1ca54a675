/**
 * Property tests through the real route (app.inject with the exact bytes):
 * whatever is signed correctly is accepted with the exact payload (or 400
 * where it is not JSON), and any single change makes it 401.
 */
import t from 'tap'
import { deepStrictEqual, equal } from 'node:assert/strict'
import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import {
  HEX_HEADER, body, expectedPayload, hexProvider, hexSignature, messageId, plainSecret, propertyApp,
  swHeaders, swProvider, swSecret, timestamp, type Seen
} from './helpers/property.js'

const RUNS = 150

function post (app: FastifyInstance, url: string, headers: Record<string, string>, payload: Buffer) {
  return app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload })
}

/** Accepted with the exact bytes and the parsed payload, or 400 where the bytes are not (safe) JSON. */
const outcomes = { accepted: 0, notJson: 0 }

function checkAccepted (res: { statusCode: number }, seen: Seen[], sent: Buffer, id?: string): void {
  const expected = expectedPayload(sent)
  outcomes[expected === null ? 'notJson' : 'accepted']++
  if (expected === null) {
    equal(res.statusCode, 400)
    equal(seen.length, 0)
    return
  }
  equal(res.statusCode, 200)
  equal(seen.length, 1)
  deepStrictEqual(seen[0]!.rawBody, sent, 'the exact bytes')
  deepStrictEqual(seen[0]!.payload, expected.value)
  if (id !== undefined) equal(seen[0]!.id, id)
  seen.length = 0
}

/** One byte of a non-empty buffer changed. */
const changedByte = (buf: Buffer, index: number, xor: number): Buffer => {
  const copy = Buffer.from(buf)
  const i = index % copy.length
  copy[i] = copy[i]! ^ xor
  return copy
}

/** One character of a string replaced by a different one of `alphabet`. */
const changedChar = (s: string, index: number, pick: number, alphabet: string): string => {
  const i = index % s.length
  const choices = alphabet.replace(s[i]!, '')
  return s.slice(0, i) + choices[pick % choices.length] + s.slice(i + 1)
}
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/='
const HEX = '0123456789abcdef'

t.test('Standard Webhooks: random secret, id, timestamp and body, signed then sent: accepted with the exact ' +
  'payload', async t => {
  await fc.assert(fc.asyncProperty(swSecret, messageId, timestamp, body, async (secret, id, stamp, bytes) => {
    const { app, seen } = await propertyApp(swProvider, secret)
    checkAccepted(await post(app, '/webhooks/prop-sw', swHeaders(secret, id, stamp, bytes), bytes), seen, bytes, id)
  }), { numRuns: RUNS })
  t.ok(outcomes.accepted > RUNS / 4 && outcomes.notJson > RUNS / 10, `both paths ran: ${JSON.stringify(outcomes)}`)
})

t.test('hex: random secret and body, signed then sent: accepted with the exact payload', async t => {
  await fc.assert(
    fc.asyncProperty(plainSecret, body, async (secret, bytes) => {
      const { app, seen } = await propertyApp(hexProvider, secret)
      checkAccepted(
        await post(app, '/webhooks/prop-hex', { [HEX_HEADER]: `sha256=${hexSignature(secret, bytes)}` }, bytes),
        seen,
        bytes
      )
    }),
    { numRuns: RUNS }
  )
  t.pass()
})

t.test('Standard Webhooks: any single change to body, signature, id, timestamp or secret gives 401', async t => {
  const change = fc.oneof(
    fc.record({ what: fc.constant('body' as const), index: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ what: fc.constant('signature' as const), index: fc.nat(), pick: fc.nat() }),
    fc.record({ what: fc.constant('id' as const), other: messageId }),
    fc.record({
      what: fc.constant('timestamp' as const),
      other: fc.oneof(
        timestamp,
        fc.nat().map(n => '0' + n),
        fc.stringMatching(/^[0-9]{1,14}$/)
      )
    }),
    fc.record({ what: fc.constant('secret' as const), other: swSecret })
  )
  await fc.assert(
    fc.asyncProperty(
      swSecret,
      messageId,
      timestamp,
      body.filter(b => b.length > 0),
      change,
      async (secret, id, stamp, bytes, c) => {
        const { app, seen } = await propertyApp(swProvider, secret)
        let headers = swHeaders(secret, id, stamp, bytes)
        let sent: Buffer = bytes
        if (c.what === 'body') sent = changedByte(bytes, c.index, c.xor)
        if (c.what === 'signature') {
          headers['webhook-signature'] =
            'v1,' + changedChar(headers['webhook-signature']!.slice(3), c.index, c.pick, BASE64)
        }
        if (c.what === 'id') headers['webhook-id'] = c.other
        if (c.what === 'timestamp') headers['webhook-timestamp'] = c.other
        if (c.what === 'secret') headers = swHeaders(c.other, id, stamp, bytes)
        const unchanged =
          c.what !== 'body' && c.what !== 'signature' && headers['webhook-' + c.what] === (c.what === 'id' ? id : stamp)
        fc.pre(!unchanged && !(c.what === 'secret' && c.other === secret))
        const res = await post(app, '/webhooks/prop-sw', headers, sent)
        equal(res.statusCode, 401, res.body)
        equal(seen.length, 0)
      }
    ),
    { numRuns: RUNS * 2 }
  )
  t.pass()
})

t.test('hex: any single change to body, signature or secret gives 401', async t => {
  const change = fc.oneof(
    fc.record({ what: fc.constant('body' as const), index: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ what: fc.constant('signature' as const), index: fc.nat(), pick: fc.nat() }),
    fc.record({ what: fc.constant('secret' as const), other: plainSecret })
  )
  await fc.assert(fc.asyncProperty(plainSecret, body.filter(b => b.length > 0), change, async (secret, bytes, c) => {
    fc.pre(!(c.what === 'secret' && c.other === secret))
    const { app, seen } = await propertyApp(hexProvider, secret)
    let signature = hexSignature(secret, bytes)
    let sent: Buffer = bytes
    if (c.what === 'body') sent = changedByte(bytes, c.index, c.xor)
    if (c.what === 'signature') signature = changedChar(signature, c.index, c.pick, HEX)
    if (c.what === 'secret') signature = hexSignature(c.other, bytes)
    const res = await post(app, '/webhooks/prop-hex', { [HEX_HEADER]: `sha256=${signature}` }, sent)
    equal(res.statusCode, 401, res.body)
    equal(seen.length, 0)
  }), { numRuns: RUNS * 2 })
  t.pass()
})

t.test('rotation: a delivery signed with any configured secret is accepted, with none of them 401', async t => {
  await fc.assert(
    fc.asyncProperty(
      fc.uniqueArray(swSecret, { minLength: 2, maxLength: 4 }),
      fc.nat(),
      swSecret,
      messageId,
      async (secrets, pick, stranger, id) => {
        fc.pre(!secrets.includes(stranger))
        const { app, seen } = await propertyApp(swProvider, secrets)
        const bytes = Buffer.from('{"a":1}')
        const stamp = String(Math.floor(Date.now() / 1000))
        checkAccepted(
          await post(app, '/webhooks/prop-sw', swHeaders(secrets[pick % secrets.length]!, id, stamp, bytes), bytes),
          seen,
          bytes,
          id
        )
        equal((await post(app, '/webhooks/prop-sw', swHeaders(stranger, id, stamp, bytes), bytes)).statusCode, 401)
      }
    ),
    { numRuns: 50 }
  )
  t.pass()
})
