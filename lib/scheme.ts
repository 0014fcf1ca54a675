/** What every signature scheme looks like to the engine. No Fastify here. */

export type Headers = Record<string, string | string[] | undefined>

/** Why a delivery was refused. Each maps to one error code (lib/errors.ts). */
export type RejectReason =
  | 'missing-signature'
  | 'malformed-signature'
  | 'timestamp-outside-tolerance'
  | 'invalid-signature'

export type Verification<Meta extends object> =
  | { ok: true, /** the message id the scheme signs, if it signs one */ id: string | undefined, meta: Meta }
  | { ok: false, reason: RejectReason, /** for the log: never a secret, signature or payload */ detail: string }

export interface VerifyContext {
  /** seconds since the epoch */
  now: number
  /** seconds, both directions */
  tolerance: number
}

export interface SignOptions {
  id?: string
  /** seconds since the epoch */
  timestamp?: number
}

export interface SignatureScheme<Key = unknown, Meta extends object = object> {
  readonly name: string
  /** Turns one configured secret into a key; throws a TypeError that says what is wrong (never the secret). */
  parseSecret (secret: string): Key
  verify (keys: readonly Key[], headers: Headers, body: Buffer, context: VerifyContext): Verification<Meta>
  /** Headers that make `body` verify under `secret`: for tests, the CLI and senders. */
  sign (secret: string, body: Buffer | string, options?: SignOptions): Record<string, string>
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

export function reject<Meta extends object> (reason: RejectReason, detail: string): Verification<Meta> {
  return { ok: false, reason, detail }
}
