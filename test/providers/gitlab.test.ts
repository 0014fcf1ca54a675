/**
 * GitLab, proven against GitLab's own documentation (GitLab has no npm verifier): the secret token is sent as it is in
 * `X-Gitlab-Token`, the event's name in `X-Gitlab-Event`, and `Idempotency-Key` is kept across retries. The tests
 * send as those docs say, compare what the kit and `send` put on the wire with the same rule (a constant-time
 * comparison of the token), and break the token every way a header can be broken.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto'
import Fastify from 'fastify'
import t from 'tap'
import Type from 'typebox'
import { defineGitLab, gitlab } from '../../plugins/gitlab.js'
import { fixtures, sign } from '../../lib/testing/kit.js'
import { main } from '../../bin/main.js'
import { providerSuite } from '../helpers/provider-suite.js'
import { captureSend, type Captured } from '../helpers/capture.js'

const TOKEN = 'glwht-3f9c0a5e1b7d4c2a8e6f'
const TOKEN_2 = 'a-second-gitlab-secret-token'

/** The `X-Gitlab-Event` values GitLab's docs list per object_kind, written out rather than derived. */
const HOOKS: Record<string, string> = {
  push: 'Push Hook',
  tag_push: 'Tag Push Hook',
  merge_request: 'Merge Request Hook',
  issue: 'Issue Hook',
  note: 'Note Hook',
  pipeline: 'Pipeline Hook',
  release: 'Release Hook',
  build: 'Job Hook'
}

/** A delivery's headers as GitLab sends them: the token itself, the event, the event's UUID, the idempotency key. */
function gitlabSends (
  _body: string | Buffer,
  args: { secret: string, id?: string | undefined, type?: string | undefined }
) {
  return {
    'x-gitlab-token': args.secret,
    'x-gitlab-event': HOOKS[args.type ?? 'push'] ?? 'System Hook',
    'x-gitlab-instance': 'https://gitlab.example.com',
    'x-gitlab-webhook-uuid': '02affd2d-2cba-4033-917d-ec22d5dc4b38',
    'x-gitlab-event-uuid': randomUUID(),
    'idempotency-key': args.id ?? randomUUID()
  }
}

/** The check GitLab's docs ask of a receiver: the token header equals the secret (compared in constant time). */
function tokenMatches (headers: Captured['headers'] | Record<string, string>, secret: string): boolean {
  const sent = headers['x-gitlab-token']
  if (typeof sent !== 'string') return false
  const [a, b] = [Buffer.from(sent), Buffer.from(secret)]
  return a.length === b.length && timingSafeEqual(a, b)
}

const push = fixtures.gitlab.push
const mr = fixtures.gitlab.merge_request

providerSuite({
  name: 'gitlab',
  plugin: gitlab,
  scheme: { kind: 'oracle', header: 'x-gitlab-token', timed: false, sign: gitlabSends },
  secret: TOKEN,
  otherSecret: TOKEN_2,
  samples: fixtures.gitlab,
  invalid: {
    payload: { ...mr, object_attributes: { ...mr.object_attributes, iid: 'one' } },
    path: '/object_attributes/iid',
    reason: 'must be a number'
  },
  unknown: { object_kind: 'wiki_page', project: push.project, object_attributes: { title: 'Home' } },
  unsignedBody: true
})

async function receiver () {
  const app = Fastify()
  const seen: Array<{ type: string, id: string, payload: unknown }> = []
  const unknown: Array<{ type: string, id: string }> = []
  await app.register(gitlab, {
    secret: TOKEN,
    onEvent: event => { seen.push({ type: event.type, id: event.id, payload: event.payload }) },
    onUnknown: event => { unknown.push({ type: event.type, id: event.id }) }
  })
  const post = (payload: unknown, headers: Record<string, string | string[] | undefined> = {}) =>
    app.inject({
      method: 'POST',
      url: '/webhooks/gitlab',
      // A header given as undefined is left out.
      headers: Object.fromEntries(
        Object.entries<string | string[] | undefined>({
          'content-type': 'application/json', ...gitlabSends('', { secret: TOKEN }), ...headers
        }).filter((entry): entry is [string, string | string[]] => entry[1] !== undefined)
      ),
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload)
    })
  return { app, seen, unknown, post }
}

