/**
 * Verification alone, per major sender's scheme, against that sender's own SDK in the same run: each contender checks
 * one signed 1 KB delivery and must accept it.
 */
import '@shopify/shopify-api/adapters/node'
import { createHmac, createPrivateKey, sign, timingSafeEqual } from 'node:crypto'
import { verify as octokitVerify } from '@octokit/webhooks-methods'
import { Paddle } from '@paddle/paddle-node-sdk'
import { EventWebhook } from '@sendgrid/eventwebhook'
import { ApiVersion, LogSeverity, shopifyApi } from '@shopify/shopify-api'
import { verifyKey } from 'discord-interactions'
import { verifySlackRequest } from '@slack/bolt'
import { WebhooksHelper } from 'square'
import Stripe from 'stripe'
import { EventSubMiddleware } from '@twurple/eventsub-http'
import twilioSdk from 'twilio'
import { LinearWebhookClient } from '@linear/sdk/webhooks'
import { discord } from '../plugins/discord.js'
import { github } from '../plugins/github.js'
import { gitlab } from '../plugins/gitlab.js'
import { linear } from '../plugins/linear.js'
import { paddle } from '../plugins/paddle.js'
import { sendgrid } from '../plugins/sendgrid.js'
import { shopify } from '../plugins/shopify.js'
import { slack } from '../plugins/slack.js'
import { square } from '../plugins/square.js'
import { stripe } from '../plugins/stripe.js'
import { twitch } from '../plugins/twitch.js'
import { twilio } from '../plugins/twilio.js'
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

function shopifyContest (body: Buffer): Contest {
  const secret = 'bench-shopify-client-secret'
  const text = body.toString()
  const headers = {
    'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
    'x-shopify-topic': 'orders/create',
    'x-shopify-shop-domain': 'bench.myshopify.com',
    'x-shopify-api-version': '2026-10',
    'x-shopify-webhook-id': 'bench-webhook-id'
  }
  const keys = [shopify.provider.scheme.parseSecret(secret)]
  const sdk = shopifyApi({
    apiKey: 'bench',
    apiSecretKey: secret,
    hostName: 'bench.example.com',
    apiVersion: ApiVersion.October26,
    isEmbeddedApp: false,
    logger: { level: LogSeverity.Error }
  })
  const rawRequest = { headers, method: 'POST', url: '/webhooks/shopify' }
  return {
    scheme: 'Shopify',
    sdk: '@shopify/shopify-api webhooks.validate (async, checks the headers too)',
    async: true,
    contenders: {
      ours: async () => { ok(shopify.provider.scheme.verify(keys, headers, body, { now: now(), tolerance: 300 })) },
      sdk: async () => {
        const result = await sdk.webhooks.validate({ rawBody: text, rawRequest, rawResponse: {} })
        if (!result.valid) throw new Error('did not verify')
      }
    }
  }
}

function paddleContest (body: Buffer): Contest {
  const secret = 'pdl_ntfset_01hv8wt8nffez4p2t6typn4a5j_benchPaddleSecret0123456789'
  const text = body.toString()
  const keys = [paddle.provider.scheme.parseSecret(secret)]
  const sdk = new Paddle('pdl_sdbx_apikey_unused')
  // The SDK refuses a signature over 5 s old by its clock: the delivery is signed anew each second, for both alike.
  let timestamp = 0
  let headers = { 'paddle-signature': '' }
  const current = (): string => {
    if (now() !== timestamp) {
      timestamp = now()
      const hex = createHmac('sha256', secret).update(`${timestamp}:${text}`).digest('hex')
      headers = { 'paddle-signature': `ts=${timestamp};h1=${hex}` }
    }
    return headers['paddle-signature']
  }
  return {
    scheme: 'Paddle',
    sdk: '@paddle/paddle-node-sdk webhooks.isSignatureValid (async)',
    async: true,
    contenders: {
      ours: async () => {
        current()
        ok(paddle.provider.scheme.verify(keys, headers, body, { now: timestamp, tolerance: 5 }))
      },
      sdk: async () => {
        if (!await sdk.webhooks.isSignatureValid(text, secret, current())) throw new Error('did not verify')
      }
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

function discordContest (body: Buffer): Contest {
  const { secretKey, publicKey } = discord.provider.scheme.generateKeyPair!()
  const text = body.toString()
  const timestamp = String(now())
  // PKCS #8 of an ed25519 seed: a fixed prefix, then the 32 bytes.
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(secretKey, 'hex')])
  const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })
  const signature = sign(null, Buffer.from(timestamp + text), key).toString('hex')
  const headers = { 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp }
  const keys = [discord.provider.scheme.parseSecret(publicKey)]
  return {
    scheme: 'Discord',
    sdk: 'discord-interactions verifyKey (async)',
    async: true,
    contenders: {
      ours: async () => { ok(discord.provider.scheme.verify(keys, headers, body, { now: now(), tolerance: 300 })) },
      sdk: async () => {
        if (!await verifyKey(text, signature, timestamp, publicKey)) throw new Error('did not verify')
      }
    }
  }
}

