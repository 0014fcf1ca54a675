import type { ProviderName } from '../../plugins/registry.js'
import { HEX_SECRET, SW_SECRET, ed25519Hex, p256Base64 } from './sign.js'

/**
 * A secret for every shipped provider, in its own format, and what a sender signs with: the same secret, or, for
 * the senders that sign with a key pair (the receiver holds the public key), the secret half of a new pair.
 */
export function registrySecrets (): { secrets: Record<ProviderName, string>, signing: (name: ProviderName) => string } {
  const pairs: Partial<Record<ProviderName, { secretKey: string, publicKey: string }>> = {
    discord: ed25519Hex(),
    sendgrid: p256Base64()
  }
  const secrets: Record<ProviderName, string> = {
    autotab: HEX_SECRET,
    autosana: HEX_SECRET,
    cyberdesk: SW_SECRET,
    retab: HEX_SECRET,
    pulse: SW_SECRET,
    stripe: 'whsec_test-stripe-secret',
    github: HEX_SECRET,
    slack: HEX_SECRET,
    shopify: HEX_SECRET,
    paddle: 'pdl_ntfset_01hv8wt8nffez4p2t6typn4a5j_test-paddle-secret',
    gitlab: HEX_SECRET,
    discord: pairs.discord!.publicKey,
    sendgrid: pairs.sendgrid!.publicKey,
    twitch: HEX_SECRET,
    square: HEX_SECRET,
    twilio: HEX_SECRET,
    linear: HEX_SECRET
  }
  return { secrets, signing: name => pairs[name]?.secretKey ?? secrets[name] }
}
