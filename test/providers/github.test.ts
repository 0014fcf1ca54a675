/**
 * GitHub, proven against `@octokit/webhooks-methods`: what its `sign` signs is accepted (JSON and the form content
 * type), what our testing kit and the CLI's `send` sign passes its `verify`, and hostile deliveries get a coded 4xx
 * with no handler run.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods'
import Fastify from 'fastify'
import t from 'tap'
import Type from 'typebox'
import { main } from '../../bin/main.js'
import { defineGitHub, github } from '../../plugins/github.js'
import { fixtures, sign } from '../../lib/testing/kit.js'
import { providerSuite } from '../helpers/provider-suite.js'
import { captureSend } from '../helpers/capture.js'

const SECRET = 'It\'s a Secret to Everybody'
const SECRET_2 = 'another-github-secret'

/** The signature of `body`, as GitHub computes it (node:crypto: the suite's signer must be synchronous). */
function githubSigns (
  body: string | Buffer,
  args: { secret: string, id?: string | undefined, type?: string | undefined }
) {
  return {
    'x-hub-signature-256': `sha256=${createHmac('sha256', args.secret).update(body).digest('hex')}`,
    'x-github-event': args.type ?? 'push',
    'x-github-delivery': args.id ?? randomUUID()
  }
}

const push = fixtures.github.push

providerSuite({
  name: 'github',
  plugin: github,
  scheme: { kind: 'oracle', header: 'x-hub-signature-256', timed: false, sign: githubSigns },
  secret: SECRET,
  otherSecret: SECRET_2,
  samples: fixtures.github,
  invalid: { payload: { ...push, commits: 'none' }, path: '/commits', reason: 'must be an array' },
  unknown: { action: 'created', starred_at: '2025-01-15T10:30:00Z', ...push },
  unknownType: 'star'
})

async function receiver () {
  const app = Fastify()
  const seen: Array<{ type: string, id: string, payload: unknown }> = []
  const unknown: string[] = []
  await app.register(github, {
    secret: SECRET,
    onEvent: event => { seen.push({ type: event.type, id: event.id, payload: event.payload }) },
    onUnknown: event => { unknown.push(event.type) }
  })
  const post = (headers: Record<string, string | string[]>, body: string, contentType = 'application/json') =>
    app.inject({
      method: 'POST',
      url: '/webhooks/github',
      headers: { 'content-type': contentType, ...headers },
      payload: body
    })
  return { app, seen, unknown, post }
}

t.test('github: what @octokit/webhooks-methods signs is accepted, for every event type', async t => {
  const { post, seen } = await receiver()
  for (const [type, payload] of Object.entries(fixtures.github)) {
    const body = JSON.stringify(payload)
    const id = randomUUID()
    const res = await post({
      'x-hub-signature-256': await octokitSign(SECRET, body),
      'x-github-event': type,
      'x-github-delivery': id
    }, body)
    t.equal(res.statusCode, 200, type)
    t.match(seen.at(-1), { type, id, payload }, `${type}: typed by X-GitHub-Event, keyed by X-GitHub-Delivery`)
  }
  t.equal(seen.length, Object.keys(fixtures.github).length)
})

