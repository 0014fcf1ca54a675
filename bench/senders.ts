/**
 * Verification alone, per major sender's scheme, against that sender's own SDK in the same run: each contender checks
 * one signed 1 KB delivery and must accept it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { verify as octokitVerify } from '@octokit/webhooks-methods'
import { verifySlackRequest } from '@slack/bolt'
import Stripe from 'stripe'
import { github } from '../plugins/github.js'
import { gitlab } from '../plugins/gitlab.js'
import { slack } from '../plugins/slack.js'
import { stripe } from '../plugins/stripe.js'
import { compareAsync, compareSync, spread, type Stat } from './measure.js'
import { KB, pulseBody } from './payloads.js'
import type { Section } from './report.js'

const now = (): number => Math.floor(Date.now() / 1000)

interface Contest {
  scheme: string
  sdk: string
  contenders: Record<string, () => unknown>
  /** The SDK's verify returns a promise: both are awaited, one at a time. */
  async?: boolean
}

function ok (verdict: { ok: boolean }): void {
  if (!verdict.ok) throw new Error('bench delivery did not verify')
}

function stripeContest (body: Buffer): Contest {
  const secret = 'whsec_benchStripeSecret0123456789abcdef'
  const text = body.toString()
  const timestamp = now()
  const header = `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${text}`).digest('hex')}`
  const headers = { 'stripe-signature': header }
  const keys = [stripe.provider.scheme.parseSecret(secret)]
  const sdk = new Stripe('sk_test_unused')
  return {
    scheme: 'Stripe',
    sdk: 'stripe webhooks.signature.verifyHeader',
    contenders: {
      ours: () => { ok(stripe.provider.scheme.verify(keys, headers, body, { now: now(), tolerance: 300 })) },
      // verifyHeader is what constructEvent calls before it parses: verification alone, as ours is.
      sdk: () => sdk.webhooks.signature!.verifyHeader(text, header, secret, 300)
    }
  }
}

function githubContest (body: Buffer): Contest {
  const secret = 'bench-github-secret'
  const text = body.toString()
  const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
  const headers = { 'x-hub-signature-256': signature }
  const keys = [github.provider.scheme.parseSecret(secret)]
  return {
    scheme: 'GitHub',
    sdk: '@octokit/webhooks-methods verify (async)',
    async: true,
    contenders: {
      ours: async () => { ok(github.provider.scheme.verify(keys, headers, body, { now: now(), tolerance: 300 })) },
      sdk: async () => { if (!await octokitVerify(secret, text, signature)) throw new Error('did not verify') }
    }
  }
}

function slackContest (body: Buffer): Contest {
  const secret = 'bench-slack-signing-secret'
  const text = body.toString()
  const timestamp = now()
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${text}`).digest('hex')}`
  const headers = { 'x-slack-signature': signature, 'x-slack-request-timestamp': String(timestamp) }
  const keys = [slack.provider.scheme.parseSecret(secret)]
  return {
    scheme: 'Slack',
    sdk: '@slack/bolt verifySlackRequest',
    contenders: {
      ours: () => { ok(slack.provider.scheme.verify(keys, headers, body, { now: now(), tolerance: 300 })) },
      sdk: () => verifySlackRequest({
        signingSecret: secret,
        body: text,
        headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp }
      })
    }
  }
}

function gitlabContest (): Contest {
  const secret = 'bench-gitlab-secret-token'
  const headers = { 'x-gitlab-token': secret }
  const keys = [gitlab.provider.scheme.parseSecret(secret)]
  const expected = Buffer.from(secret)
  return {
    scheme: 'GitLab',
    // GitLab ships no verifier: its docs ask for the token compared with the secret, as a receiver writes it.
    sdk: 'none: timingSafeEqual of the token, as GitLab\'s docs say',
    contenders: {
      ours: () => { ok(gitlab.provider.scheme.verify(keys, headers, Buffer.alloc(0), { now: now(), tolerance: 300 })) },
      sdk: () => {
        const sent = Buffer.from(headers['x-gitlab-token'])
        if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) throw new Error('did not verify')
      }
    }
  }
}

/** ns per verify, ours and the SDK's, for each sender. */
export async function sendersSection (quick: boolean): Promise<Section> {
  const body = pulseBody(KB)
  const options = { rounds: quick ? 3 : 9, batchMs: quick ? 40 : 150 }
  const rows: Array<Record<string, string | number>> = []
  for (const contest of [stripeContest(body), githubContest(body), slackContest(body), gitlabContest()]) {
    const stats: Record<string, Stat> = contest.async === true
      ? nanoseconds(await compareAsync(contest.contenders as Record<string, () => Promise<unknown>>, options))
      : compareSync(contest.contenders, options)
    const ours = stats.ours!
    const sdk = stats.sdk!
    rows.push({
      scheme: contest.scheme,
      'ours ns/op': Math.round(ours.median),
      'ours spread': spread(ours),
      'SDK ns/op': Math.round(sdk.median),
      'SDK spread': spread(sdk),
      SDK: contest.sdk,
      'SDK ÷ ours': (sdk.median / ours.median).toFixed(2)
    })
  }
  return {
    title: '1b. Verification alone, against each sender\'s SDK, 1 KB body',
    note: `ns per call, median of ${options.rounds} interleaved batches of ~${options.batchMs} ms; each SDK's ` +
      'verify-only function, in the same run.',
    rows,
    targets: []
  }
}

/** compareAsync's milliseconds as nanoseconds. */
function nanoseconds (stats: Record<string, Stat>): Record<string, Stat> {
  const scale = (s: Stat): Stat => ({
    median: s.median * 1e6, min: s.min * 1e6, max: s.max * 1e6, rounds: s.rounds.map(r => r * 1e6)
  })
  return Object.fromEntries(Object.entries(stats).map(([name, s]) => [name, scale(s)]))
}
