/**
 * The plain shared token: the sender puts the secret itself in a header (GitLab's `X-Gitlab-Token`). No signature of
 * the body, so no defence against a replay or a changed body: deduplication is all there is.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import {
  MAX_SIGNATURE_HEADER, headerValue, noneMatched, reject, secretsToSign,
  type Headers, type Rejection, type SignatureScheme, type Verification
} from './scheme.js'
import { secretReader } from './secret-format.js'
import { headerName } from './signature-header.js'

export interface SharedTokenOptions {
  /** The header the token is sent in. */
  header: string
  /** The sender's tokens start with this (refused without it at registration). */
  prefix?: string | undefined
  name?: string | undefined
  title?: string | undefined
}

const OK: Verification<object> = { ok: true, id: undefined, meta: {} }

/** SHA-256 of a token: compared in constant time whatever the lengths, which are then not told either. */
function digest (token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest()
}

/** A header that must equal the secret: `sharedToken({ header: 'x-gitlab-token' })`. */
export function sharedToken (options: SharedTokenOptions): SignatureScheme<Buffer, object> {
  const name = headerName(options?.header)
  const secret = secretReader(options.prefix === undefined ? {} : { prefix: options.prefix })
  const title = options.title ?? 'Shared token'

  function token (headers: Headers): string | Rejection {
    const value = headerValue(headers, name)
    if (value === undefined) return reject('missing-signature', `no single ${name} header`)
    if (value.length > MAX_SIGNATURE_HEADER) return reject('malformed-signature', `${name} header too long`)
    return value
  }

  function verify (keys: readonly Buffer[], headers: Headers): Verification<object> {
    const received = token(headers)
    if (typeof received !== 'string') return received
    const hash = digest(received)
    let matched = false
    // Every key compared, so the time does not tell which one matched.
    for (const key of keys) matched = timingSafeEqual(hash, key) || matched
    return matched ? OK : noneMatched(1, keys.length)
  }

  return {
    name: options.name ?? 'shared-token',
    title,
    headers: [name],
    secretFormat: secret.description,
    signsTimestamp: false,
    signsBody: false,
    // The UTF-8 check of any secret, then the digest compared against.
    parseSecret: each => digest(secret.bytes(each).toString('utf8')),
    generateSecret: secret.generate,
    claims: secret.claims,
    verify,
    precheck: headers => {
      const received = token(headers)
      return typeof received === 'string' ? undefined : received
    },
    sign: each => ({ [name]: secretsToSign(each, { title })[0] })
  }
}