function sendgridContest (body: Buffer): Contest {
  const { secretKey, publicKey } = sendgrid.provider.scheme.generateKeyPair!()
  const text = body.toString()
  const timestamp = String(now())
  const key = createPrivateKey({ key: Buffer.from(secretKey, 'base64'), format: 'der', type: 'pkcs8' })
  const signature = sign('sha256', Buffer.from(timestamp + text), { key, dsaEncoding: 'der' }).toString('base64')
  const headers = {
    'x-twilio-email-event-webhook-signature': signature,
    'x-twilio-email-event-webhook-timestamp': timestamp
  }
  const keys = [sendgrid.provider.scheme.parseSecret(publicKey)]
  const sdk = new EventWebhook()
  // The key is converted once, as an app would at start.
  const ecdsaKey = sdk.convertPublicKeyToECDSA(publicKey)
  return {
    scheme: 'SendGrid',
    sdk: '@sendgrid/eventwebhook verifySignature',
    contenders: {
      ours: () => { ok(sendgrid.provider.scheme.verify(keys, headers, body, { now: now(), tolerance: 300 })) },
      sdk: () => { if (!sdk.verifySignature(ecdsaKey, text, signature, timestamp)) throw new Error('did not verify') }
    }
  }
}

function twitchContest (body: Buffer): Contest {
  const secret = 'bench-twitch-eventsub-secret'
  const text = body.toString()
  const id = 'e76c6bd4-55c9-4987-8304-da1588d8988b'
  const timestamp = new Date().toISOString()
  const signature = `sha256=${createHmac('sha256', secret).update(id + timestamp + text).digest('hex')}`
  const headers = {
    'twitch-eventsub-message-id': id,
    'twitch-eventsub-message-timestamp': timestamp,
    'twitch-eventsub-message-signature': signature
  }
  const keys = [twitch.provider.scheme.parseSecret(secret)]
  // The listener's own check, called alone: running the listener takes a Twitch API client.
  type Verify = (id: string, timestamp: string, body: string, signature: string) => boolean
  const check = (EventSubMiddleware.prototype as unknown as { _verifyData: Verify })._verifyData
  const self = { _secret: secret }
  return {
    scheme: 'Twitch',
    sdk: '@twurple/eventsub-http _verifyData',
    contenders: {
      ours: () => { ok(twitch.provider.scheme.verify(keys, headers, body, { now: now(), tolerance: 600 })) },
      sdk: () => { if (!check.call(self, id, timestamp, text, signature)) throw new Error('did not verify') }
    }
  }
}

function squareContest (body: Buffer): Contest {
  const secret = 'bench-square-signature-key'
  const text = body.toString()
  const url = 'https://bench.example.com/webhooks/square'
  const header = createHmac('sha256', secret).update(url).update(body).digest('base64')
  const headers = { 'x-square-hmacsha256-signature': header }
  const keys = [square.provider.scheme.parseSecret(secret)]
  const context = { tolerance: 300, url }
  return {
    scheme: 'Square',
    sdk: 'square WebhooksHelper.verifySignature (async)',
    async: true,
    contenders: {
      ours: async () => { ok(square.provider.scheme.verify(keys, headers, body, { now: now(), ...context })) },
      sdk: async () => {
        const valid = await WebhooksHelper.verifySignature({
          requestBody: text, signatureHeader: header, signatureKey: secret, notificationUrl: url
        })
        if (!valid) throw new Error('did not verify')
      }
    }
  }
}

function twilioContest (): Contest {
  const token = 'bench-twilio-auth-token-0123456'
  const url = 'https://bench.example.com/webhooks/twilio'
  const params = {
    AccountSid: 'AC1', MessageSid: 'SM1', From: '+15017122661', To: '+15558675310', Body: 'x'.repeat(900)
  }
  const body = Buffer.from(new URLSearchParams(params).toString())
  const signature = twilioSdk.getExpectedTwilioSignature(token, url, params)
  const headers = { 'x-twilio-signature': signature }
  const keys = [twilio.provider.scheme.parseSecret(token)]
  return {
    scheme: 'Twilio (a form of about 1 KB)',
    sdk: 'twilio validateRequest (given the parsed fields)',
    contenders: {
      ours: () => { ok(twilio.provider.scheme.verify(keys, headers, body, { now: now(), tolerance: 300, url })) },
      sdk: () => { if (!twilioSdk.validateRequest(token, signature, url, params)) throw new Error('did not verify') }
    }
  }
}

function linearContest (body: Buffer): Contest {
  const secret = 'bench-linear-webhook-secret'
  // Linear's timestamp is the body's: the same 1 KB, stamped now (the SDK holds it to 60 s).
  const stamped = Buffer.from(JSON.stringify({ ...JSON.parse(body.toString()), webhookTimestamp: Date.now() }))
  const signature = createHmac('sha256', secret).update(stamped).digest('hex')
  const headers = { 'linear-signature': signature }
  const keys = [linear.provider.scheme.parseSecret(secret)]
  const sdk = new LinearWebhookClient(secret)
  return {
    scheme: 'Linear',
    sdk: '@linear/sdk LinearWebhookClient.verify',
    contenders: {
      ours: () => { ok(linear.provider.scheme.verify(keys, headers, stamped, { now: now(), tolerance: 60 })) },
      sdk: () => { if (!sdk.verify(stamped, signature)) throw new Error('did not verify') }
    }
  }
}

/** ns per verify, ours and the SDK's, for each sender. */
export async function sendersSection (quick: boolean): Promise<Section> {
  const body = pulseBody(KB)
  const options = { rounds: quick ? 3 : 9, batchMs: quick ? 40 : 150 }
  const rows: Array<Record<string, string | number>> = []
  // Each made just before it runs, so that a signed timestamp is fresh when its turn comes.
  const contests: Array<() => Contest> = [
    () => stripeContest(body),
    () => githubContest(body),
    () => slackContest(body),
    () => shopifyContest(body),
    () => paddleContest(body),
    () => gitlabContest(),
    () => discordContest(body),
    () => sendgridContest(body),
    () => twitchContest(body),
    () => squareContest(body),
    () => twilioContest(),
    () => linearContest(body)
  ]
  for (const make of contests) {
    const contest = make()
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
