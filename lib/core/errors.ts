import createError from '@fastify/error'
import { refusal } from './refusal.js'

/**
 * Every answer the plugins give other than 2xx, made once with a fixed code
 * and status. Messages are fixed text: never a secret, signature or payload
 * (an invalid payload's message names the path and the rule, lib/core/schema-failure.ts).
 */
export const WebhookMissingSignatureError = refusal(
  'WEBHOOK_MISSING_SIGNATURE',
  'The webhook signature headers are missing',
  401
)
export const WebhookMalformedSignatureError = refusal(
  'WEBHOOK_MALFORMED_SIGNATURE',
  'The webhook signature headers are malformed',
  401
)
export const WebhookTimestampError = refusal(
  'WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE',
  'The webhook timestamp is outside the allowed window',
  401
)
export const WebhookInvalidSignatureError = refusal(
  'WEBHOOK_INVALID_SIGNATURE',
  'The webhook signature does not match',
  401
)
export const WebhookEmptyBodyError = refusal('WEBHOOK_EMPTY_BODY', 'The webhook request has no body', 400)
export const WebhookInvalidJsonError = refusal('WEBHOOK_INVALID_JSON', 'The webhook body is not valid JSON', 400)
export const WebhookInvalidFormError = refusal(
  'WEBHOOK_INVALID_FORM',
  'The webhook body is not a form of UTF-8 text',
  400
)
export const WebhookInvalidPayloadError = refusal(
  'WEBHOOK_INVALID_PAYLOAD',
  'The webhook payload does not match the schema of its event type at %s: %s',
  400
)
export const WebhookUnreadablePayloadError = refusal(
  'WEBHOOK_UNREADABLE_PAYLOAD',
  'The webhook payload has no readable event type or id',
  400
)
/** A provider whose type must be present (`ProviderSpec.requiresType`): a delivery without one. */
export const WebhookMissingTypeError = refusal(
  'WEBHOOK_MISSING_TYPE',
  'The webhook delivery does not say its event type',
  400
)
export const WebhookInFlightError = refusal(
  'WEBHOOK_IN_FLIGHT',
  'This webhook event is being handled by another request; retry later',
  409
)
export const WebhookHandlerError = createError(
  'WEBHOOK_HANDLER_FAILED',
  'The webhook handler failed; the event was not marked as handled',
  500
)
export const WebhookStoreError = createError(
  'WEBHOOK_STORE_UNAVAILABLE',
  'The idempotency store is unavailable; retry later',
  500
)
/**
 * The lease is lost (`claim` in the name and the code means the lease): a transactional store's lease on the event
 * ran out and another run took it, so the transaction was rolled back.
 */
export const WebhookClaimLostError = refusal(
  'WEBHOOK_CLAIM_LOST',
  'The claim on this webhook event ran out and another request took it; the transaction was rolled back',
  409
)
export const WebhookBufferFullError = refusal(
  'WEBHOOK_BUFFER_FULL',
  'The webhook receiver is holding as many request bodies as it may; retry later',
  503
)
export const WebhookSecretLookupError = createError(
  'WEBHOOK_SECRET_UNAVAILABLE',
  'The webhook secret could not be looked up; retry later',
  500
)
export const WebhookQueueError = createError(
  'WEBHOOK_QUEUE_UNAVAILABLE',
  'The webhook queue did not take the event; retry later',
  500
)

export const rejectionErrors = {
  'missing-signature': WebhookMissingSignatureError,
  'malformed-signature': WebhookMalformedSignatureError,
  'timestamp-outside-tolerance': WebhookTimestampError,
  'invalid-signature': WebhookInvalidSignatureError
} as const
