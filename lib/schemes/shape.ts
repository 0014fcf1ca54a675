/**
 * The options every scheme block shares: what is signed (a template of parts), where the signatures, the timestamp
 * and the id are. The blocks (hmac.ts, public-key.ts) add how the signature is made.
 */

/** A digest of node:crypto's HMAC. */
export type Digest = 'sha1' | 'sha256' | 'sha512'

/** How a signature (or a key) is written as text. Hex is lowercase. */
export type Encoding = 'hex' | 'base64'

/** The signed fields a scheme with a timestamp adds to every event. */
export interface TimestampMeta {
  /** the signed timestamp, whole seconds since the epoch */
  timestamp: number
}

/** A list of entries in one header: `t=1700000000,v1=<sig>` (Stripe), `ts=…;h1=…` (Paddle), `v1,<sig> v1,<sig>`. */
export interface SignatureEntries {
  /** Between entries: `,` (Stripe), `;` (Paddle), ` ` (Standard Webhooks). */
  separator: string
  /** Between an entry's key and its value: `=` (Stripe, Paddle), `,` (Standard Webhooks). */
  assign: string
  /** The key of the signature entries: `v1`, `h1`. There may be several (the sender rotating its keys). */
  signature: string
}

/**
 * Where the signatures are: one per header, after an optional `prefix` (`sha256=`), in any of `header` when it lists
 * several names; or a list of entries in one header.
 */
export type SignatureHeader =
  | { header: string | readonly string[], prefix?: string | undefined }
  | { header: string, entries: SignatureEntries }

/** Where the signed timestamp is, and how it is written. */
export interface TimestampHeader {
  /** A header of its own (Slack's `x-slack-request-timestamp`); give this or `entry`. */
  header?: string | undefined
  /** A key of the signature header's entries (Stripe's `t`, Paddle's `ts`). */
  entry?: string | undefined
  /**
   * A top-level field of the JSON body (Linear's `webhookTimestamp`): signed as part of `{body}`, so the signed
   * content has `{body}` and no `{timestamp}`. The field is read once the signature matched; a number (a string for
   * `rfc3339`).
   */
  field?: string | undefined
  /** Default `seconds`. `{timestamp}` signs the text as sent, whatever the format. */
  format?: 'seconds' | 'milliseconds' | 'rfc3339' | undefined
  /** Default true: a delivery outside ±tolerance is refused. false: signed but not bounded. */
  window?: boolean | undefined
}

/** Where the signed message id is (1 to 256 characters): it becomes the event's id. */
export interface IdHeader {
  header: string
}

export interface SchemeShape {
  /** A stable id, as `SignatureScheme.name`. Default from the block: `hmac-sha256-hex`, `ed25519`, ... */
  name?: string | undefined
  /** The name for people, in messages. Default from the block: `HMAC-SHA256 hex`. */
  title?: string | undefined
  /**
   * What is signed: literal text and the parts `{id}`, `{timestamp}`, `{body}`, `{url}`, `{form}`. Default `{body}`.
   * `{body}` is the raw bytes; `{url}` the whole URL as the sender saw it (the receiver's `publicUrl`); `{form}` the
   * body read as a form, each field's name then value, sorted by name (as Twilio signs).
   */
  signed?: string | undefined
  signature: SignatureHeader
  /** Required when `signed` has `{timestamp}`; the verified event then has `timestamp` (seconds). */
  timestamp?: TimestampHeader | undefined
  /** Required when `signed` has `{id}`; the id is then the event's id. */
  id?: IdHeader | undefined
  /** The scheme's default window in seconds, for the receiver's `tolerance` (300 when neither says). */
  tolerance?: number | undefined
  /**
   * With `{url}`: `exact` (default), the URL as the receiver works it out; `either`, that URL without its port or with
   * the default one where it has none (`:443`, `:80`), whichever the signature matches, as Twilio's SDK checks.
   */
  urlPort?: 'exact' | 'either' | undefined
}

/** How a symmetric secret becomes the key. */
export interface SecretFormat {
  /**
   * `utf8` (default): the whole string, prefix included, is the key, as its UTF-8 bytes. `base64`: the canonical
   * base64 after `prefix` is decoded to the key.
   */
  encoding?: 'utf8' | 'base64' | undefined
  /**
   * The sender's secrets start with this (`whsec_`): one without it is refused at registration, and the CLI tells
   * it from other schemes' secrets.
   */
  prefix?: string | undefined
  /** `base64`: bounds of the decoded key in bytes. */
  minBytes?: number | undefined
  maxBytes?: number | undefined
}

/** How an asymmetric public key is written. */
export interface PublicKeyFormat {
  /** ed25519: the 32 raw bytes in `encoding`. */
  encoding: Encoding
  /** A prefix in front of the encoded key (Standard Webhooks' `whpk_`). */
  prefix?: string | undefined
}

/** The scheme's signed fields: the timestamp when it signs one. */
export type MetaOfShape<O> = O extends { timestamp: object } ? TimestampMeta : object
