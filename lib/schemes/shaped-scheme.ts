/**
 * A whole SignatureScheme from a shape (what is signed, where signatures, timestamp and id are) and a signer (how a
 * signature is made and checked: HMAC, ed25519, ECDSA). The blocks in hmac.ts and public-key.ts are one call each.
 */
import { randomBytes } from 'node:crypto'
import {
  MAX_SIGNATURES, headerValue, noneMatched, reject, secretsToSign,
  type BodyVerification, type Headers, type MistakenKey, type Rejection, type SignOptions, type SignatureScheme,
  type Verification, type VerifyContext
} from './scheme.js'
import type { SchemeShape, TimestampMeta } from './shape.js'
import { formText, signedContent, streamable, type PartValues, type SignedContent } from './signed-content.js'
import {
  headerName, readSignatures, readerHeaders, signatureReader, writeSignatures, type ReadSignatures
} from './signature-header.js'
import { FORMAT_TITLES, outsideWindow, readTimestamp, writeTimestamp, type TimestampFormat } from './timestamp.js'
import { portForms } from './url-variants.js'

/** One delivery's signed content and what it carries, as a signer's `matches` is handed it: one object a request. */
export interface Content extends PartValues, ReadSignatures {
  signed: SignedContent
  /** the timestamp in seconds, where one is signed */
  seconds: number | undefined
}

/** A signer's hashes of one body as it arrives: fed each chunk, then asked whether some key signed it. */
export interface BodyHashes {
  update (chunk: Buffer): void
  matches (received: readonly string[]): boolean
}

/** What differs between the blocks: the keys, and how a signature is made and checked. */
export interface Signer<Key> {
  readonly name: string
  readonly title: string
  readonly secretFormat: string
  parseSecret (secret: string): Key
  generateSecret (): string
  generateKeyPair? (): { secretKey: string, publicKey: string }
  claims (secret: string): boolean
  mistakenKeys? (secret: string): Array<MistakenKey<Key>>
  /** Whether some key's signature of the content is one of `received`. */
  matches (keys: readonly Key[], received: readonly string[], content: Content): boolean
  /** One signature of the content with a secret as the sender holds it (a private key, for asymmetric schemes). */
  sign (secret: string, content: Content): string
  /**
   * For a signer that can be fed the body as it arrives (an HMAC): the content before the body is fed now, the
   * body by `update`, the rest by `matches`. Absent: the content is checked whole.
   */
  stream? (keys: readonly Key[], content: Content): BodyHashes
}

const MAX_ID = 256
/** Longer than any timestamp of any format. */
const MAX_STAMP = 64
/** The body at precheck, which runs before it is read: nothing is signed with it. */
const NO_BODY = Buffer.alloc(0)
const OK_UNSTAMPED: Verification<object> = { ok: true, id: undefined, meta: {} }

