/**
 * Discord interactions, proven against discord-interactions' verifyKey: it has no signer, so deliveries are signed
 * with node:crypto's ed25519 as Discord's docs say and verifyKey confirms each signature, and what our testing kit
 * and the CLI's `send` sign; the PING handshake, the numeric types, a handler's own answer, and hostile deliveries.
 */
import { createPrivateKey, sign as ed25519Sign, type KeyObject } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { InteractionResponseType, InteractionType, verifyKey } from 'discord-interactions'
import Fastify from 'fastify'
import t from 'tap'
import Type from 'typebox'
import { main } from '../../bin/main.js'
import { defineDiscord, discord } from '../../plugins/discord.js'
import { fixtures, sign } from '../../lib/testing/kit.js'
import { providerSuite } from '../helpers/provider-suite.js'
import { captureSend, type Captured } from '../helpers/capture.js'
import { ed25519Hex } from '../helpers/sign.js'

const PAIR = ed25519Hex()
const PAIR_2 = ed25519Hex()
const now = (): number => Math.floor(Date.now() / 1000)

/** The secret key of each public key the tests hand the route, as node:crypto holds it. */
const secretKeys = new Map<string, KeyObject>([PAIR, PAIR_2].map(pair => [pair.publicKey, seedKey(pair.secretKey)]))
function seedKey (seedHex: string): KeyObject {
  // PKCS #8 of an ed25519 seed: a fixed 16-byte prefix, then the 32 bytes.
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seedHex, 'hex')])
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
}

const pending: Array<Promise<void>> = []
t.afterEach(async () => {
  await Promise.all(pending.splice(0))
})

/** Discord's signature, as its docs define it; verifyKey confirms each one. `secret` is the receiver's public key. */
function discordSigns (body: string | Buffer, args: { secret: string, timestamp?: number | undefined }) {
  const timestamp = String(args.timestamp ?? now())
  const message = Buffer.concat([Buffer.from(timestamp), Buffer.from(body)])
  const signature = ed25519Sign(null, message, secretKeys.get(args.secret)!).toString('hex')
  pending.push(verifyKey(body, signature, timestamp, args.secret).then(ok => {
    if (!ok) throw new Error('verifyKey refused a signature made as Discord\'s docs say')
  }))
  return { 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp }
}

const command = fixtures.discord.application_command

providerSuite({
  name: 'discord',
  plugin: discord,
  scheme: { kind: 'oracle', header: 'x-signature-ed25519', timed: true, sign: discordSigns },
  secret: PAIR.publicKey,
  otherSecret: PAIR_2.publicKey,
  samples: fixtures.discord,
  invalid: {
    payload: { ...command, data: { ...command.data, name: 42 } },
    path: '/data/name',
    reason: 'must be a string'
  },
  // A type Discord may add: verified, and named by its number.
  unknown: { ...command, id: '1141118025813311599', type: 9 },
  expectedId: payload => (payload as { id: string }).id
})

async function receiver (options: Record<string, unknown> = {}) {
  const app = Fastify()
  const seen: Array<{ type: string, id: string }> = []
  const unknown: string[] = []
  await app.register(discord, {
    secret: PAIR.publicKey,
    onEvent: event => { seen.push({ type: event.type, id: event.id }) },
    onUnknown: event => { unknown.push(event.type) },
    ...options
  })
  const signed = (body: string) => discordSigns(body, { secret: PAIR.publicKey })
  const post = (body: string, headers: Record<string, string | string[]> = signed(body)) =>
    app.inject({
      method: 'POST',
      url: '/webhooks/discord',
      headers: { 'content-type': 'application/json', ...headers },
      payload: body
    })
  return { app, seen, unknown, post }
}

/** verifyKey on what `send` put on the wire. */
async function sdkVerifies (caught: Captured, publicKey = PAIR.publicKey): Promise<boolean> {
  return await verifyKey(
    caught.body,
    caught.headers['x-signature-ed25519'] as string,
    caught.headers['x-signature-timestamp'] as string,
    publicKey
  )
}

