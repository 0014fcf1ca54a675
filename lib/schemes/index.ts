/**
 * `fastify-webhooks/schemes`: the building blocks of signature schemes. Each gives a whole `SignatureScheme` for a
 * provider's `scheme`, so describing a sender takes no crypto of your own (docs/schemes.md).
 */
export { hmac, type HmacOptions } from './hmac.js'
export { ecdsa, ed25519, type EcdsaOptions, type Ed25519Options } from './public-key.js'
export { sharedToken, type SharedTokenOptions } from './shared-token.js'
export { hmacHex, type HmacHexOptions } from './hmac-hex.js'
export { standardWebhooks, type StandardMeta, type StandardWebhooksOptions } from './standard-webhooks.js'
export type {
  Digest,
  Encoding,
  IdHeader,
  PublicKeyFormat,
  SchemeShape,
  SecretFormat,
  SignatureEntries,
  SignatureHeader,
  TimestampHeader,
  TimestampMeta
} from './shape.js'
export { MAX_SIGNATURES, MAX_SIGNATURE_HEADER, headerValue, reject } from './scheme.js'
export { safeEqual } from './safe-equal.js'
export type {
  Headers,
  MistakenKey,
  RejectReason,
  Rejection,
  SignOptions,
  SignatureScheme,
  Verification,
  VerifyContext
} from './scheme.js'
