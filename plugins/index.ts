/** fastify-webhooks: verified, typed, exactly-once webhook receivers for Fastify. */
export { autotab, type AutotabEvent, type AutotabHandlers } from './autotab.js'
export { autosana, type AutosanaEvent, type AutosanaHandlers } from './autosana.js'
export { cyberdesk, type CyberdeskEvent, type CyberdeskHandlers } from './cyberdesk.js'
export {
  dropFileUrl,
  retab,
  type RetabEvent,
  type RetabExtraction,
  type RetabHandlers,
  type RetabOptions,
  type RetabTypes
} from './retab.js'
export { pulse, type PulseEvent, type PulseHandlers } from './pulse.js'
export {
  defineDiscord,
  discord,
  discordScheme,
  type DiscordEvent,
  type DiscordHandlers,
  type DiscordOptions
} from './discord.js'
export {
  defineGitHub,
  github,
  githubScheme,
  type GitHubEvent,
  type GitHubHandlers,
  type GitHubOptions
} from './github.js'
export {
  defineShopify,
  shopify,
  shopifyScheme,
  type ShopifyEvent,
  type ShopifyHandlers,
  type ShopifyOptions
} from './shopify.js'
export {
  defineLinear,
  linear,
  linearScheme,
  type LinearEvent,
  type LinearHandlers,
  type LinearOptions
} from './linear.js'
export {
  definePaddle,
  paddle,
  paddleScheme,
  type PaddleEvent,
  type PaddleHandlers,
  type PaddleOptions
} from './paddle.js'
export {
  defineGitLab,
  gitlab,
  gitlabScheme,
  type GitLabEvent,
  type GitLabHandlers,
  type GitLabOptions
} from './gitlab.js'
export {
  defineSendGrid,
  sendgrid,
  sendgridScheme,
  type SendGridEvent,
  type SendGridHandlers,
  type SendGridOptions
} from './sendgrid.js'
export {
  defineSlack,
  slack,
  slackScheme,
  type SlackEvent,
  type SlackHandlers,
  type SlackOptions
} from './slack.js'
export {
  defineSquare,
  square,
  squareScheme,
  type SquareEvent,
  type SquareHandlers,
  type SquareOptions
} from './square.js'
export {
  defineStripe,
  stripe,
  stripeEvent,
  stripeScheme,
  type StripeEvent,
  type StripeHandlers,
  type StripeOptions
} from './stripe.js'
export {
  defineTwilio,
  twilio,
  twilioScheme,
  type TwilioEvent,
  type TwilioHandlers,
  type TwilioOptions
} from './twilio.js'
export {
  defineTwitch,
  twitch,
  twitchScheme,
  type TwitchEvent,
  type TwitchHandlers,
  type TwitchOptions
} from './twitch.js'
export { defineProvider } from '../lib/fastify/define-provider.js'
export {
  defineStandardWebhooks,
  type AnyEvents,
  type StandardWebhooksOptions,
  type StandardWebhooksSpec
} from './standard-webhooks.js'
export type {
  EventFor,
  EventHandlers,
  EventOf,
  EventOfType,
  EventSchemas,
  EventTypeFor,
  EventTypeOf,
  HandlersFor,
  HandlersOf,
  IdempotencyOptions,
  ProviderOptions,
  ProviderSpec,
  ReceiverOptions,
  SecretLookup,
  SecretOptions,
  TenantOptions,
  UnknownEventOf,
  WebhookHandler,
  WebhookHandlers,
  WebhookPlugin,
  WebhookSecret
} from '../lib/fastify/types.js'
export type { DeliveryContext, HandshakeAnswer } from '../lib/core/provider.js'
export {
  byContentType, formBody, jsonBody, jsonInForm, type BodyFormat, type ParseOptions
} from '../lib/core/body-format.js'
export { field, stringField, stringAt } from '../lib/core/fields.js'
export { SecretCache, SecretCacheTimeoutError, type SecretCacheOptions } from '../lib/tenants/secret-cache.js'
export {
  MemoryStore,
  type ClaimResult,
  type IdempotencyStore,
  type MemoryStoreOptions
} from '../lib/stores/idempotency.js'
export { hmacHex, signHex, type HmacHexOptions } from '../lib/schemes/hmac-hex.js'
export {
  standardWebhooks,
  signStandard,
  generateStandardSecret,
  type StandardMeta
} from '../lib/schemes/standard-webhooks.js'
export { headerValue } from '../lib/schemes/scheme.js'
export { schemaFailure, type SchemaFailure } from '../lib/core/schema-failure.js'
export type {
  Headers,
  MistakenKey,
  RejectReason,
  SignatureScheme,
  SignOptions,
  Verification,
  VerifyContext
} from '../lib/schemes/scheme.js'
export * from '../lib/core/errors.js'
export {
  CHANNELS,
  subscribeWebhooks,
  type WebhookListeners,
  type DeliveryMessage,
  type DuplicateMessage,
  type FailedMessage,
  type HandledMessage,
  type JobInfo,
  type QueuedMessage,
  type RefusedMessage
} from '../lib/observe/channels.js'