t.test('discord: a PING is answered {"type":1} once verified, each time, with no handler', async t => {
  const { app, post, seen, unknown } = await receiver()
  const ping = JSON.stringify({
    id: '1141118025813311500', application_id: '1141116944239734795', type: 1, token: 'x', version: 1
  })
  for (let i = 0; i < 2; i++) {
    const res = await post(ping)
    t.equal(res.statusCode, 200)
    t.match(res.headers['content-type'], /^application\/json/)
    t.same(res.json(), { type: InteractionResponseType.PONG }, 'a PONG, every time: never a duplicate')
  }
  t.equal(InteractionType.PING, 1)
  const unsigned = await app.inject({
    method: 'POST', url: '/webhooks/discord', headers: { 'content-type': 'application/json' }, payload: ping
  })
  t.equal(unsigned.statusCode, 401, 'an unsigned PING is refused: Discord checks that the endpoint verifies')
  const forged = await post(ping, discordSigns(ping, { secret: PAIR_2.publicKey }))
  t.equal(forged.statusCode, 401, 'so is one signed by another key')
  t.equal(forged.json().code, 'WEBHOOK_INVALID_SIGNATURE')

  const address = await app.listen({ host: '127.0.0.1', port: 0 })
  t.teardown(() => app.close())
  const res = await fetch(`${address}/webhooks/discord`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...discordSigns(ping, { secret: PAIR.publicKey }) },
    body: ping
  })
  t.same(await res.json(), { type: 1 }, 'over real HTTP')
  t.equal(seen.length + unknown.length, 0)
})

t.test('discord: the numeric type names the event; a number Discord adds is type_<n>', async t => {
  const { post, seen, unknown } = await receiver({ idempotency: false })
  const types: Array<[number, string]> = [
    [InteractionType.APPLICATION_COMMAND, 'application_command'],
    [InteractionType.MESSAGE_COMPONENT, 'message_component'],
    [InteractionType.APPLICATION_COMMAND_AUTOCOMPLETE, 'application_command_autocomplete'],
    [InteractionType.MODAL_SUBMIT, 'modal_submit']
  ]
  for (const [number, name] of types) {
    const sample = fixtures.discord[name as keyof typeof fixtures.discord]
    t.equal(sample.type, number, `${name} is type ${number} in the sample`)
    t.equal((await post(JSON.stringify(sample))).statusCode, 200, name)
  }
  t.same(seen.map(event => event.type), types.map(([, name]) => name))
  for (const type of [9, 0, '2', 2.5, -1, null]) {
    t.equal((await post(JSON.stringify({ ...command, type }))).statusCode, 200, `type ${JSON.stringify(type)}`)
  }
  t.same(unknown, ['type_9', 'type_0', '', '', '', ''], 'a number Discord adds by its number, anything else untyped')
})

t.test('discord: a handler answers the interaction itself; the plugin\'s own answer is no response', async t => {
  const app = Fastify()
  await app.register(discord, {
    secret: PAIR.publicKey,
    on: {
      application_command: async (event, _request, reply) => reply.send({
        type: InteractionResponseType.CHANNEL_MESSAGE_WITH_SOURCE,
        data: { content: `Deploying ${String(event.payload.data.options?.[0]?.value)}…` }
      }),
      application_command_autocomplete: async (_event, _request, reply) => reply.send({
        type: InteractionResponseType.APPLICATION_COMMAND_AUTOCOMPLETE_RESULT,
        data: { choices: [{ name: 'main', value: 'main' }] }
      })
    }
  })
  const post = (payload: unknown) => {
    const body = JSON.stringify(payload)
    return app.inject({
      method: 'POST',
      url: '/webhooks/discord',
      headers: { 'content-type': 'application/json', ...discordSigns(body, { secret: PAIR.publicKey }) },
      payload: body
    })
  }
  const answered = await post(command)
  t.equal(answered.statusCode, 200)
  t.same(answered.json(), { type: 4, data: { content: 'Deploying main…' } })
  const choices = (await post(fixtures.discord.application_command_autocomplete)).json().data.choices
  t.same(choices, [{ name: 'main', value: 'main' }])
  const unanswered = await post(fixtures.discord.modal_submit)
  t.same(unanswered.json(), { received: true }, 'the generic answer, which Discord takes for a failed interaction')
})

