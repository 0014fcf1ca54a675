/**
 * Slack, proven against @slack/bolt's verifySlackRequest (Bolt has no signer, so deliveries are signed with
 * node:crypto as Slack's docs say, and Bolt confirms each signature): the Events API, slash commands and
 * interactivity on one route, the url_verification handshake, retries, and hostile deliveries.
 */
import { createHash, createHmac } from 'node:crypto'
import { verifySlackRequest } from '@slack/bolt'
import Fastify from 'fastify'
import t from 'tap'
import Type from 'typebox'
import { defineSlack, slack } from '../../plugins/slack.js'
import { fixtures, sign } from '../../lib/testing/kit.js'
import { providerSuite } from '../helpers/provider-suite.js'
import { captureSend, type Captured } from '../helpers/capture.js'

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5'
const SECRET_2 = 'e1f2d3c4b5a697887766554433221100'
const now = (): number => Math.floor(Date.now() / 1000)

/** Slack's signature, as its docs define it; each one is checked by Bolt too, so the test signs as Slack does. */
function slackSigns (body: string | Buffer, args: { secret: string, timestamp?: number | undefined }) {
  const timestamp = args.timestamp ?? now()
  const signature = `v0=${createHmac('sha256', args.secret).update(`v0:${timestamp}:${body}`).digest('hex')}`
  verifySlackRequest({
    signingSecret: args.secret,
    body: body.toString(),
    headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
    nowMilliseconds: timestamp * 1000
  })
  return { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(timestamp) }
}

const mention = fixtures.slack.app_mention
const idOf = (payload: unknown, body: string): string => {
  const { event_id: event, trigger_id: trigger } = payload as { event_id?: string, trigger_id?: string }
  return event ?? trigger ?? createHash('sha256').update(body).digest('hex')
}

providerSuite({
  name: 'slack',
  plugin: slack,
  scheme: { kind: 'oracle', header: 'x-slack-signature', timed: true, sign: slackSigns },
  secret: SECRET,
  otherSecret: SECRET_2,
  samples: fixtures.slack,
  invalid: {
    payload: { ...mention, event: { ...mention.event, text: 5 } },
    path: '/event/text',
    reason: 'must be a string'
  },
  unknown: { ...mention, event_id: 'EvUNKNOWN', event: { type: 'channel_created', channel: { id: 'C1' } } },
  // An event's event_id, else an interaction's trigger_id.
  expectedId: idOf
})

async function receiver () {
  const app = Fastify()
  const seen: Array<{ type: string, id: string, payload: unknown }> = []
  const unknown: string[] = []
  await app.register(slack, {
    secret: SECRET,
    onEvent: event => { seen.push({ type: event.type, id: event.id, payload: event.payload }) },
    onUnknown: event => { unknown.push(event.type) }
  })
  const post = (body: string, contentType: string, headers: Record<string, string | string[]> = {}) =>
    app.inject({
      method: 'POST',
      url: '/webhooks/slack',
      headers: { 'content-type': contentType, ...slackSigns(body, { secret: SECRET }), ...headers },
      payload: body
    })
  return { app, seen, unknown, post }
}

const FORM = 'application/x-www-form-urlencoded'

/** Bolt's verify of what `send` put on the wire: throws unless Slack's own check accepts it. */
function boltVerifies (caught: Captured): void {
  verifySlackRequest({
    signingSecret: SECRET,
    body: caught.body.toString(),
    headers: {
      'x-slack-signature': caught.headers['x-slack-signature'] as string,
      'x-slack-request-timestamp': Number(caught.headers['x-slack-request-timestamp'])
    }
  })
}

