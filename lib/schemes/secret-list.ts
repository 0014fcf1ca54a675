import type { SignatureScheme } from './scheme.js'

/**
 * The keys of a list of secrets (several while rotating), each read by the scheme. Throws a TypeError
 * that names the secret at fault through `nameOf(index)`: the option, or the tenant whose lookup gave it.
 */
export function parseSecrets (
  scheme: Pick<SignatureScheme, 'parseSecret'>,
  secrets: readonly unknown[],
  nameOf: (index: number) => string
): unknown[] {
  return secrets.map((secret, i) => {
    if (typeof secret !== 'string') throw new TypeError(`${nameOf(i)} must be a string`)
    // For every scheme alike: whitespace at an end is a copy-paste slip or a file's newline, never a secret's.
    if (secret.trim() !== secret) throw new TypeError(`${nameOf(i)} has whitespace at the start or end`)
    try {
      return scheme.parseSecret(secret)
    } catch (err) {
      throw new TypeError(`${nameOf(i)} ${(err as Error).message}`)
    }
  })
}
