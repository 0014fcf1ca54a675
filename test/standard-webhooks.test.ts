import t from 'tap'
import { createHmac, randomBytes } from 'node:crypto'
import { Webhook as SvixWebhook } from 'svix'
import { Webhook as StandardWebhook } from 'standardwebhooks'
import {
  generateStandardSecret,
  parseStandardSecret,
  signStandard,
  standardWebhooks
} from '../lib/schemes/standard-webhooks.js'
import { MAX_SIGNATURES } from '../lib/schemes/scheme.js'

// The spec's own known-good vector.
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='
}
const scheme = standardWebhooks({ headerPrefixes: ['webhook', 'svix'] })
const key = scheme.parseSecret(VECTOR.secret) // a KeyObject, made once per secret as the plugin does
const at = { now: VECTOR.timestamp, tolerance: 300 }
const headers = (signature: string, extra: Record<string, string> = {}) => ({
  'webhook-id': VECTOR.id, 'webhook-timestamp': String(VECTOR.timestamp), 'webhook-signature': signature, ...extra
})

t.test('the spec vector: sign gives it, verify accepts it', async t => {
  t.equal(key.type, 'secret')
  t.equal(key.symmetricKeySize, parseStandardSecret(VECTOR.secret).length)
  t.equal(`v1,${signStandard(key, VECTOR.id, VECTOR.timestamp, VECTOR.body)}`, VECTOR.signature)
  t.equal(
    scheme.sign(VECTOR.secret, VECTOR.body, { id: VECTOR.id, timestamp: VECTOR.timestamp })['webhook-signature'],
    VECTOR.signature
  )
  t.same(scheme.verify([key], headers(VECTOR.signature), Buffer.from(VECTOR.body), at), {
    ok: true,
    id: VECTOR.id,
    meta: { timestamp: VECTOR.timestamp }
  })
  const changed = scheme.verify([key], headers(VECTOR.signature), Buffer.from(VECTOR.body.replace('2', '3')), at)
  t.equal(changed.ok, false)
})

t.test(
  'several signatures: any v1 entry may match, other versions are skipped, at most MAX_SIGNATURES are looked ' + 'at',
  async t => {
    const body = Buffer.from(VECTOR.body)
    const wrong = 'v1,' + Buffer.alloc(32).toString('base64')
    t.equal(scheme.verify([key], headers(`${wrong} v1a,abc ${VECTOR.signature}`), body, at).ok, true)
    const padded = Array.from({ length: MAX_SIGNATURES }, () => wrong).join(' ') + ' ' + VECTOR.signature
    t.same(scheme.verify([key], headers(padded), body, at), {
      ok: false,
      reason: 'invalid-signature',
      detail: `no signature matched (${MAX_SIGNATURES} received, 1 secret tried)`
    })
    t.equal(scheme.verify([key], headers('v1a,abc v2,def'), body, at).ok, false)
    t.match(scheme.verify([key], headers('v1a,abc v2,def'), body, at), { reason: 'malformed-signature' })
  }
)

t.test(
  'sign with several secrets: one v1 entry each, as a sender rotating keys sends; svix accepts it under ' + 'either',
  async t => {
    const next = 'whsec_' + randomBytes(32).toString('base64')
    const signed = scheme.sign([VECTOR.secret, next], VECTOR.body, { id: VECTOR.id, timestamp: VECTOR.timestamp })
    const second = new StandardWebhook(next).sign(VECTOR.id, new Date(VECTOR.timestamp * 1000), VECTOR.body)
    t.equal(signed['webhook-signature'], `${VECTOR.signature} ${second}`)
    t.same(
      scheme.sign([VECTOR.secret], VECTOR.body, { id: VECTOR.id, timestamp: VECTOR.timestamp }),
      headers(VECTOR.signature),
      'a list of one is the secret alone'
    )
    const live = scheme.sign([VECTOR.secret, next], VECTOR.body) // svix checks the timestamp against its own clock
    const asSvix = {
      'svix-id': live['webhook-id']!,
      'svix-timestamp': live['webhook-timestamp']!,
      'svix-signature': live['webhook-signature']!
    }
    for (const secret of [VECTOR.secret, next]) {
      t.equal(
        scheme.verify([scheme.parseSecret(secret)], signed, Buffer.from(VECTOR.body), at).ok,
        true,
        'ours, one key'
      )
      t.doesNotThrow(() => new SvixWebhook(secret).verify(VECTOR.body, asSvix), 'svix, one key')
    }
    t.equal(scheme.maxSignatures, MAX_SIGNATURES, 'no more than a verifier looks at')
    t.throws(
      () =>
        scheme.sign(
          Array.from({ length: MAX_SIGNATURES + 1 }, () => VECTOR.secret),
          VECTOR.body
        ),
      new TypeError(
        `Standard Webhooks carries at most ${MAX_SIGNATURES} signatures per delivery, not ${MAX_SIGNATURES + 1}`
      )
    )
    t.throws(() => scheme.sign([], VECTOR.body), new TypeError('no secret to sign with'))
    t.throws(
      () => scheme.sign([VECTOR.secret, 'whsec_x'], VECTOR.body),
      /followed by base64/,
      'every secret is checked'
    )
  }
)

