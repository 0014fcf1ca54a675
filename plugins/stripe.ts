import { randomBytes } from 'node:crypto'
import { stringField } from '../lib/core/fields.js'
import type { EventSchemas } from '../lib/core/provider.js'
import { hmac } from '../lib/schemes/index.js'
import { withEvents } from '../schemas/common.js'
import { stripeEvents } from '../schemas/stripe.js'
import { defineProvider } from '../lib/fastify/define-provider.js'
import type { EventFor, EventTypeFor, HandlersFor } from '../lib/fastify/types.js'

export { stripeEvent } from '../schemas/stripe.js'

/**
 * Stripe: `Stripe-Signature: t=<unix>,v1=<hex>` over `<t>.<body>`, HMAC-SHA256 keyed with the whole `whsec_…`
 * string as UTF-8 (not base64-decoded, unlike Standard Webhooks). Several `v1` entries come while Stripe rolls a
 * secret. The type and the id (`evt_…`, the same on every retry) are the body's.
 */
export const stripeScheme = hmac({
  name: 'stripe',
  title: 'Stripe',
  signed: '{timestamp}.{body}',
  signature: { header: 'stripe-signature', entries: { separator: ',', assign: '=', signature: 'v1' } },
  timestamp: { entry: 't' },
  secret: { prefix: 'whsec_' }
})

export interface StripeOptions<N extends string, E extends EventSchemas> {
  /** Default `stripe`: the path `/webhooks/<name>` and `request.webhook.provider`. */
  name?: N
  /**
   * Schemas of more event types, or your own for one of ours (yours win): `{ 'charge.refunded': stripeEvent(
   * 'charge.refunded', MyCharge, example) }`.
   */
  events?: E
}

/** A Stripe receiver with more (or other) event schemas than the ones shipped: `defineStripe({ events })`. */
export function defineStripe<const N extends string = 'stripe', const E extends EventSchemas = {}> (
  options: StripeOptions<N, E> = {}
) {
  return defineProvider({
    name: (options.name ?? 'stripe') as N,
    title: 'Stripe',
    scheme: stripeScheme,
    events: withEvents(stripeEvents, options.events),
    typeOf: payload => stringField(payload, 'type'),
    idOf: payload => stringField(payload, 'id'),
    sample: {
      type: 'checkout.session.completed',
      fresh: event => ({ ...event, id: `evt_${randomBytes(12).toString('hex')}` })
    }
  })
}

export const stripe = defineStripe()

/** A verified Stripe event: the union of all types, or `StripeEvent<'invoice.paid'>` the event of that type. */
export type StripeEvent<T extends EventTypeFor<typeof stripe> = EventTypeFor<typeof stripe>> = EventFor<
  typeof stripe,
  T
>
/** The `on` option: one handler per Stripe event type. */
export type StripeHandlers = HandlersFor<typeof stripe>

declare module 'fastify' {
  interface FastifyWebhookProviders { stripe: StripeEvent }
}
// A provider this package ships: the testing kit has its samples. (An export, so that the .d.ts keeps the module.)
export type {} from '../lib/testing/types.js'
declare module '../lib/testing/types.js' {
  interface ShippedProviders { stripe: true }
}

export default stripe