export function shapedScheme<Key> (
  shape: SchemeShape,
  signer: Signer<Key>
): SignatureScheme<Key, TimestampMeta | object> {
  if (typeof shape !== 'object' || shape === null) throw new TypeError('a scheme needs its options')
  const signed = signedContent(shape.signed ?? '{body}')
  const { uses } = signed
  const timestamp = stampOf(shape, uses)
  const idName = idOf(shape, uses.has('id'))
  const reader = signatureReader(shape.signature, timestamp?.entry)
  const maxSignatures = reader.kind === 'entries' ? MAX_SIGNATURES : 1
  const signsUrl = uses.has('url')
  const eitherPort = urlPortOf(shape, signsUrl)
  const signsForm = uses.has('form')
  const title = shape.title ?? signer.title
  const headerNames = [
    ...readerHeaders(reader),
    ...(timestamp?.header === undefined ? [] : [timestamp.header]),
    ...(idName === undefined ? [] : [idName])
  ]

  const emptyContent = (): Content => ({
    signed,
    signatures: [],
    stamp: undefined,
    seconds: undefined,
    id: undefined,
    url: undefined,
    form: undefined,
    body: NO_BODY
  })
  // One delivery's content, reused by every call: verify and precheck are synchronous and nothing of it escapes them
  // (the body is let go before they return), so a request allocates no object for it.
  const scratch = emptyContent()
  // A body fed as it arrives: only where nothing signed is read from the body, and one URL is tried.
  const streams = signer.stream !== undefined && streamable(signed) && timestamp?.field === undefined && !eitherPort

  // The signatures, timestamp and id, or why they cannot be used (window included): shared by verify, precheck and
  // begin (which keeps its own content while the body arrives).
  function read (headers: Headers, context: VerifyContext, body: Buffer, content = scratch): Content | Rejection {
    content.signatures.length = 0
    content.stamp = content.id = content.url = content.form = undefined
    content.seconds = undefined
    content.body = body
    const unread = readSignatures(reader, headers, content)
    if (unread !== undefined) return unread
    if (timestamp !== undefined && timestamp.field === undefined) {
      const stamp = timestamp.header === undefined ? content.stamp : headerValue(headers, timestamp.header)
      if (stamp === undefined) return reject('missing-signature', `no single ${timestamp.header!} header`)
      const seconds = stamp.length > MAX_STAMP ? undefined : readTimestamp(stamp, timestamp.format)
      if (seconds === undefined) {
        return reject('malformed-signature', `${timestamp.where} is not ${FORMAT_TITLES[timestamp.format]}`)
      }
      if (timestamp.window) {
        const outside = outsideWindow(seconds, context)
        if (outside !== undefined) return outside
      }
      content.stamp = stamp
      content.seconds = seconds
    }
    if (idName !== undefined) {
      const id = headerValue(headers, idName)
      if (id === undefined) return reject('missing-signature', `no single ${idName} header`)
      if (id.length === 0 || id.length > MAX_ID) {
        return reject('malformed-signature', `${idName} must be 1 to ${MAX_ID} characters`)
      }
      content.id = id
    }
    return content
  }

  function verify (
    keys: readonly Key[],
    headers: Headers,
    body: Buffer,
    context: VerifyContext
  ): Verification<TimestampMeta | object> {
    const verdict = check(keys, headers, body, context)
    scratch.body = NO_BODY
    return verdict
  }

  function check (
    keys: readonly Key[],
    headers: Headers,
    body: Buffer,
    context: VerifyContext
  ): Verification<TimestampMeta | object> {
    const content = read(headers, context, body)
    if ('reason' in content) return content
    const { signatures } = content
    const unsigned = withUrl(content, context)
    if (unsigned !== undefined) return unsigned
    if (signsForm) {
      content.form = formText(body)
      if (content.form === undefined) return reject('invalid-signature', 'the signed form is not UTF-8')
    }
    if (!matches(keys, content)) return noneMatched(signatures.length, keys.length)
    if (timestamp?.field !== undefined) {
      // Only now, the bytes being the sender's, is the body read for its timestamp.
      const stamped = fieldStamp(timestamp, body, context)
      if (typeof stamped === 'object') return stamped
      content.seconds = stamped
    }
    return verdictOf(content)
  }

  function verdictOf ({ seconds, id }: Content): Verification<TimestampMeta | object> {
    if (seconds === undefined && id === undefined) return OK_UNSTAMPED
    return { ok: true, id, meta: seconds === undefined ? {} : { timestamp: seconds } }
  }

  function withUrl (content: Content, context: VerifyContext): Rejection | undefined {
    if (!signsUrl) return undefined
    if (context.url === undefined) return reject('invalid-signature', 'no URL to check the signed URL against')
    content.url = context.url
    return undefined
  }

  function begin (
    keys: readonly Key[],
    headers: Headers,
    context: VerifyContext
  ): BodyVerification<TimestampMeta | object> | Rejection {
    const content = read(headers, context, NO_BODY, emptyContent())
    if ('reason' in content) return content
    const unsigned = withUrl(content, context)
    if (unsigned !== undefined) return unsigned
    const hashing = signer.stream!(keys, content)
    return {
      update: chunk => { hashing.update(chunk) },
      finish: () => hashing.matches(content.signatures)
        ? verdictOf(content)
        : noneMatched(content.signatures.length, keys.length)
    }
  }

  // The signed URL as given, or with `urlPort: 'either'` each of its forms in turn.
  function matches (keys: readonly Key[], content: Content): boolean {
    if (!eitherPort) return signer.matches(keys, content.signatures, content)
    for (const url of portForms(content.url!)) {
      content.url = url
      if (signer.matches(keys, content.signatures, content)) return true
    }
    return false
  }

  function precheck (headers: Headers, context: VerifyContext): Rejection | undefined {
    const found = read(headers, context, NO_BODY)
    return 'reason' in found ? found : undefined
  }

  function sign (
    secret: string | readonly string[],
    body: Buffer | string,
    options: SignOptions = {}
  ): Record<string, string> {
    const secrets = secretsToSign(secret, { title, maxSignatures })
    const bytes = typeof body === 'string' ? Buffer.from(body) : body
    const seconds = options.timestamp ?? Math.floor(Date.now() / 1000)
    const stamp = timestamp === undefined ? undefined : writeTimestamp(seconds, timestamp.format)
    const id = idName === undefined ? undefined : options.id ?? `msg_${randomBytes(12).toString('hex')}`
    if (signsUrl && options.url === undefined) throw new TypeError(`${title} signs the URL: give sign() a url`)
    const form = signsForm ? formText(bytes) : undefined
    if (signsForm && form === undefined) throw new TypeError(`${title} signs a form: the body must be UTF-8`)
    const content: Content = {
      signed, signatures: [], stamp, seconds, id, url: options.url, form, body: bytes
    }
    return {
      ...(timestamp?.header === undefined ? {} : { [timestamp.header]: stamp! }),
      ...(idName === undefined ? {} : { [idName]: id! }),
      ...writeSignatures(reader, secrets.map(each => signer.sign(each, content)), stamp)
    }
  }

  return {
    name: shape.name ?? signer.name,
    title,
    headers: headerNames,
    secretFormat: signer.secretFormat,
    signsTimestamp: timestamp?.window === true,
    ...(signsUrl ? { signsUrl } : {}),
    ...(shape.tolerance === undefined ? {} : { tolerance: positive(shape.tolerance) }),
    parseSecret: secret => signer.parseSecret(secret),
    generateSecret: () => signer.generateSecret(),
    ...(signer.generateKeyPair === undefined ? {} : { generateKeyPair: signer.generateKeyPair }),
    claims: secret => signer.claims(secret),
    verify,
    ...(streams ? { begin } : {}),
    precheck,
    sign,
    ...(timestamp?.field === undefined ? {} : { stamp: stamper(timestamp.field, timestamp.format) }),
    ...(maxSignatures > 1 ? { maxSignatures } : {}),
    ...(signer.mistakenKeys === undefined ? {} : { mistakenKeys: signer.mistakenKeys })
  }
}