t.test('github: the form content type, payload=<json>, verified over the form\'s bytes', async t => {
  const { post, seen } = await receiver()
  const json = JSON.stringify(fixtures.github.pull_request)
  const form = new URLSearchParams({ payload: json }).toString()
  const headers = (body: string, type = 'pull_request') => octokitSign(SECRET, body).then(signature => ({
    'x-hub-signature-256': signature, 'x-github-event': type, 'x-github-delivery': randomUUID()
  }))
  const res = await post(await headers(form), form, 'application/x-www-form-urlencoded')
  t.equal(res.statusCode, 200)
  t.same(seen.at(-1)?.payload, fixtures.github.pull_request, 'the payload is the JSON in the field')

  const resigned = new URLSearchParams({ payload: JSON.stringify(fixtures.github.pull_request, null, 2) }).toString()
  t.equal(
    (await post(await headers(form), resigned, 'application/x-www-form-urlencoded')).statusCode,
    401,
    'the form re-encoded after signing is refused'
  )
  const cases: Array<[string, string, number, string]> = [
    ['no payload field', 'other=1', 400, 'WEBHOOK_INVALID_FORM'],
    ['payload twice', `${form}&${form}`, 400, 'WEBHOOK_INVALID_FORM'],
    ['payload not JSON', 'payload=%7Bnot', 400, 'WEBHOOK_INVALID_FORM'],
    ['payload an array', `payload=${encodeURIComponent('[1,2]')}`, 400, 'WEBHOOK_INVALID_PAYLOAD'],
    ['not UTF-8', 'payload=%FF', 400, 'WEBHOOK_INVALID_FORM']
  ]
  for (const [what, body, status, code] of cases) {
    const answer = await post(await headers(body), body, 'application/x-www-form-urlencoded')
    t.equal(answer.statusCode, status, what)
    t.equal(answer.json().code, code, what)
  }
  t.equal(seen.length, 1, 'no handler ran for those')
})

t.test('github: the kit and the CLI sign what @octokit/webhooks-methods verifies', async t => {
  const payload = fixtures.github.release
  const signed = sign('github', payload, { secret: SECRET, type: 'release' })
  t.ok(await octokitVerify(SECRET, signed.body, signed.headers['x-hub-signature-256']!))
  t.notOk(await octokitVerify(SECRET_2, signed.body, signed.headers['x-hub-signature-256']!))
  t.equal(signed.headers['x-github-event'], 'release', 'the kit sends the type header')
  t.match(signed.headers['x-github-delivery'], /\S/, 'and a delivery id')

  const sent = await captureSend(['send', 'github', 'workflow_run', '--secret', SECRET])
  t.equal(sent.code, 0, sent.out)
  const [caught] = sent.caught
  t.ok(await octokitVerify(SECRET, caught!.body.toString(), caught!.headers['x-hub-signature-256'] as string))
  t.equal(caught!.headers['x-github-event'], 'workflow_run')
  t.same(JSON.parse(caught!.body.toString()), fixtures.github.workflow_run)
})

t.test('github: the headers outside the signature', async t => {
  const { post, seen, unknown } = await receiver()
  const body = JSON.stringify(push)
  const signature = await octokitSign(SECRET, body)
  const signed = { 'x-hub-signature-256': signature }
  const noType = await post({ 'x-hub-signature-256': signature, 'x-github-delivery': randomUUID() }, body)
  t.equal(noType.statusCode, 400)
  t.equal(noType.json().code, 'WEBHOOK_MISSING_TYPE')
  t.equal(seen.length, 0)

  const noId = await post({ 'x-hub-signature-256': signature, 'x-github-event': 'push' }, body)
  t.equal(noId.statusCode, 200)
  t.equal(seen[0]!.id, createHash('sha256').update(body).digest('hex'), 'without X-GitHub-Delivery: the body\'s hash')
  const star = await post({ ...signed, 'x-github-event': 'star', 'x-github-delivery': 'a' }, body)
  t.equal(star.statusCode, 200)
  // Node joins a repeated header with ", ": no event is named so, and the type header is not signed anyway.
  const twice = { 'x-hub-signature-256': signature, 'x-github-event': ['push', 'push'], 'x-github-delivery': 'b' }
  t.equal((await post(twice, body)).statusCode, 200)
  t.same(unknown, ['star', 'push, push'], 'an event without a schema goes to onUnknown')
  t.equal(seen.length, 1)
})

