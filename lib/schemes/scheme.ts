/** What every signature scheme looks like to the engine. No Fastify here. */
import { safeEqual } from './safe-equal.js'

export type Headers = Record<string, string | string[] | undefined>

/** Why a delivery was refused. Each maps to one error code (lib/core/errors.ts). */
export type RejectReason =
  | 'missing-signature'
  | 'malformed-signature'
  | 'timestamp-outside-tolerance'
  | 'invalid-signature'

export type Verification<Meta extends object> =
  | { ok: true, /** the message id the scheme signs, if it signs one */ id: string | undefined, meta: Meta }
  | { ok: false, reason: RejectReason, /** for the log: never a secret, signature or payload */ detail: string }

/** A verification fed the body as it arrives (`SignatureScheme.begin`). */
export interface BodyVerification<Meta extends object = object> {
  update (chunk: Buffer): void
  /** Once the whole body was fed: what `verify` answers for the same headers and body. */
  finish (): Verification<Meta>
}

/** A refusal, as `verify` and `precheck` give it. */
export type Rejection = Extract<Verification<object>, { ok: false }>

export interface VerifyContext {
  /** seconds since the epoch */
  now: number
  /** seconds, both directions */
  tolerance: number
  /** The request's method; absent where there is no request (the CLI's `verify` of a captured body). */
  method?: string | undefined
  /**
   * The whole URL as the sender saw it (`https://example.com/webhooks/twilio?x=1`: the receiver's `publicUrl`, else
   * the request's protocol, host, path and query), given to a scheme with `signsUrl`; otherwise absent.
   */
  url?: string | undefined
}

export interface SignOptions {
  id?: string | undefined
  /** seconds since the epoch */
  timestamp?: number | undefined
  /** The whole URL the delivery is posted to, for a scheme that signs it (`signsUrl`). */
  url?: string | undefined
}

/** A key a sender's common mistake would have signed with instead, and what to tell them (the CLI's `verify`). */
export interface MistakenKey<Key> {
  key: Key
  summary: string
  hint: string
}

export interface SignatureScheme<Key = unknown, Meta extends object = object> {
  /** A stable id, e.g. `standard-webhooks`. */
  readonly name: string
  /** For people: `Standard Webhooks`. */
  readonly title: string
  /** The header names it reads, lowercase (documented in OpenAPI). */
  readonly headers: readonly string[]
  /** What a secret of this scheme looks like, for messages: `"whsec_" followed by base64`. */
  readonly secretFormat: string
  /** Whether the signature covers a timestamp, so that an old delivery can be refused as stale. */
  readonly signsTimestamp: boolean
  /**
   * false when nothing of the body is signed (a shared token): a changed body then verifies, so the CLI's
   * `send --tamper` is refused and `verify` does not blame the body. Absent: the body is signed.
   */
  readonly signsBody?: boolean
  /** Whether `verify` reads `context.url`: only then does the route work out the URL the sender saw. */
  readonly signsUrl?: boolean
  /** The scheme's default window in seconds for a signed timestamp, where the receiver's `tolerance` is not given. */
  readonly tolerance?: number
  /** Turns one configured secret into a key; throws a TypeError that says what is wrong (never the secret). */
  parseSecret (secret: string): Key
  /** A new random secret in this scheme's format. */
  generateSecret (): string
  /**
   * A new asymmetric key pair, where the scheme has one: the sender signs with `secretKey`, the receiver holds
   * `publicKey`.
   */
  generateKeyPair? (): { secretKey: string, publicKey: string }
  /**
   * With many tenants, the keys a tenant's delivery is verified against: its `keys` (none for an unknown tenant),
   * and a key no sender holds of each kind the scheme checks that `keys` lack (Standard Webhooks: an HMAC key for
   * `v1` entries, an ed25519 public key for `v1a` ones). So every tenant, known or not and whatever kinds of keys it
   * holds, checks the same entries with the same work and gets the same answer. Absent: `keys`, or given none, one
   * key made by `generateSecret`.
   */
  tenantKeys? (keys: readonly Key[]): readonly Key[]
  /** Whether a secret looks like one this scheme hands out (its prefix), as opposed to merely parsing. */
  claims (secret: string): boolean
  verify (keys: readonly Key[], headers: Headers, body: Buffer, context: VerifyContext): Verification<Meta>
  /**
   * Starts verifying a body that is still arriving, from its headers: the body is then fed to it chunk by chunk, so
   * that a large one is hashed as it comes in rather than all at once after it was read, and a forged one costs
   * the server no long stretch of work. A rejection is what `verify` refuses from the headers. Absent, or undefined
   * for these keys (signatures over the whole message, such as ed25519's, or a signed form): the body is verified
   * whole by `verify`.
   */
  begin? (
    keys: readonly Key[],
    headers: Headers,
    context: VerifyContext
  ): BodyVerification<Meta> | Rejection | undefined
  /**
   * What `verify` would refuse from the headers alone (absent, malformed, a timestamp outside the window), with the
   * same reason and detail, so that such a delivery is refused before its body is read. Undefined when only the
   * body can tell. A scheme without it has every body read before it is refused.
   */
  precheck? (headers: Headers, context: VerifyContext): Rejection | undefined
  /**
   * Headers that make `body` verify under `secret`: for tests, the CLI and senders. Given several secrets,
   * one signature for each, as a sender rotating keys sends them; more than `maxSignatures` is a TypeError.
   */
  sign (secret: string | readonly string[], body: Buffer | string, options?: SignOptions): Record<string, string>
  /**
   * For a scheme whose signed timestamp is a field of the body (Linear's `webhookTimestamp`): the payload with that
   * field set to `seconds`, as the sender writes it. The testing kit and the CLI's `send` stamp a payload with it
   * before they sign, so that their deliveries are fresh (or, given an old time, stale). Absent: nothing to stamp.
   */
  stamp? (payload: Record<string, unknown>, seconds: number): Record<string, unknown>
  /** How many signatures one delivery can carry (Standard Webhooks: a list of them). Absent: one. */
  readonly maxSignatures?: number
  /** Keys that a careless sender may have used for `secret`, to tell that mistake apart from a wrong secret. */
  mistakenKeys? (secret: string): Array<MistakenKey<Key>>
}

