/**
 * An independent signer for tests: the HMAC primitive from node:crypto for
 * the hex schemes, and the `standardwebhooks` npm package (the spec's own
 * reference library) for Standard Webhooks. Never the code under test.
 */
import { createHmac, generateKeyPairSync, randomUUID } from 'node:crypto'
import { Webhook } from 'standardwebhooks'

export const SW_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
export const SW_SECRET_2 = 'whsec_' + Buffer.from('a second secret of 32 bytes!!!!!').toString('base64')
export const HEX_SECRET = 'hex-test-secret-1'
export const HEX_SECRET_2 = 'hex-test-secret-2'

/** An ed25519 pair from node:crypto as Discord writes keys: the 32-byte seed (which signs) and public key, in hex. */
export function ed25519Hex (): { secretKey: string, publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  const hex = (base64url: string | undefined): string => Buffer.from(base64url!, 'base64url').toString('hex')
  return {
    secretKey: hex(privateKey.export({ format: 'jwk' }).d),
    publicKey: hex(publicKey.export({ format: 'jwk' }).x)
  }
}

/** An ECDSA P-256 pair from node:crypto as SendGrid writes keys: base64 of the DER, PKCS #8 (signs) and SPKI. */
export function p256Base64 (): { secretKey: string, publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return {
    secretKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64')
  }
}

export type Scheme =
  | { kind: 'hex', header: string, prefix?: string }
  | { kind: 'standard', prefix: 'svix' | 'webhook' }
  /** A sender's own SDK signs (Stripe, GitHub, Slack): `header` is the signature's header, to break or drop. */
  | {
    kind: 'oracle'
    header: string
    /** whether the signature covers a timestamp (then stale and future ones are refused) */
    timed: boolean
    sign: (body: string | Buffer, args: SignArgs) => Record<string, string>
  }

export interface SignArgs {
  secret: string
  id?: string
  /** seconds */
  timestamp?: number
  /** the event type, for senders that put it in a header (GitHub) */
  type?: string | undefined
}

export function signWith (scheme: Scheme, body: string | Buffer, args: SignArgs): Record<string, string> {
  if (scheme.kind === 'oracle') return scheme.sign(body, args)
  if (scheme.kind === 'hex') {
    const hex = createHmac('sha256', args.secret).update(body).digest('hex')
    return { [scheme.header]: (scheme.prefix ?? '') + hex }
  }
  const id = args.id ?? `msg_${randomUUID()}`
  const timestamp = args.timestamp ?? Math.floor(Date.now() / 1000)
  const signature = new Webhook(args.secret).sign(id, new Date(timestamp * 1000), body.toString())
  return {
    [`${scheme.prefix}-id`]: id,
    [`${scheme.prefix}-timestamp`]: String(timestamp),
    [`${scheme.prefix}-signature`]: signature
  }
}

/** A Pulse delivery (Standard Webhooks, `webhook-*` headers, SW_SECRET) POSTed over real HTTP; the answer parsed. */
export async function postPulse (
  url: string,
  body: string,
  id: string
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers = {
    'content-type': 'application/json',
    ...signWith({ kind: 'standard', prefix: 'webhook' }, body, { secret: SW_SECRET, id })
  }
  const res = await fetch(url, { method: 'POST', headers, body })
  return { status: res.status, body: await res.json() as Record<string, unknown> }
}
