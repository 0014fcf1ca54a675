/**
 * Why a delivery was refused: the 401 stays terse, the warn line names the
 * reason and a detail a human can act on, and neither ever holds a secret or
 * the signature the plugin expected.
 */
import { createHmac } from 'node:crypto'
import Fastify from 'fastify'
import t from 'tap'
import { Webhook } from 'standardwebhooks'
import { autosana } from '../plugins/autosana.js'
import { autotab } from '../plugins/autotab.js'
import { cyberdesk } from '../plugins/cyberdesk.js'
import { pulse } from '../plugins/pulse.js'
import { retab } from '../plugins/retab.js'
import { fixtures } from '../lib/testing/kit.js'
import { HEX_SECRET, HEX_SECRET_2, SW_SECRET, SW_SECRET_2, signWith } from './helpers/sign.js'

interface Line { level: number, msg: string, provider?: string, reason?: string, detail?: string }

const SW_SECRET_3 = 'whsec_' + Buffer.alloc(40, 3).toString('base64')
const now = () => Math.floor(Date.now() / 1000)

async function appWith (plugin: unknown, options: Record<string, unknown>) {
  const lines: Line[] = []
  const raw: string[] = []
  const app = Fastify({
    logger: {
      level: 'info',
      stream: {
        write: (line: string) => {
          raw.push(line)
          lines.push(JSON.parse(line))
        }
      }
    }
  })
  await app.register(plugin as typeof pulse, options as never)
  return { app, lines, raw }
}

function rejected (lines: Line[]) {
  const found = lines.filter(l => l.msg === 'webhook rejected')
  return found.length === 1 ? found[0]! : undefined
}

const pulseBody = JSON.stringify(fixtures.pulse['job.completed'])
const swHeaders = (
  prefix: 'webhook' | 'svix',
  body: string,
  secret = SW_SECRET,
  extra: { id?: string; timestamp?: number } = {}
) => signWith({ kind: 'standard', prefix }, body, { secret, ...extra })

t.test('Standard Webhooks: each reason is logged at warn with a detail that says what to fix', async t => {
  const { app, lines, raw } = await appWith(pulse, { secret: SW_SECRET })
  const post = (headers: Record<string, string>, body = pulseBody) =>
    app.inject({
      method: 'POST',
      url: '/webhooks/pulse',
      headers: { 'content-type': 'application/json', ...headers },
      payload: body
    })
  const cases: Array<{
    name: string
    headers: () => Record<string, string>
    body?: string
    code: string
    reason: string
    detail: RegExp
  }> = [
    {
      name: 'no signature headers at all',
      headers: () => ({}),
      code: 'WEBHOOK_MISSING_SIGNATURE',
      reason: 'missing-signature',
      detail:
        /^no single webhook-id, webhook-timestamp, webhook-signature header \(needs webhook-id, webhook-timestamp and webhook-signature\)$/
    },
    {
      name: 'one header missing: it is named',
      headers: () => { const { 'webhook-timestamp': _, ...rest } = swHeaders('webhook', pulseBody); return rest },
      code: 'WEBHOOK_MISSING_SIGNATURE',
      reason: 'missing-signature',
      detail: /^no single webhook-timestamp header/
    },
    {
      name: 'a timestamp that is not integer seconds',
      headers: () => ({ ...swHeaders('webhook', pulseBody), 'webhook-timestamp': '2025-01-01T00:00:00Z' }),
      code: 'WEBHOOK_MALFORMED_SIGNATURE',
      reason: 'malformed-signature',
      detail: /^webhook-timestamp is not integer seconds$/
    },
    {
      name: 'a signature list with no v1 entry',
      headers: () => ({ ...swHeaders('webhook', pulseBody), 'webhook-signature': 'v1a,abcd v2,efgh' }),
      code: 'WEBHOOK_MALFORMED_SIGNATURE',
      reason: 'malformed-signature',
      detail: /^webhook-signature has no v1 entry$/
    },
    {
      name: 'the body changed after signing',
      headers: () => swHeaders('webhook', pulseBody),
      body: pulseBody.replace('25', '26'),
      code: 'WEBHOOK_INVALID_SIGNATURE',
      reason: 'invalid-signature',
      detail: /^no signature matched \(1 received, 1 secret tried\)$/
    }
  ]
  for (const c of cases) {
    lines.length = 0
    const res = await post(c.headers(), c.body)
    t.equal(res.statusCode, 401, c.name)
    t.same(Object.keys(res.json()).sort(), ['code', 'error', 'message', 'statusCode'], `${c.name}: the answer is terse`)
    t.equal(res.json().code, c.code, c.name)
    const line = rejected(lines)
    t.match(line, { level: 40, provider: 'pulse', reason: c.reason, detail: c.detail }, c.name)
    // Fastify's own line of the answer: at info, its error coded, with no stack (a refusal is not the app's fault).
    const answered = lines.filter(l => 'err' in l) as Array<Line & { err: Record<string, unknown> }>
    t.match(answered, [{ level: 30, err: { code: c.code } }], `${c.name}: Fastify's line`)
    t.notOk(answered[0]?.err.stack, `${c.name}: no stack at info`)
  }
  t.notMatch(raw.join(''), SW_SECRET.slice('whsec_'.length), 'the secret is in no log line')
})

