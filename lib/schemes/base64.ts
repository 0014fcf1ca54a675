const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

/**
 * The bytes of `encoded` when it is canonical base64 (what encoding those bytes gives back), else null:
 * Buffer.from skips characters it does not know, so a secret with a typo would otherwise decode quietly.
 */
export function canonicalBase64 (encoded: string): Buffer | null {
  const bytes = Buffer.from(encoded, 'base64')
  return BASE64.test(encoded) && bytes.toString('base64') === encoded ? bytes : null
}
