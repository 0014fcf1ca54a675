import { autosana } from './autosana.js'
import { autotab } from './autotab.js'
import { cyberdesk } from './cyberdesk.js'
import { pulse } from './pulse.js'
import { retab } from './retab.js'
import type { SignOptions, SignatureScheme } from '../lib/scheme.js'

/** The providers this package ships, by name. */
export const providers = { autotab, autosana, cyberdesk, retab, pulse }
export type ProviderName = keyof typeof providers

export interface SignedDelivery {
  headers: Record<string, string>
  /** the exact bytes that were signed, as a string; send it as is */
  body: string
}

/**
 * A delivery signed as the provider would sign it, ready for `app.inject()` or `fetch`.
 * `provider` is a shipped provider's name, or any plugin made by `defineProvider`.
 */
export function sign (
  provider: ProviderName | { provider: { scheme: SignatureScheme<unknown, object> } },
  payload: unknown,
  options: SignOptions & { secret: string }
): SignedDelivery {
  const { scheme } = (typeof provider === 'string' ? providers[provider] : provider).provider
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload)
  return {
    headers: { 'content-type': 'application/json', ...scheme.sign(options.secret, body, options) },
    body
  }
}

export { fixtures } from '../lib/fixtures.js'