interface Stamp {
  header: string | undefined
  entry: string | undefined
  field: string | undefined
  format: TimestampFormat
  window: boolean
  /** what a refusal calls it */
  where: string
}

function stampOf (shape: SchemeShape, uses: ReadonlySet<string>): Stamp | undefined {
  const option = shape.timestamp
  const signed = uses.has('timestamp')
  if (option === undefined) {
    if (signed) throw new TypeError('signed content has {timestamp}: say where it is with the "timestamp" option')
    return undefined
  }
  const { header, entry, field, format = 'seconds', window = true } = option
  if ([header, entry, field].filter(where => where !== undefined).length !== 1) {
    throw new TypeError(
      'option "timestamp" takes one of "header" (its own header), "entry" (in the signature\'s) or ' +
      '"field" (of the body)'
    )
  }
  // A timestamp the signature does not cover could be changed at will: no defence against replays at all.
  if (field === undefined ? !signed : signed || !uses.has('body')) {
    throw new TypeError(
      field === undefined
        ? 'option "timestamp": the signed content must have {timestamp}'
        : 'option "timestamp.field": the timestamp is signed as part of the body: the signed content must have ' +
          '{body}, and no {timestamp}'
    )
  }
  if (field !== undefined && (typeof field !== 'string' || field === '')) {
    throw new TypeError('option "timestamp.field" must be the name of a field of the body')
  }
  if (!Object.hasOwn(FORMAT_TITLES, format)) {
    throw new TypeError(`option "timestamp.format" must be one of ${Object.keys(FORMAT_TITLES).join(', ')}`)
  }
  const name = header === undefined ? undefined : headerName(header)
  const list = 'entries' in shape.signature ? headerName(shape.signature.header) : ''
  return {
    header: name,
    entry,
    field,
    format,
    window: window !== false,
    where: name ?? (entry === undefined ? `the body's ${field!}` : `the ${entry} entry of ${list}`)
  }
}