t.test('slack: a slash command is a form, an interaction a form whose payload field holds JSON', async t => {
  const { post, seen } = await receiver()
  const command = fixtures.slack.slash_command
  const form = new URLSearchParams(command).toString()
  t.equal((await post(form, FORM)).statusCode, 200)
  t.match(seen.at(-1), { type: 'slash_command', id: command.trigger_id, payload: command })

  for (const type of ['block_actions', 'view_submission', 'shortcut'] as const) {
    const interaction = fixtures.slack[type]
    const res = await post(new URLSearchParams({ payload: JSON.stringify(interaction) }).toString(), FORM)
    t.equal(res.statusCode, 200, type)
    t.match(seen.at(-1), { type, id: interaction.trigger_id, payload: interaction }, type)
  }

  const refused: Array<[string, string, string]> = [
    ['payload twice', 'payload=%7B%7D&payload=%7B%7D', 'WEBHOOK_INVALID_FORM'],
    ['payload not JSON', 'payload=%7Bnot', 'WEBHOOK_INVALID_FORM'],
    // URLSearchParams decodes an escaped byte that is not UTF-8 to U+FFFD: the fields then fail the schema.
    ['an escape that is not UTF-8', 'command=%FF', 'WEBHOOK_INVALID_PAYLOAD'],
    ['a command without its text field', form.replace(/&text=[^&]*/, ''), 'WEBHOOK_INVALID_PAYLOAD']
  ]
  for (const [what, body, code] of refused) {
    const res = await post(body, FORM)
    t.equal(res.statusCode, 400, what)
    t.equal(res.json().code, code, what)
  }
  t.equal(seen.length, 4, 'no handler ran for those')
})

t.test('slack: url_verification and ssl_check are answered once verified, with no handler, never deduped', async t => {
  const { app, post, seen } = await receiver()
  const code = '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P'
  const challenge = JSON.stringify({ token: 'XXYYZZ', challenge: code, type: 'url_verification' })
  for (let i = 0; i < 2; i++) {
    const res = await post(challenge, 'application/json')
    t.equal(res.statusCode, 200)
    t.same(res.json(), { challenge: code }, 'answered each time')
  }
  const empty = await post(JSON.stringify({ type: 'url_verification' }), 'application/json')
  t.same(empty.json(), { challenge: '' }, 'a challenge without one is answered with none')
  const unsigned = await app.inject({
    method: 'POST', url: '/webhooks/slack', headers: { 'content-type': 'application/json' }, payload: challenge
  })
  t.equal(unsigned.statusCode, 401, 'an unsigned challenge is refused')
  const ssl = await post('ssl_check=1&token=XXYYZZ', FORM)
  t.equal(ssl.statusCode, 200)
  t.equal(ssl.body, '')
  t.equal(seen.length, 0)
})