/** Longest signature header looked at: a real one is under 200 bytes; this bounds the work per request. */
export const MAX_SIGNATURE_HEADER = 4096
/** At most this many signatures of one header are compared. */
export const MAX_SIGNATURES = 16

/** A header's value when it was sent once as a string; arrays and absent values give undefined. */
export function headerValue (headers: Headers, name: string): string | undefined {
  const value = headers[name]
  return typeof value === 'string' ? value : undefined
}

/** The secrets `sign` was given, as a list: at least one, and no more than the scheme's headers can carry. */
export function secretsToSign (
  secret: string | readonly string[],
  scheme: Pick<SignatureScheme, 'title' | 'maxSignatures'>
): readonly [string, ...string[]] {
  const secrets = typeof secret === 'string' ? [secret] : secret
  const max = scheme.maxSignatures ?? 1
  if (secrets.length === 0) throw new TypeError('no secret to sign with')
  if (secrets.length > max) {
    throw new TypeError(
      `${scheme.title} carries ${max === 1 ? 'one signature' : `at most ${max} signatures`} per delivery, not ` +
      `${secrets.length}`
    )
  }
  return secrets as readonly [string, ...string[]]
}

export function reject (reason: RejectReason, detail: string): Rejection {
  return { ok: false, reason, detail }
}

/**
 * Whether some key's signature equals some received one, in constant time per comparison: rotation on our side
 * (several secrets) and on the sender's (several signatures). `expected` computes one key's signature of `input`
 * (undefined for a key that signs no such entry); `input` is handed to it, not closed over, so that verifying a
 * request makes no function.
 */
export function anyMatch<Key, Input> (
  keys: readonly Key[],
  received: readonly string[],
  expected: (key: Key, input: Input) => string | undefined,
  input: Input
): boolean {
  for (const key of keys) {
    const signature = expected(key, input)
    if (signature === undefined) continue
    for (const candidate of received) {
      if (safeEqual(candidate, signature)) return true
    }
  }
  return false
}

/** The refusal when no key matched: how many signatures came, and how many keys were tried. */
export function noneMatched (received: number, keys: number): Rejection {
  return reject(
    'invalid-signature',
    `no signature matched (${received} received, ${keys} secret${keys === 1 ? '' : 's'} tried)`
  )
}