t.test('discord: the kit, the CLI\'s send and its secret --ed25519 sign what verifyKey accepts', async t => {
  for (const [type, payload] of Object.entries(fixtures.discord)) {
    const signed = sign('discord', payload, { secret: PAIR.secretKey })
    const headers = [signed.headers['x-signature-ed25519']!, signed.headers['x-signature-timestamp']!] as const
    t.ok(await verifyKey(signed.body, ...headers, PAIR.publicKey), `${type}: the kit's`)
    t.notOk(await verifyKey(signed.body, ...headers, PAIR_2.publicKey), `${type}: and no other key's`)
  }

  const sent = await captureSend(['send', 'discord', 'message_component', '--secret', PAIR.secretKey])
  t.equal(sent.code, 0, sent.out)
  const [caught] = sent.caught
  t.ok(await sdkVerifies(caught!), 'send\'s')
  const delivered = JSON.parse(caught!.body.toString()) as { id: string, type: number }
  t.equal(delivered.type, InteractionType.MESSAGE_COMPONENT)
  t.not(delivered.id, fixtures.discord.message_component.id, 'a new interaction each send')
  t.match(delivered.id, /^[0-9]{17,20}$/, 'a snowflake')
  t.ok(BigInt(delivered.id) >> 22n > BigInt(Date.now() - 1420070400000 - 60_000), 'of now')
  t.match(sent.out, `id ${delivered.id}`)

  let out = ''
  const io = { out: (text: string) => { out += text + '\n' }, err: () => {}, env: {} }
  t.equal(await main(['secret', 'discord', '--ed25519'], io), 0)
  const [secretKey, publicKey] = out.trimEnd().split('\n') as [string, string]
  t.match(publicKey, /^[0-9a-f]{64}$/, 'the public key, as the Developer Portal shows one')
  const again = await captureSend(['send', 'discord', '--secret', secretKey])
  t.ok(await sdkVerifies(again.caught[0]!, publicKey), 'a pair the CLI made, verified by verifyKey')

  const { post, seen } = await receiver()
  const fromKit = sign('discord', fixtures.discord.modal_submit, { secret: PAIR.secretKey })
  t.equal((await post(fromKit.body, fromKit.headers)).statusCode, 200)
  t.same(seen.map(event => event.type), ['modal_submit'])
})

