/** The HMAC block: any digest and encoding over any signed content, keyed by a shared secret. */
import { createHmac, type Hmac, type KeyObject } from 'node:crypto'
import { anyMatch, type SignatureScheme } from './scheme.js'
import { secretReader } from './secret-format.js'
import type { Digest, Encoding, MetaOfShape, SchemeShape, SecretFormat } from './shape.js'
import { shapedScheme, type Content } from './shaped-scheme.js'
import { feed, feedAfterBody, feedBeforeBody } from './signed-content.js'

export interface HmacOptions extends SchemeShape {
  /** Default `sha256`. */
  digest?: Digest | undefined
  /** Of the signature: default `hex` (lowercase). */
  encoding?: Encoding | undefined
  /** How a secret becomes the key. Default: the whole string as its UTF-8 bytes. */
  secret?: SecretFormat | undefined
}

const DIGESTS: readonly string[] = ['sha1', 'sha256', 'sha512']
const ENCODINGS: readonly string[] = ['hex', 'base64']

/**
 * A scheme that signs with an HMAC: `hmac({ signature: { header: 'x-hub-signature-256', prefix: 'sha256=' } })` is
 * GitHub's. See docs/schemes.md for every option, and a recipe per provider.
 */
export function hmac<const O extends HmacOptions> (options: O): SignatureScheme<KeyObject, MetaOfShape<O>>
export function hmac (options: HmacOptions): SignatureScheme<KeyObject, object> {
  const { digest = 'sha256', encoding = 'hex' } = options ?? {}
  if (!DIGESTS.includes(digest)) throw new TypeError(`option "digest" must be one of ${DIGESTS.join(', ')}`)
  if (!ENCODINGS.includes(encoding)) throw new TypeError(`option "encoding" must be one of ${ENCODINGS.join(', ')}`)
  const secret = secretReader(options?.secret)

  // Made once per scheme: verifying a request makes no function.
  function expected (key: KeyObject | Buffer, content: Content): string {
    return feed(createHmac(digest, key), content.signed, content).digest(encoding)
  }

  function finished (hash: Hmac, content: Content): string {
    return feedAfterBody(hash, content.signed, content).digest(encoding)
  }

  return shapedScheme<KeyObject>(options, {
    name: `hmac-${digest}-${encoding}`,
    title: `HMAC-${digest.toUpperCase()} ${encoding}`,
    secretFormat: secret.description,
    parseSecret: secret.key,
    generateSecret: secret.generate,
    claims: secret.claims,
    ...(options?.secret?.prefix === undefined ? {} : { mistakenKeys: secret.mistakenKeys }),
    matches: (keys, received, content) => anyMatch(keys, received, expected, content),
    stream (keys, content) {
      // One HMAC per key, all fed each chunk: rotation costs a hash per secret, as it does in `matches`.
      const hashes = keys.map(key => feedBeforeBody(createHmac(digest, key), content.signed, content))
      return {
        update (chunk) { for (const hash of hashes) hash.update(chunk) },
        matches: received => anyMatch(hashes, received, finished, content)
      }
    },
    sign: (each, content) => expected(secret.bytes(each), content)
  })
}
