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
    try {
      return scheme.parseSecret(secret)
    } catch (err) {
      throw new TypeError(`${nameOf(i)} ${(err as Error).message}`)
    }
  })
}
