import { randomBytes } from 'node:crypto'
import { STANDARD_WEBHOOKS, generateStandardSecret } from '../lib/standard-webhooks.js'
import { providers } from '../plugins/testing.js'
import { UsageError, type CommandInput } from './io.js'

/** `secret <provider>`: a new secret in the provider's format, alone on stdout (so `$(...)` takes it). */
export async function newSecret ({ provider, positionals, io }: CommandInput<object>): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`secret takes only a provider, not "${positionals.join(' ')}"`)
  const { scheme } = providers[provider].provider
  // Standard Webhooks: whsec_ + base64 of 24 random bytes; the hex schemes take any string: 32 random bytes in hex.
  const secret = scheme.name === STANDARD_WEBHOOKS ? generateStandardSecret() : randomBytes(32).toString('hex')
  io.out(secret)
  return 0
}