t.test('slack: a retry (X-Slack-Retry-Num) of an event already handled is a duplicate', async t => {
  const { post, seen } = await receiver()
  const body = JSON.stringify(mention)
  t.same((await post(body, 'application/json')).json(), { received: true })
  const retried = { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' }
  const retry = await post(body, 'application/json', retried)
  t.equal(retry.statusCode, 200)
  t.same(retry.json(), { received: true, duplicate: true })
  t.equal(seen.length, 1)
})

t.test('slack: the kit and the CLI sign what Bolt\'s verifySlackRequest accepts', async t => {
  const signed = sign('slack', fixtures.slack.message, { secret: SECRET })
  const headers = {
    'x-slack-signature': signed.headers['x-slack-signature']!,
    'x-slack-request-timestamp': Number(signed.headers['x-slack-request-timestamp'])
  }
  t.doesNotThrow(() => verifySlackRequest({ signingSecret: SECRET, body: signed.body, headers }))
  t.throws(() => verifySlackRequest({ signingSecret: SECRET_2, body: signed.body, headers }), /signature mismatch/)

  const sent = await captureSend(['send', 'slack', 'reaction_added', '--secret', SECRET])
  t.equal(sent.code, 0, sent.out)
  const [caught] = sent.caught
  t.doesNotThrow(() => { boltVerifies(caught!) })
  t.match(JSON.parse(caught!.body.toString()), { event: { type: 'reaction_added' } })
})

t.test('slack: the kit and send put a command and an interaction on the wire as Slack does: forms', async t => {
  const { app, seen } = await receiver()
  const command = sign('slack', fixtures.slack.slash_command, { secret: SECRET })
  t.equal(command.headers['content-type'], FORM)
  t.same(Object.fromEntries(new URLSearchParams(command.body)), fixtures.slack.slash_command, 'the fields, as a form')
  const action = sign('slack', fixtures.slack.block_actions, { secret: SECRET })
  t.equal(action.headers['content-type'], FORM)
  t.same(JSON.parse(new URLSearchParams(action.body).get('payload')!), fixtures.slack.block_actions, 'payload=<json>')
  t.equal(sign('slack', mention, { secret: SECRET }).headers['content-type'], 'application/json', 'an event is JSON')
  const untyped = sign('slack', { token: 'x' } as never, { secret: SECRET })
  t.equal(untyped.headers['content-type'], 'application/json', 'no type')
  for (const delivery of [command, action]) {
    const res = await app.inject({ method: 'POST', url: '/webhooks/slack', ...delivery, payload: delivery.body })
    t.equal(res.statusCode, 200, res.body)
  }
  t.same(seen.map(event => event.type), ['slash_command', 'block_actions'])

  const sent = await captureSend(['send', 'slack', 'slash_command', '--secret', SECRET])
  t.equal(sent.code, 0, sent.out)
  const [caught] = sent.caught
  t.equal(caught!.headers['content-type'], FORM)
  t.equal(new URLSearchParams(caught!.body.toString()).get('command'), fixtures.slack.slash_command.command)
  const trigger = new URLSearchParams(caught!.body.toString()).get('trigger_id')!
  t.not(trigger, fixtures.slack.slash_command.trigger_id, 'a new command each send, not a duplicate of the last')
  t.notOk(new URLSearchParams(caught!.body.toString()).has('event_id'), 'a command has no event_id')
  t.match(sent.out, `id ${trigger}`, 'send names the id the route dedupes a form on')
  t.doesNotThrow(() => { boltVerifies(caught!) })
})

t.test('slack: hostile signature and timestamp headers get a 401, never a handler run', async t => {
  const { app, seen } = await receiver()
  const body = JSON.stringify(mention)
  const ts = now()
  const hex = createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')
  const headers = (signature: string, timestamp: string | string[] = String(ts)) =>
    ({ 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp })
  const signedAt = (timestamp: number) => slackSigns(body, { secret: SECRET, timestamp })
  const cases: Array<[string, Record<string, string | string[]>, string]> = [
    ['no timestamp', { 'x-slack-signature': `v0=${hex}` }, 'WEBHOOK_MISSING_SIGNATURE'],
    ['a timestamp not a number', headers(`v0=${hex}`, `${ts}a`), 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['stale', signedAt(ts - 600), 'WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE'],
    ['from the future', signedAt(ts + 600), 'WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE'],
    ['another timestamp than signed', headers(`v0=${hex}`, String(ts - 1)), 'WEBHOOK_INVALID_SIGNATURE'],
    ['v1= instead of v0=', headers(`v1=${hex}`), 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['no prefix', headers(hex), 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['uppercase hex', headers(`v0=${hex.toUpperCase()}`), 'WEBHOOK_INVALID_SIGNATURE'],
    ['over 4 KiB', headers(`v0=${'a'.repeat(5000)}`), 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['the timestamp sent twice', headers(`v0=${hex}`, [String(ts), String(ts)]), 'WEBHOOK_MALFORMED_SIGNATURE']
  ]
  for (const [what, sent, code] of cases) {
    const res = await app.inject({
      method: 'POST', url: '/webhooks/slack', headers: { 'content-type': 'application/json', ...sent }, payload: body
    })
    t.equal(res.statusCode, 401, what)
    t.equal(res.json().code, code, what)
    t.notMatch(res.body, hex, `${what}: no signature in the answer`)
  }
  t.equal(seen.length, 0)
})

t.test('slack: defineSlack adds schemas, and yours win over ours', async t => {
  const mine = defineSlack({
    events: {
      message_action: Type.Object({ type: Type.Literal('message_action'), callback_id: Type.String() }, {
        examples: [{ type: 'message_action', callback_id: 'save' }]
      })
    }
  })
  const app = Fastify()
  const saved: string[] = []
  await app.register(mine, {
    secret: SECRET,
    on: { message_action: async event => { saved.push(event.payload.callback_id) } }
  })
  const action = { type: 'message_action', callback_id: 'save', trigger_id: 'x' }
  const body = new URLSearchParams({ payload: JSON.stringify(action) }).toString()
  const res = await app.inject({
    method: 'POST',
    url: '/webhooks/slack',
    headers: { 'content-type': FORM, ...slackSigns(body, { secret: SECRET }) },
    payload: body
  })
  t.equal(res.statusCode, 200)
  t.same(saved, ['save'])
  t.equal(defineSlack({ name: 'slack-ops' }).provider.name, 'slack-ops')
})
