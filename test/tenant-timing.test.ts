/**
 * The same verify work for every tenant, known or not: each is verified against one key of each kind the scheme
 * checks (its own, or stand-ins no sender holds), so each `v1` entry meets an HMAC and each `v1a` entry an ed25519
 * verify whatever the tenant holds. Behaviour only: the timing itself is measured by bench/tenants.ts.
 */
import t from 'tap'
import type { KeyObject } from 'node:crypto'
import { generateEd25519KeyPair, signEd25519 } from '../lib/schemes/ed25519.js'
import { standardSecretKey } from '../lib/schemes/standard-webhooks.js'
import { pulse } from '../plugins/pulse.js'
import { cyberdesk } from '../plugins/cyberdesk.js'
import { SW_SECRET, SW_SECRET_2, signWith } from './helpers/sign.js'

const scheme = pulse.provider.scheme
const hmacKey = standardSecretKey(SW_SECRET)
const publicKey = standardSecretKey(generateEd25519KeyPair().publicKey)
const kinds = (keys: readonly KeyObject[]): string[] => keys.map(key => key.type)

t.test("a tenant's keys are completed with a stand-in for each kind it lacks", async t => {
  const tenantKeys = scheme.tenantKeys!
  const unknown = tenantKeys([])
  t.same(kinds(unknown), ['secret', 'public'], 'unknown: an HMAC key and an ed25519 public key')
  t.same(kinds(tenantKeys([hmacKey])), ['secret', 'public'])
  t.equal(tenantKeys([hmacKey])[0], hmacKey, "the tenant's own key first")
  t.same(kinds(tenantKeys([publicKey])), ['public', 'secret'])
  const mixed = [hmacKey, publicKey]
  t.equal(tenantKeys(mixed), mixed, 'a tenant with both kinds is left as it is')
  t.equal(tenantKeys([hmacKey])[1], unknown[1], 'the stand-ins are made once, and shared')
  t.equal(tenantKeys([publicKey])[1], unknown[0])
  t.not(cyberdesk.provider.scheme.tenantKeys!([])[0], unknown[0], "another provider's scheme has its own stand-ins")
})

t.test('every tenant checks every entry: the same refusal, from the same work', async t => {
  const body = '{"type":"job.completed"}'
  const now = Math.floor(Date.now() / 1000)
  const headers = signWith({ kind: 'standard', prefix: 'webhook' }, body, { secret: SW_SECRET_2, id: 'msg_1' })
  const pair = generateEd25519KeyPair()
  const stamp = headers['webhook-timestamp']!
  const ed = `v1a,${signEd25519(pair.secretKey, Buffer.from(`msg_1.${stamp}.${body}`))}`
  const lists = { v1: headers['webhook-signature']!, v1a: ed, both: `${headers['webhook-signature']!} ${ed}` }
  const context = { now, tolerance: 300 }
  for (const [shape, list] of Object.entries(lists)) {
    const signed = { ...headers, 'webhook-signature': list }
    const answers = [[], [hmacKey], [publicKey], [hmacKey, publicKey]].map(keys =>
      scheme.verify(scheme.tenantKeys!(keys), signed, Buffer.from(body), context))
    t.match(answers[0], { ok: false, reason: 'invalid-signature', detail: /\(\d received, 2 secrets tried\)/ }, shape)
    for (const answer of answers) t.same(answer, answers[0], `${shape}: the unknown tenant's answer`)
    // The pair's own key, completed like a tenant's, still verifies its own signature.
    const own = scheme.tenantKeys!([standardSecretKey(pair.publicKey)])
    const theirs = scheme.verify(own, signed, Buffer.from(body), context)
    t.equal(theirs.ok, shape !== 'v1', `${shape}: a tenant's own key still matches`)
  }
  // Without tenants (fixed secrets) nothing changes: an entry no key can check is malformed.
  const v1aOnly = { ...headers, 'webhook-signature': ed }
  t.match(scheme.verify([hmacKey], v1aOnly, Buffer.from(body), context), { reason: 'malformed-signature' })
})