t.test('malformed headers', async t => {
  const body = Buffer.from(VECTOR.body)
  t.match(scheme.verify([key], headers(VECTOR.signature, { 'webhook-id': '' }), body, at), {
    reason: 'malformed-signature'
  })
  t.match(scheme.verify([key], headers(VECTOR.signature, { 'webhook-id': 'x'.repeat(257) }), body, at), {
    reason: 'malformed-signature'
  })
  t.match(scheme.verify([key], headers('v1,' + 'a'.repeat(5000)), body, at), {
    reason: 'malformed-signature',
    detail: /too long/
  })
  for (const stamp of ['', '-1', '1e9', ' 1614265330', '1614265330.5', '0x1']) {
    t.match(
      scheme.verify([key], headers(VECTOR.signature, { 'webhook-timestamp': stamp }), body, at),
      { reason: 'malformed-signature' },
      JSON.stringify(stamp)
    )
  }
  t.match(scheme.verify([key], { 'webhook-id': VECTOR.id }, body, at), { reason: 'missing-signature' })
  // Node gives arrays only for set-cookie, but inject can: never guess which element is meant.
  t.match(scheme.verify([key], { ...headers(VECTOR.signature), 'webhook-signature': [VECTOR.signature] }, body, at), {
    reason: 'missing-signature'
  })
})

t.test('the window holds both ways, at its edges', async t => {
  const body = Buffer.from(VECTOR.body)
  t.equal(
    scheme.verify([key], headers(VECTOR.signature), body, { now: VECTOR.timestamp + 300, tolerance: 300 }).ok,
    true
  )
  t.equal(
    scheme.verify([key], headers(VECTOR.signature), body, { now: VECTOR.timestamp - 300, tolerance: 300 }).ok,
    true
  )
  t.match(scheme.verify([key], headers(VECTOR.signature), body, { now: VECTOR.timestamp + 301, tolerance: 300 }), {
    detail: 'timestamp 301 s in the past (tolerance 300 s)'
  })
  t.match(scheme.verify([key], headers(VECTOR.signature), body, { now: VECTOR.timestamp - 301, tolerance: 300 }), {
    detail: 'timestamp 301 s in the future (tolerance 300 s)'
  })
})

t.test('secrets: whsec_ + canonical base64 of 24 to 64 bytes', async t => {
  t.throws(() => parseStandardSecret('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'), /must start with "whsec_"/)
  t.throws(() => parseStandardSecret('whsec_not base64!'), /followed by base64/)
  t.throws(() => parseStandardSecret('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS'), /followed by base64/)
  t.throws(() => parseStandardSecret('whsec_' + randomBytes(16).toString('base64')), /24 to 64 bytes, not 16/)
  t.throws(() => parseStandardSecret('whsec_' + randomBytes(65).toString('base64')), /not 65/)
  const fresh = generateStandardSecret()
  t.equal(parseStandardSecret(fresh).length, 24)
})

t.test('sign without id or timestamp makes both', async t => {
  const signed = scheme.sign(VECTOR.secret, 'x')
  t.match(signed['webhook-id'], /^msg_[0-9a-f]{24}$/)
  t.ok(Math.abs(Number(signed['webhook-timestamp']) - Date.now() / 1000) < 5)
  t.equal(
    scheme.verify([key], signed, Buffer.from('x'), { now: Number(signed['webhook-timestamp']), tolerance: 0 }).ok,
    true
  )
})

t.test('agrees with svix and standardwebhooks on random deliveries', async t => {
  for (let i = 0; i < 200; i++) {
    const secret = 'whsec_' + randomBytes(24 + (i % 41)).toString('base64')
    const id = `msg_${randomBytes(8).toString('hex')}`
    const timestamp = 1_700_000_000 + i
    const body = JSON.stringify({ i, text: randomBytes(i).toString('base64'), unicode: 'é✓😀' })
    const theirs = new StandardWebhook(secret).sign(id, new Date(timestamp * 1000), body)
    const ours = scheme.sign(secret, body, { id, timestamp })['webhook-signature']!
    t.equal(ours, theirs, 'same signature as standardwebhooks')
    // Tamper one time in three; all three verifiers must agree.
    const sent = i % 3 === 0 ? body + ' ' : body
    const h = headers(ours, { 'webhook-id': id, 'webhook-timestamp': String(timestamp) })
    const mine = scheme.verify([scheme.parseSecret(secret)], h, Buffer.from(sent), {
      now: timestamp,
      tolerance: 300
    }).ok
    const svix = accepts(
      () =>
        new SvixWebhook(secret).verify(sent, {
          'svix-id': id,
          'svix-timestamp': String(timestamp),
          'svix-signature': ours
        }),
      timestamp
    )
    const sw = accepts(() => new StandardWebhook(secret).verify(sent, h), timestamp)
    if (mine !== svix || mine !== sw) t.fail(`disagreement at ${i}`)
  }
  t.pass('200 random deliveries agree')
})

function accepts (verify: () => unknown, timestamp: number): boolean {
  const realNow = Date.now
  Date.now = () => timestamp * 1000
  try {
    verify()
    return true
  } catch {
    return false
  } finally {
    Date.now = realNow
  }
}

t.test('the HMAC is over raw bytes: a non-UTF-8 body verifies as sent', async t => {
  const body = Buffer.from([0xff, 0xfe, 0x00, 0x7b])
  const signature =
    'v1,' + createHmac('sha256', key).update(`${VECTOR.id}.${VECTOR.timestamp}.`).update(body).digest('base64')
  t.equal(scheme.verify([key], headers(signature), body, at).ok, true)
  t.equal(
    scheme.verify([key], headers(signature), Buffer.from(body.toString('utf8')), at).ok,
    false,
    'decoding first would break it'
  )
})