t.test('a timestamp outside the window: by how many seconds, past or future', async t => {
  const { app, lines } = await appWith(cyberdesk, { secret: SW_SECRET, tolerance: 60 })
  const body = JSON.stringify(fixtures.cyberdesk.run_complete)
  for (const [offset, direction] of [[-1000, 'past'], [700, 'future']] as const) {
    lines.length = 0
    const signedAt = now() + offset
    const before = now()
    const res = await app.inject({
      method: 'POST',
      url: '/webhooks/cyberdesk',
      headers: { 'content-type': 'application/json', ...swHeaders('svix', body, SW_SECRET, { timestamp: signedAt }) },
      payload: body
    })
    const after = now()
    t.equal(res.statusCode, 401)
    t.equal(res.json().code, 'WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE')
    const line = rejected(lines)
    t.match(
      line,
      {
        reason: 'timestamp-outside-tolerance',
        detail: new RegExp(`^timestamp \\d+ s in the ${direction} \\(tolerance 60 s\\)$`)
      },
      direction
    )
    const seconds = Number(/(\d+) s/.exec(line?.detail ?? '')?.[1])
    t.ok(
      seconds >= Math.abs(before - signedAt) && seconds <= Math.abs(after - signedAt),
      `${direction}: off by ${seconds} s, the real skew`
    )
  }
})

t.test('no signature matched: how many signatures were received and how many secrets tried', async t => {
  const { app, lines, raw } = await appWith(pulse, { secret: [SW_SECRET, SW_SECRET_2, SW_SECRET_3] })
  const signer = new Webhook(SW_SECRET) // the right secret: the body is what breaks it
  const id = 'msg_rotation'
  const timestamp = now()
  const expected = signer.sign(id, new Date(timestamp * 1000), pulseBody.replace('25', '26'))
  const stranger = new Webhook('whsec_' + Buffer.alloc(32, 9).toString('base64'))
  const list = [1, 2, 3].map(n => stranger.sign(id, new Date(timestamp * 1000), `${pulseBody}${n}`)).join(' ')
  const res = await app.inject({
    method: 'POST',
    url: '/webhooks/pulse',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': list
    },
    payload: pulseBody.replace('25', '26')
  })
  t.equal(res.statusCode, 401)
  t.match(rejected(lines), {
    reason: 'invalid-signature',
    detail: 'no signature matched (3 received, 3 secrets tried)'
  })
  const everything = raw.join('') + res.body
  t.notMatch(everything, expected.slice(3), 'the signature the plugin computed is neither logged nor answered')
  for (const secret of [SW_SECRET, SW_SECRET_2, SW_SECRET_3]) {
    t.notMatch(everything, secret.slice(6), 'no configured secret is logged or answered')
  }
})

t.test('hex schemes: header missing, prefix missing, signature not matching N secrets', async t => {
  const body = JSON.stringify(fixtures.autosana['batch.completed'])
  const hex = (secret: string, text = body) => createHmac('sha256', secret).update(text).digest('hex')
  const { app, lines, raw } = await appWith(autosana, { secret: [HEX_SECRET, HEX_SECRET_2] })
  const post = (headers: Record<string, string>) =>
    app.inject({
      method: 'POST',
      url: '/webhooks/autosana',
      headers: { 'content-type': 'application/json', ...headers },
      payload: body
    })
  const cases: Array<[string, Record<string, string>, string, string]> = [
    ['missing', {}, 'missing-signature', 'no x-autosana-signature-256 header'],
    [
      'no prefix',
      { 'x-autosana-signature-256': hex(HEX_SECRET) },
      'malformed-signature',
      'x-autosana-signature-256 header lacks the "sha256=" prefix'
    ],
    [
      'wrong secret',
      { 'x-autosana-signature-256': 'sha256=' + hex('some-other-secret') },
      'invalid-signature',
      'no signature matched (1 received, 2 secrets tried)'
    ]
  ]
  for (const [name, headers, reason, detail] of cases) {
    lines.length = 0
    t.equal((await post(headers)).statusCode, 401, name)
    t.match(rejected(lines), { provider: 'autosana', reason, detail }, name)
  }
  const everything = raw.join('')
  for (const secret of [HEX_SECRET, HEX_SECRET_2]) {
    t.notMatch(everything, secret, 'no secret in the log')
    t.notMatch(everything, hex(secret), 'no expected signature in the log')
  }
  t.notMatch(everything, /run_groups|Login Suite/, 'no payload in the log')
})

t.test('every provider logs its reason under its own name, and the two Retab header names are both listed', async t => {
  for (const [plugin, name, secret, detail] of [
    [autotab, 'autotab', HEX_SECRET, 'no autotab-signature header'],
    [retab, 'retab', HEX_SECRET, 'no retab-signature or x-retab-signature header'],
    [
      cyberdesk,
      'cyberdesk',
      SW_SECRET,
      'no single svix-id, svix-timestamp, svix-signature header (needs svix-id, svix-timestamp and svix-signature)'
    ]
  ] as const) {
    const { app, lines } = await appWith(plugin, { secret })
    const res = await app.inject({
      method: 'POST',
      url: `/webhooks/${name}`,
      headers: { 'content-type': 'application/json' },
      payload: '{}'
    })
    t.equal(res.statusCode, 401, name)
    t.match(rejected(lines), { provider: name, reason: 'missing-signature', detail }, name)
  }
})
