import { createHmac, type KeyObject } from 'node:crypto'
import { hmac } from './hmac.js'
import type { SignatureScheme } from './scheme.js'

export { parsePlainSecret } from './plain-secret.js'

/** HMAC-SHA256 of the raw body, lowercase hex. */
export function signHex (secret: string | Buffer | KeyObject, body: Buffer | string): string {
  return createHmac('sha256', secret).update(body).digest('hex')
}

export interface HmacHexOptions {
  /** Header names to read, lowercase, in order of preference; a signature in any of them may match. */
  headers: readonly string[]
  /** Text the header value starts with before the hex, e.g. `sha256=`. */
  prefix?: string | undefined
}

/**
 * HMAC-SHA256 over the raw body, hex, in one of a few headers: the scheme of most providers that sign without a
 * timestamp. The `hmac` block with its defaults.
 */
export function hmacHex (options: HmacHexOptions): SignatureScheme<KeyObject, object> {
  return hmac({
    name: 'hmac-sha256-hex',
    signature: { header: options.headers, prefix: options.prefix }
  })
}