t.test('discord: hostile signature and timestamp headers get a 401, never a handler run', async t => {
  const { post, seen } = await receiver()
  const body = JSON.stringify(command)
  const ts = now()
  const signedAt = (timestamp: number) => discordSigns(body, { secret: PAIR.publicKey, timestamp })
  const good = signedAt(ts)
  const hex = good['x-signature-ed25519']
  const headers = (signature: string | string[], timestamp: string | string[] = String(ts)) =>
    ({ 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp })
  const cases: Array<[string, Record<string, string | string[]>, string]> = [
    ['no timestamp', { 'x-signature-ed25519': hex }, 'WEBHOOK_MISSING_SIGNATURE'],
    ['no signature', { 'x-signature-timestamp': String(ts) }, 'WEBHOOK_MISSING_SIGNATURE'],
    ['a timestamp not a number', headers(hex, `${ts}a`), 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['a timestamp in milliseconds', headers(hex, `${ts}000`), 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['stale', signedAt(ts - 600), 'WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE'],
    ['from the future', signedAt(ts + 600), 'WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE'],
    ['another timestamp than signed', headers(hex, String(ts - 1)), 'WEBHOOK_INVALID_SIGNATURE'],
    // verifyKey reads uppercase hex too; Discord sends lowercase, and one spelling is all a signature needs.
    ['uppercase hex', headers(hex.toUpperCase()), 'WEBHOOK_INVALID_SIGNATURE'],
    ['base64 where hex goes', headers(Buffer.from(hex, 'hex').toString('base64')), 'WEBHOOK_INVALID_SIGNATURE'],
    ['63 bytes', headers(hex.slice(0, 126)), 'WEBHOOK_INVALID_SIGNATURE'],
    ['65 bytes', headers(`${hex}00`), 'WEBHOOK_INVALID_SIGNATURE'],
    ['odd hex', headers(hex.slice(0, 127)), 'WEBHOOK_INVALID_SIGNATURE'],
    ['empty', headers(''), 'WEBHOOK_INVALID_SIGNATURE'],
    ['over 4 KiB', headers('ab'.repeat(2100)), 'WEBHOOK_MALFORMED_SIGNATURE'],
    // Joined by ", " as Node joins a repeated header: no hex signature.
    ['the signature sent twice', headers([hex, hex]), 'WEBHOOK_INVALID_SIGNATURE'],
    ['the timestamp sent twice', headers(hex, [String(ts), String(ts)]), 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['signed by another app\'s key', discordSigns(body, { secret: PAIR_2.publicKey }), 'WEBHOOK_INVALID_SIGNATURE']
  ]
  for (const [what, sent, code] of cases) {
    const res = await post(body, sent)
    t.equal(res.statusCode, 401, what)
    t.equal(res.json().code, code, what)
    t.notMatch(res.body, hex, `${what}: no signature in the answer`)
  }
  t.notOk(await verifyKey(body, hex, String(ts - 1), PAIR.publicKey), 'verifyKey refuses another timestamp too')
  t.equal(seen.length, 0)
})

t.test('discord: bodies Discord never sends are a 400, not a handler run', async t => {
  const { post, seen, unknown } = await receiver()
  for (const [what, body, code] of [
    ['an array', JSON.stringify([command]), 'WEBHOOK_UNREADABLE_PAYLOAD'],
    ['null', 'null', 'WEBHOOK_UNREADABLE_PAYLOAD'],
    ['a number', '2', 'WEBHOOK_UNREADABLE_PAYLOAD'],
    ['a command without data', JSON.stringify({ ...command, data: undefined }), 'WEBHOOK_INVALID_PAYLOAD'],
    ['an id that is no string', JSON.stringify({ ...command, id: 5 }),
      'WEBHOOK_INVALID_PAYLOAD'],
    ['__proto__', JSON.stringify(command).replace('{', '{"__proto__":{"x":1},'), 'WEBHOOK_INVALID_JSON']
  ] as const) {
    const res = await post(body)
    t.equal(res.statusCode, 400, what)
    t.equal(res.json().code, code, what)
  }
  t.equal(seen.length + unknown.length, 0)
})

t.test('discord: the public key is 32 bytes of hex; anything else is refused at registration', async t => {
  const upper = await receiver({ secret: PAIR.publicKey.toUpperCase() })
  t.equal((await upper.post(JSON.stringify(command))).statusCode, 200, 'in uppercase, as it may be pasted')
  for (const [what, secret] of [
    ['a bot token', 'MTE0MTExNjk0NDIzOTczNDc5NQ.GhQ2Xx.abcdefghijklmnopqrstuvwxyz0123456789AB'],
    ['31 bytes', PAIR.publicKey.slice(2)],
    ['base64', Buffer.from(PAIR.publicKey, 'hex').toString('base64')]
  ] as const) {
    await t.rejects(
      async () => { await Fastify().register(discord, { secret }).ready() },
      /secret/,
      what
    )
  }
})

t.test('discord: a replayed interaction (same id) is a duplicate, and runs no handler', async t => {
  const { post, seen } = await receiver()
  const body = JSON.stringify(command)
  t.same((await post(body)).json(), { received: true })
  const replay = await post(body, discordSigns(body, { secret: PAIR.publicKey, timestamp: now() - 2 }))
  t.same(replay.json(), { received: true, duplicate: true })
  t.equal(seen.length, 1)
})

t.test('discord: defineDiscord adds schemas, for a type Discord adds', async t => {
  const Launch = Type.Object(
    { id: Type.String(), type: Type.Literal(12), data: Type.Object({ name: Type.String() }) },
    { examples: [{ id: '1141118025813311513', type: 12, data: { name: 'activity' } }] }
  )
  const mine = defineDiscord({ events: { type_12: Launch } })
  const app = Fastify()
  const launched: string[] = []
  await app.register(mine, {
    secret: PAIR.publicKey,
    on: { type_12: async event => { launched.push(event.payload.data.name) } }
  })
  const body = JSON.stringify({ id: '1141118025813311513', type: 12, data: { name: 'activity' } })
  const res = await app.inject({
    method: 'POST',
    url: '/webhooks/discord',
    headers: { 'content-type': 'application/json', ...discordSigns(body, { secret: PAIR.publicKey }) },
    payload: body
  })
  t.equal(res.statusCode, 200)
  t.same(launched, ['activity'])
  t.equal(defineDiscord({ name: 'discord-staging' }).provider.name, 'discord-staging')
})

t.test('discord: the CLI\'s verify of a capture: verified, a re-serialized body, another app\'s key', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'fastify-webhooks-discord-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const body = JSON.stringify(command, null, 2)
  const verify = async (signed: string, publicKey: string) => {
    await writeFile(join(dir, 'headers.json'), JSON.stringify(discordSigns(signed, { secret: PAIR.publicKey })))
    await writeFile(join(dir, 'body'), body)
    let out = ''
    const args = ['verify', 'discord', '--headers', join(dir, 'headers.json'), '--body', join(dir, 'body'),
      '--secret', publicKey]
    const code = await main(args, { out: text => { out += text + '\n' }, err: text => { out += text + '\n' }, env: {} })
    return { code, out }
  }
  const right = await verify(body, PAIR.publicKey)
  t.equal(right.code, 0, right.out)
  const compact = await verify(JSON.stringify(command), PAIR.publicKey)
  t.equal(compact.code, 1)
  t.match(compact.out, 'the body was re-serialized')
  const other = await verify(body, PAIR_2.publicKey)
  t.equal(other.code, 1)
  t.match(other.out, 'no signature matched')
})