/**
 * The signed timestamp a verified body carries in its `field`, in seconds, or why it is refused, with the reasons of
 * a timestamp header: absent, not of its format, outside the window. A body that is not JSON has none to read and
 * verifies without one: the route refuses it as not JSON before any event is made of it.
 */
function fieldStamp (stamp: Stamp, body: Buffer, context: VerifyContext): number | Rejection | undefined {
  let payload: unknown
  try {
    payload = JSON.parse(body.toString('utf8'))
  } catch {
    return undefined
  }
  const value = typeof payload === 'object' && payload !== null && !Array.isArray(payload)
    ? (payload as Record<string, unknown>)[stamp.field!]
    : undefined
  if (value === undefined || value === null) return reject('missing-signature', `the body has no ${stamp.field!} field`)
  const text = typeof value === 'number' ? String(value) : stamp.format === 'rfc3339' ? value : undefined
  const seconds = typeof text === 'string' && text.length <= MAX_STAMP ? readTimestamp(text, stamp.format) : undefined
  if (seconds === undefined) {
    return reject('malformed-signature', `${stamp.where} is not ${FORMAT_TITLES[stamp.format]}`)
  }
  return (stamp.window ? outsideWindow(seconds, context) : undefined) ?? seconds
}

/** Writes the timestamp into a payload's field, in the field's format (a number, but for RFC 3339). */
function stamper (field: string, format: TimestampFormat) {
  return (payload: Record<string, unknown>, seconds: number): Record<string, unknown> => {
    const text = writeTimestamp(seconds, format)
    return { ...payload, [field]: format === 'rfc3339' ? text : Number(text) }
  }
}

function idOf (shape: SchemeShape, signed: boolean): string | undefined {
  if (shape.id === undefined) {
    if (signed) throw new TypeError('signed content has {id}: say where it is with the "id" option')
    return undefined
  }
  // An id the signature does not cover would let a replay through deduplication under a new id.
  if (!signed) throw new TypeError('option "id": the signed content must have {id}')
  return headerName(shape.id.header)
}

function urlPortOf (shape: SchemeShape, signsUrl: boolean): boolean {
  const { urlPort = 'exact' } = shape
  if (urlPort !== 'exact' && urlPort !== 'either') throw new TypeError('option "urlPort" must be "exact" or "either"')
  if (urlPort === 'either' && !signsUrl) throw new TypeError('option "urlPort": the signed content must have {url}')
  return urlPort === 'either'
}

function positive (tolerance: unknown): number {
  if (typeof tolerance !== 'number' || !(tolerance > 0) || !Number.isFinite(tolerance)) {
    throw new TypeError('option "tolerance" must be a positive number of seconds')
  }
  return tolerance
}