t.test('gitlab: the type is the body\'s object_kind, whatever X-Gitlab-Event says', async t => {
  const { post, seen, unknown } = await receiver()
  t.equal((await post(push, { 'x-gitlab-event': 'Issue Hook' })).statusCode, 200)
  t.equal(seen.at(-1)?.type, 'push', 'the body names the kind; the header is not read')
  t.equal((await post(push, { 'x-gitlab-event': undefined })).statusCode, 200, 'no X-Gitlab-Event: still typed')
  t.equal(seen.length, 2)
  // A group's member events name themselves in event_name, with no object_kind.
  const member = { event_name: 'user_add_to_group', group_id: 78, user_username: 'johndoe', group_access: 'Guest' }
  t.equal((await post(member)).statusCode, 200)
  t.match(unknown.at(-1), { type: 'user_add_to_group' })
  const kindless = await post({ project: push.project })
  t.equal(kindless.statusCode, 200, 'an object with neither: verified, of no known type')
  t.match(unknown.at(-1), { type: '' })
  t.equal(seen.length, 2, 'no handler ran for those')
})

t.test('gitlab: Idempotency-Key is the id, kept across retries; X-Gitlab-Event-UUID before GitLab 17.4', async t => {
  const { post, seen } = await receiver()
  const key = randomUUID()
  t.same((await post(push, { 'idempotency-key': key })).json(), { received: true })
  // A retry: a new X-Gitlab-Event-UUID is no new event while the idempotency key is the same.
  const retry = await post(push, { 'idempotency-key': key, 'x-gitlab-event-uuid': randomUUID() })
  t.same(retry.json(), { received: true, duplicate: true })
  t.equal(seen.at(-1)?.id, key)
  const uuid = randomUUID()
  t.same((await post(push, { 'idempotency-key': undefined, 'x-gitlab-event-uuid': uuid })).json(), { received: true })
  t.equal(seen.at(-1)?.id, uuid, 'an older GitLab: the event UUID')
  const bare = await post(mr, { 'idempotency-key': undefined, 'x-gitlab-event-uuid': undefined })
  t.equal(bare.statusCode, 200)
  t.match(seen.at(-1)?.id, /^[0-9a-f]{64}$/, 'neither header: the body\'s SHA-256')
  t.equal(seen.length, 3)
})

t.test('gitlab: hostile tokens and bodies get a coded 4xx, never a handler run', async t => {
  const { post, seen } = await receiver()
  const cases: Array<[string, Record<string, string | string[] | undefined>, number, string]> = [
    ['no token', { 'x-gitlab-token': undefined }, 401, 'WEBHOOK_MISSING_SIGNATURE'],
    ['an empty token', { 'x-gitlab-token': '' }, 401, 'WEBHOOK_INVALID_SIGNATURE'],
    // Sent twice, a header reaches the route joined by ', ', as Node joins it: no token is that.
    ['the token sent twice', { 'x-gitlab-token': [TOKEN, TOKEN] }, 401, 'WEBHOOK_INVALID_SIGNATURE'],
    ['the token and another', { 'x-gitlab-token': [TOKEN_2, TOKEN] }, 401, 'WEBHOOK_INVALID_SIGNATURE'],
    ['over 4 KiB', { 'x-gitlab-token': TOKEN.repeat(300) }, 401, 'WEBHOOK_MALFORMED_SIGNATURE'],
    ['a prefix of the token', { 'x-gitlab-token': TOKEN.slice(0, -1) }, 401, 'WEBHOOK_INVALID_SIGNATURE'],
    ['the token and more', { 'x-gitlab-token': `${TOKEN}x` }, 401, 'WEBHOOK_INVALID_SIGNATURE'],
    ['another case', { 'x-gitlab-token': TOKEN.toUpperCase() }, 401, 'WEBHOOK_INVALID_SIGNATURE'],
    ['as a bearer token', { 'x-gitlab-token': `Bearer ${TOKEN}` }, 401, 'WEBHOOK_INVALID_SIGNATURE']
  ]
  for (const [what, headers, status, code] of cases) {
    const res = await post(push, headers)
    t.equal(res.statusCode, status, what)
    t.equal(res.json().code, code, what)
    t.notMatch(res.body, TOKEN, `${what}: no token in the answer`)
  }
  const bodies: Array<[string, string, string]> = [
    ['an array', JSON.stringify([push]), 'WEBHOOK_UNREADABLE_PAYLOAD'],
    ['a number', '42', 'WEBHOOK_UNREADABLE_PAYLOAD'],
    ['not JSON', '{"object_kind": "push"', 'WEBHOOK_INVALID_JSON'],
    ['a push without its commits', JSON.stringify({ ...push, commits: undefined }), 'WEBHOOK_INVALID_PAYLOAD'],
    ['__proto__', '{"object_kind":"push","__proto__":{"x":1}}', 'WEBHOOK_INVALID_JSON']
  ]
  for (const [what, body, code] of bodies) {
    const res = await post(body)
    t.equal(res.statusCode, 400, what)
    t.equal(res.json().code, code, what)
  }
  t.equal(seen.length, 0)
})

