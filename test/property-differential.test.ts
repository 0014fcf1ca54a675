/**
 * Differential: lib/schemes/standard-webhooks.ts verify agrees with the `svix` and
 * `standardwebhooks` packages (used as oracles only), accept for accept and
 * reject for reject, on random inputs; the by-design differences are listed
 * and each is shown by a test of its own.
 */
import t from 'tap'
import { equal } from 'node:assert/strict'
import fc from 'fast-check'
import { Webhook as SvixWebhook } from 'svix'
import { Webhook as StandardWebhook } from 'standardwebhooks'
import { standardSecretKey, standardWebhooks } from '../lib/schemes/standard-webhooks.js'
import { MAX_SIGNATURES } from '../lib/schemes/scheme.js'
import { swSecret, swSignature } from './helpers/property.js'

const ours = standardWebhooks({ headerPrefixes: ['webhook'] })
const TOLERANCE = 300

function oursAccepts (secret: string, headers: Record<string, string>, body: string | Buffer): boolean {
  const now = Math.floor(Date.now() / 1000)
  const bytes = typeof body === 'string' ? Buffer.from(body) : body
  return ours.verify([standardSecretKey(secret)], headers, bytes, { now, tolerance: TOLERANCE }).ok
}

/** Accepted unless the library throws its verification error (a JSON error after verifying still means verified). */
function oracleAccepts (verify: () => unknown): boolean {
  try {
    verify()
    return true
  } catch (err) {
    if ((err as Error).name === 'WebhookVerificationError') return false
    if (err instanceof SyntaxError) return true
    throw err
  }
}

const svixAccepts = (secret: string, headers: Record<string, string>, body: string) =>
  oracleAccepts(() => new SvixWebhook(secret).verify(body, headers))
const standardAccepts = (secret: string, headers: Record<string, string>, body: string) =>
  oracleAccepts(() => new StandardWebhook(secret).verify(body, headers, { jsonParse: false }))

// Inputs where no by-design difference applies: UTF-8 text bodies, ids up to 256 characters,
// canonical digit timestamps not within 5 s of the window's edges, at most 16 entries without extra commas.
const id = fc.string({ unit: 'binary', minLength: 1, maxLength: 256 })
const skew = fc.oneof(
  fc.integer({ min: -295, max: 295 }),
  fc.integer({ min: 305, max: 100_000 }),
  fc.integer({ min: -100_000, max: -305 })
)
const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.json())
const entryKind = fc.constantFrom(
  'right',
  'right-other-version',
  'changed',
  'random',
  'other-secret',
  'junk',
  'empty-v1'
)

const differentialCase = fc
  .record({
    secret: swSecret,
    otherSecret: swSecret,
    id,
    skew,
    body: text,
    entries: fc.array(
      fc.tuple(
        entryKind,
        fc.nat(),
        fc.string({ maxLength: 20 }).map(s => s.replace(/[ ,]/g, ''))
      ),
      { minLength: 1, maxLength: MAX_SIGNATURES }
    )
  })
  .map(c => {
    const stamp = String(Math.floor(Date.now() / 1000) - c.skew)
    const right = swSignature(c.secret, c.id, stamp, Buffer.from(c.body))
    const signature = c.entries
      .map(([kind, n, junk]) => {
        switch (kind) {
          case 'right':
            return `v1,${right}`
          case 'right-other-version':
            return `v${2 + (n % 3)},${right}`
          case 'changed':
            return `v1,${right.slice(0, n % 43)}${right[n % 43] === 'A' ? 'B' : 'A'}${right.slice((n % 43) + 1)}`
          case 'random':
            return `v1,${Buffer.from(junk.padEnd(32, 'x').slice(0, 32)).toString('base64')}`
          case 'other-secret':
            return `v1,${swSignature(c.otherSecret, c.id, stamp, Buffer.from(c.body))}`
          case 'empty-v1':
            return 'v1,'
          default:
            return junk
        }
      })
      .join(' ')
    return {
      secret: c.secret,
      body: c.body,
      headers: { 'webhook-id': c.id, 'webhook-timestamp': stamp, 'webhook-signature': signature }
    }
  })

t.test('on random inputs, verify agrees with svix and standardwebhooks', async t => {
  const seen = { accepted: 0, rejected: 0 }
  await fc.assert(fc.property(differentialCase, ({ secret, headers, body }) => {
    const verdict = oursAccepts(secret, headers, body)
    equal(verdict, svixAccepts(secret, headers, body), 'svix')
    equal(verdict, standardAccepts(secret, headers, body), 'standardwebhooks')
    seen[verdict ? 'accepted' : 'rejected']++
  }), { numRuns: 1000 })
  t.ok(seen.accepted > 100 && seen.rejected > 100, `both verdicts were reached: ${JSON.stringify(seen)}`)
})

