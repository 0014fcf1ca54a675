import { UsageError, type CommandInput } from './io.js'

export const secretOptions = {
  ed25519: { type: 'boolean' }
} as const

/**
 * `secret <provider>`: a new secret in the provider's format, alone on stdout (so `$(...)` takes it). With
 * --ed25519, a key pair where the scheme has one: the secret key (the sender's) on the first line, the public
 * key (the receiver's `secret`) on the second.
 */
export async function newSecret ({
  provider,
  positionals,
  values,
  io
}: CommandInput<{ ed25519?: boolean }>): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`secret takes only a provider, not "${positionals.join(' ')}"`)
  if (values.ed25519 !== true) {
    io.out(provider.scheme.generateSecret())
    return 0
  }
  const pair = provider.scheme.generateKeyPair?.()
  if (pair === undefined) {
    throw new UsageError(`--ed25519: ${provider.name} signs with ${provider.scheme.title}, which has no key pairs`)
  }
  io.out(pair.secretKey)
  io.out(pair.publicKey)
  return 0
}
