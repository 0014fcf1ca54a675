import { UsageError, type CommandInput } from './io.js'

/** `secret <provider>`: a new secret in the provider's format, alone on stdout (so `$(...)` takes it). */
export async function newSecret ({ provider, positionals, io }: CommandInput<object>): Promise<number> {
  if (positionals.length > 0) throw new UsageError(`secret takes only a provider, not "${positionals.join(' ')}"`)
  io.out(provider.scheme.generateSecret())
  return 0
}