t.test('with svix-* header names too, svix agrees', async t => {
  const cyberdeskScheme = standardWebhooks({ headerPrefixes: ['svix', 'webhook'] })
  await fc.assert(
    fc.property(differentialCase, ({ secret, headers, body }) => {
      const svixHeaders = {
        'svix-id': headers['webhook-id'],
        'svix-timestamp': headers['webhook-timestamp'],
        'svix-signature': headers['webhook-signature']
      }
      const now = Math.floor(Date.now() / 1000)
      const verdict = cyberdeskScheme.verify([standardSecretKey(secret)], svixHeaders, Buffer.from(body), {
        now,
        tolerance: TOLERANCE
      }).ok
      equal(verdict, svixAccepts(secret, svixHeaders, body))
    }),
    { numRuns: 300 }
  )
  t.pass()
})

// ---- by-design differences, each shown once ----

const secret = 'whsec_' + Buffer.alloc(32, 3).toString('base64')
const now = Math.floor(Date.now() / 1000)
const body = '{"a":1}'
function signed (stamp: string, idValue = 'msg_1', payload: string | Buffer = body): Record<string, string> {
  return {
    'webhook-id': idValue,
    'webhook-timestamp': stamp,
    'webhook-signature': `v1,${swSignature(secret, idValue, stamp, Buffer.from(payload))}`
  }
}

t.test(
  'difference: they parseInt the timestamp ("123abc", "+123", " 123" pass, and they sign the parsed number); we ' +
    'require digits only',
  async t => {
    for (const stamp of [`${now}abc`, `${now}.9`, ` ${now}`, `+${now}`]) {
      const headers = {
        ...signed(stamp),
        'webhook-signature': `v1,${swSignature(secret, 'msg_1', String(parseInt(stamp, 10)), Buffer.from(body))}`
      }
      t.equal(svixAccepts(secret, headers, body), true, `svix accepts ${JSON.stringify(stamp)}`)
      t.equal(standardAccepts(secret, headers, body), true, `standardwebhooks accepts ${JSON.stringify(stamp)}`)
      t.equal(
        oursAccepts(secret, headers, body),
        false,
        `we refuse ${JSON.stringify(stamp)}: the signed timestamp must be what was sent`
      )
    }
    // A leading zero: we sign the header's own text (as the spec says), they sign the number, so the same bytes verify
    // differently.
    const padded = signed(`0${now}`)
    t.equal(oursAccepts(secret, padded, body), true)
    t.equal(svixAccepts(secret, padded, body), false)
  }
)

t.test('difference: the tolerance is an option for us (300 s by default), fixed at 300 s for them', async t => {
  const old = signed(String(now - 600))
  t.equal(svixAccepts(secret, old, body), false)
  t.equal(oursAccepts(secret, old, body), false)
  t.equal(ours.verify([standardSecretKey(secret)], old, Buffer.from(body), { now, tolerance: 900 }).ok, true)
})

t.test('difference: we hash the raw bytes; they decode a Buffer to a string first, so a non-UTF-8 body signed by its ' +
  'bytes fails for them', async t => {
  const bytes = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) // {"a":"\xff\xfe"}
  const headers = signed(String(now), 'msg_1', bytes)
  t.equal(oursAccepts(secret, headers, bytes), true)
  t.equal(oracleAccepts(() => new StandardWebhook(secret).verify(bytes, headers, { jsonParse: false })), false)
})

t.test('difference: we look at the first 16 signatures and ids up to 256 characters; they have no limits', async t => {
  const many = { ...signed(String(now)) }
  many['webhook-signature'] = `${Array(MAX_SIGNATURES).fill('v1,AAAA').join(' ')} ${many['webhook-signature']}`
  t.equal(svixAccepts(secret, many, body), true)
  t.equal(oursAccepts(secret, many, body), false)
  const long = signed(String(now), 'm'.repeat(300))
  t.equal(svixAccepts(secret, long, body), true)
  t.equal(oursAccepts(secret, long, body), false)
})

t.test('difference: an entry with extra commas ("v1,<sig>,x") counts for them by its second part; for us it is not ' +
  'that signature', async t => {
  const headers = signed(String(now))
  headers['webhook-signature'] += ',x'
  t.equal(svixAccepts(secret, headers, body), true)
  t.equal(oursAccepts(secret, headers, body), false)
})

t.test(
  'difference: svix mixes svix-* and webhook-* names header by header; we take all three from the first prefix ' +
    'whose id is present',
  async t => {
    const cyberdeskScheme = standardWebhooks({ headerPrefixes: ['svix', 'webhook'] })
    const good = signed(String(now))
    const mixed = {
      'svix-id': good['webhook-id']!,
      'webhook-timestamp': good['webhook-timestamp']!,
      'webhook-signature': good['webhook-signature']!
    }
    t.equal(svixAccepts(secret, mixed, body), true)
    t.equal(
      cyberdeskScheme.verify([standardSecretKey(secret)], mixed, Buffer.from(body), { now, tolerance: TOLERANCE }).ok,
      false
    )
  }
)
