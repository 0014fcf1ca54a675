/** A plain secret string, used as its UTF-8 bytes. Whitespace at either end is almost always a copy-paste slip. */
export function parsePlainSecret (secret: string): Buffer {
  if (secret.length === 0) throw new TypeError('must be a non-empty string')
  if (secret.trim() !== secret) throw new TypeError('has whitespace at the start or end')
  return Buffer.from(secret, 'utf8')
}
