/**
 * What the CLI's usage says of the shipped providers, so that `--help` (and `stats`) load none of them: their
 * schemas are most of the package's import time. test/cli.test.ts holds these lists to plugins/registry.ts; a
 * provider added there is added here too.
 */
export const shipped = {
  names: [
    'autotab',
    'autosana',
    'cyberdesk',
    'retab',
    'pulse',
    'stripe',
    'github',
    'slack',
    'shopify',
    'paddle',
    'gitlab',
    'discord',
    'sendgrid',
    'twitch',
    'square',
    'twilio',
    'linear'
  ],
  /** the ones whose scheme signs a timestamp (`--stale`) */
  timed: ['cyberdesk', 'pulse', 'stripe', 'slack', 'paddle', 'discord', 'sendgrid', 'twitch', 'linear'],
  /** the ones whose scheme has key pairs (`secret --ed25519`; SendGrid's are ECDSA P-256) */
  keyPairs: ['cyberdesk', 'pulse', 'discord', 'sendgrid'],
  /** the ones whose scheme signs the URL (`verify --url`) */
  urlSigned: ['square', 'twilio'],
  /** the ones whose deliveries may carry several signatures (rotation) */
  severalSignatures: ['cyberdesk', 'pulse', 'stripe', 'paddle']
}