t.test('gitlab: the kit and send put on the wire what GitLab sends, the token compared as GitLab says', async t => {
  const signed = sign('gitlab', fixtures.gitlab.merge_request, { secret: TOKEN, type: 'merge_request', id: 'k-1' })
  t.ok(tokenMatches(signed.headers, TOKEN))
  t.notOk(tokenMatches(signed.headers, TOKEN_2))
  t.match(signed.headers, {
    'content-type': 'application/json',
    'x-gitlab-event': 'Merge Request Hook',
    'idempotency-key': 'k-1',
    'x-gitlab-event-uuid': 'k-1'
  })
  for (const type of Object.keys(HOOKS)) {
    const delivery = sign('gitlab', fixtures.gitlab[type as 'push'], { secret: TOKEN, type: type as 'push' })
    t.equal(delivery.headers['x-gitlab-event'], HOOKS[type], `${type}: the header GitLab sends`)
  }
  t.equal(sign('gitlab', push, { secret: TOKEN, type: 'wiki_page' as 'push' }).headers['x-gitlab-event'],
    'Wiki Page Hook')
  t.equal(sign('gitlab', push, { secret: TOKEN, type: 'deployment' as 'push' }).headers['x-gitlab-event'],
    'Deployment Hook', 'another kind, in the words GitLab uses')

  const sent = await captureSend(['send', 'gitlab', 'pipeline', '--secret', TOKEN])
  t.equal(sent.code, 0, sent.out)
  const [caught] = sent.caught
  t.ok(tokenMatches(caught!.headers, TOKEN), 'the token GitLab would send')
  t.equal(caught!.headers['x-gitlab-event'], 'Pipeline Hook')
  t.match(JSON.parse(caught!.body.toString()), { object_kind: 'pipeline' })
  t.match(sent.out, `id ${caught!.headers['idempotency-key'] as string}`, 'send names the idempotency key')
})

t.test('gitlab: send --tamper is refused (nothing of the body is signed); verify blames the token', async t => {
  let out = ''
  const write = (text: string): void => { out += text + '\n' }
  const io = { out: write, err: write, env: {} }
  t.equal(await main(['send', 'gitlab', '--tamper', '--url', 'http://127.0.0.1:9/x', '--secret', TOKEN], io), 2)
  t.match(out, /--tamper: gitlab signs nothing of the body/)

  const { mkdtemp, writeFile } = await import('node:fs/promises')
  const { tmpdir } = await import('node:os')
  const { join } = await import('node:path')
  const dir = await mkdtemp(join(tmpdir(), 'gitlab-verify-'))
  const delivery = sign('gitlab', push, { secret: TOKEN })
  await writeFile(join(dir, 'headers.json'), JSON.stringify(delivery.headers))
  await writeFile(join(dir, 'body.json'), `${delivery.body}\n`)
  const args = ['verify', 'gitlab', '--headers', join(dir, 'headers.json'), '--body', join(dir, 'body.json')]
  out = ''
  t.equal(await main([...args, '--secret', TOKEN], io), 0, 'a changed body verifies: only the token is checked')
  t.match(out, /^verified/)
  out = ''
  t.equal(await main([...args, '--secret', TOKEN_2], io), 1)
  t.match(out, /the token does not match: it is not this endpoint's secret/)
  t.notMatch(out, /body/, 'the body is not blamed')
})

t.test('gitlab: defineGitLab adds schemas, and yours win over ours', async t => {
  const mine = defineGitLab({
    events: {
      wiki_page: Type.Object({
        object_kind: Type.Literal('wiki_page'),
        object_attributes: Type.Object({ title: Type.String(), action: Type.String() })
      }, { examples: [{ object_kind: 'wiki_page', object_attributes: { title: 'Home', action: 'create' } }] })
    }
  })
  const app = Fastify()
  const pages: string[] = []
  await app.register(mine, {
    secret: TOKEN,
    on: { wiki_page: event => { pages.push(event.payload.object_attributes.title) } }
  })
  const res = await app.inject({
    method: 'POST',
    url: '/webhooks/gitlab',
    headers: {
      'content-type': 'application/json',
      ...gitlabSends('', { secret: TOKEN }),
      'x-gitlab-event': 'Wiki Page Hook'
    },
    payload: JSON.stringify({ object_kind: 'wiki_page', object_attributes: { title: 'Home', action: 'create' } })
  })
  t.equal(res.statusCode, 200)
  t.same(pages, ['Home'])
  t.equal(defineGitLab({ name: 'gitlab-ops' }).provider.name, 'gitlab-ops')
})