t.test('github: hostile signature headers get a 401, never a handler run', async t => {
  const { post, seen } = await receiver()
  const body = JSON.stringify(push)
  const hex = createHmac('sha256', SECRET).update(body).digest('hex')
  const sha1 = createHmac('sha1', SECRET).update(body).digest('hex')
  const cases: Array<[string, Record<string, string | string[]>, string]> = [
    ['only the SHA-1 X-Hub-Signature', { 'x-hub-signature': `sha1=${sha1}` }, 'WEBHOOK_MISSING_SIGNATURE'],
    ['sha1= in the SHA-256 header', { 'x-hub-signature-256': `sha1=${sha1}` }, 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['no sha256= prefix', { 'x-hub-signature-256': hex }, 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['SHA256= in capitals', { 'x-hub-signature-256': `SHA256=${hex}` }, 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['empty after the prefix', { 'x-hub-signature-256': 'sha256=' }, 'WEBHOOK_INVALID_SIGNATURE'],
    ['uppercase hex', { 'x-hub-signature-256': `sha256=${hex.toUpperCase()}` }, 'WEBHOOK_INVALID_SIGNATURE'],
    ['a space after the hex', { 'x-hub-signature-256': `sha256=${hex} ` }, 'WEBHOOK_INVALID_SIGNATURE'],
    ['the hex twice', { 'x-hub-signature-256': `sha256=${hex}${hex}` }, 'WEBHOOK_INVALID_SIGNATURE'],
    ['over 4 KiB', { 'x-hub-signature-256': `sha256=${'a'.repeat(5000)}` }, 'WEBHOOK_MALFORMED_SIGNATURE'],
    // Node joins a repeated header with ", ": one value that is no signature.
    ['sent twice', { 'x-hub-signature-256': [`sha256=${hex}`, `sha256=${hex}`] }, 'WEBHOOK_INVALID_SIGNATURE']
  ]
  for (const [what, headers, code] of cases) {
    const res = await post({ 'x-github-event': 'push', ...headers }, body)
    t.equal(res.statusCode, 401, what)
    t.equal(res.json().code, code, what)
    t.notMatch(res.body, hex, `${what}: no signature in the answer`)
  }
  t.equal(seen.length, 0)
})

t.test('github: defineGitHub adds event schemas, and yours win over ours', async t => {
  const mine = defineGitHub({
    events: {
      star: Type.Object({ action: Type.String(), starred_at: Type.Union([Type.String(), Type.Null()]) }, {
        examples: [{ action: 'created', starred_at: '2025-01-15T10:30:00Z' }]
      })
    }
  })
  const app = Fastify()
  const starred: Array<string | null> = []
  await app.register(mine, { secret: SECRET, on: { star: async event => { starred.push(event.payload.starred_at) } } })
  const body = JSON.stringify({ action: 'deleted', starred_at: null })
  const res = await app.inject({
    method: 'POST',
    url: '/webhooks/github',
    headers: { 'content-type': 'application/json', ...githubSigns(body, { secret: SECRET, type: 'star' }) },
    payload: body
  })
  t.equal(res.statusCode, 200)
  t.same(starred, [null])
  t.equal(defineGitHub({ name: 'github-enterprise' }).provider.name, 'github-enterprise')
})

t.test('github: the CLI\'s verify tells a re-serialized body from a wrong secret', async t => {
  const dir = await mkdtemp(join(tmpdir(), 'fastify-webhooks-github-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const signed = sign('github', push, { secret: SECRET, type: 'push' })
  await writeFile(join(dir, 'headers.json'), JSON.stringify(signed.headers))
  const verify = async (body: string, secret: string) => {
    await writeFile(join(dir, 'body'), body)
    let out = ''
    const files = ['--headers', join(dir, 'headers.json'), '--body', join(dir, 'body')]
    const args = ['verify', 'github', ...files, '--secret', secret]
    const code = await main(args, { out: text => { out += text + '\n' }, err: text => { out += text + '\n' }, env: {} })
    return { code, out }
  }
  t.same(await verify(signed.body, SECRET), { code: 0, out: 'verified: the signature matches\n' })
  const pretty = await verify(JSON.stringify(push, null, 2), SECRET)
  t.equal(pretty.code, 1)
  t.match(pretty.out, 'the body was re-serialized')
  const wrong = await verify(signed.body, SECRET_2)
  t.equal(wrong.code, 1)
  t.match(wrong.out, 'no signature matched')
  t.notMatch(pretty.out + wrong.out, SECRET, 'no secret printed')
})
