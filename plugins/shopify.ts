import { hmac } from '../lib/schemes/index.js'
import { headerValue, type Headers } from '../lib/schemes/scheme.js'
import { shopifyEvents } from '../schemas/plain/shopify.js'
import type { EventSchemas } from '../lib/core/provider.js'
import { preset, type PresetOptions } from '../lib/fastify/preset.js'
import type { EventFor, EventTypeFor, HandlersFor } from '../lib/fastify/types.js'

/**
 * Shopify: `X-Shopify-Hmac-Sha256: <base64>`, HMAC-SHA256 of the raw body keyed with the app's client secret as
 * UTF-8. Shopify's newer event subscriptions send the same headers without `X-` (`shopify-hmac-sha256`), as
 * @shopify/shopify-api reads them: either is taken.
 */
export const shopifyScheme = hmac({
  name: 'shopify',
  title: 'Shopify',
  encoding: 'base64',
  signature: { header: ['x-shopify-hmac-sha256', 'shopify-hmac-sha256'] }
})

/** A Shopify header, `X-Shopify-<name>` or, on an event subscription's delivery, `shopify-<name>`. */
function shopifyHeader (headers: Headers, name: string): string | undefined {
  return headerValue(headers, `x-shopify-${name}`) ?? headerValue(headers, `shopify-${name}`)
}

/** The shop and the API version the kit and `send` say they come from: a development store's, the SDK's latest. */
const SHOP = 'example.myshopify.com'
const API_VERSION = '2026-10'

/** `defineShopify`'s options: another name, more (or other) topic schemas. */
export type ShopifyOptions<N extends string, E extends EventSchemas> = PresetOptions<N, E>

/** A Shopify receiver with more (or other) topic schemas than the ones shipped: `defineShopify({ events })`. */
export const defineShopify = preset({
  name: 'shopify',
  title: 'Shopify',
  scheme: shopifyScheme,
  events: shopifyEvents,
  // The topic (`orders/create`) is a header, outside the signature: a delivery without one is refused.
  typeOf: (_payload, { headers }) => shopifyHeader(headers, 'topic'),
  requiresType: true,
  // The event's id, the same for each subscription it is sent to and on each retry; else the delivery's.
  idOf: (_payload, { headers }) => shopifyHeader(headers, 'event-id') ?? shopifyHeader(headers, 'webhook-id'),
  senderHeaders: ({ type, id }) => ({
    'x-shopify-topic': type,
    'x-shopify-shop-domain': SHOP,
    'x-shopify-api-version': API_VERSION,
    'x-shopify-webhook-id': id,
    'x-shopify-event-id': id,
    'x-shopify-triggered-at': new Date().toISOString()
  }),
  sample: { type: 'orders/create' }
})

export const shopify = defineShopify()

/** A verified Shopify event: the union of all topics, or `ShopifyEvent<'orders/paid'>` the event of that topic. */
export type ShopifyEvent<T extends EventTypeFor<typeof shopify> = EventTypeFor<typeof shopify>> = EventFor<
  typeof shopify,
  T
>
/** The `on` option: one handler per Shopify topic (the `X-Shopify-Topic` header's value). */
export type ShopifyHandlers = HandlersFor<typeof shopify>

declare module 'fastify' {
  interface FastifyWebhookProviders { shopify: ShopifyEvent }
}
// A provider this package ships: the testing kit has its samples. (An export, so that the .d.ts keeps the module.)
export type {} from '../lib/testing/types.js'
declare module '../lib/testing/types.js' {
  interface ShippedProviders { shopify: true }
}

export default shopify
