import { randomBytes } from 'node:crypto'
import { stringField } from '../lib/core/fields.js'
import { hmacHex } from '../lib/schemes/hmac-hex.js'
import { autotabEvents } from '../schemas/plain/autotab.js'
import { defineProvider } from '../lib/fastify/define-provider.js'
import type { EventFor, EventTypeFor, HandlersFor } from '../lib/fastify/types.js'

/** Autotab: HMAC-SHA256 hex of the body in `Autotab-Signature`; the event type is the run session's `state`. */
export const autotab = defineProvider({
  name: 'autotab',
  title: 'Autotab',
  scheme: hmacHex({ headers: ['autotab-signature'] }),
  events: autotabEvents,
  typeOf: payload => stringField(payload, 'state'),
  // The same session is delivered once per state change: id and state together name one event.
  idOf: payload => {
    const id = stringField(payload, 'id')
    return id === undefined ? undefined : `${id}:${stringField(payload, 'state') ?? ''}`
  },
  sample: { type: 'finish', fresh: session => ({ ...session, id: `rs_${randomBytes(10).toString('hex')}` }) }
})

/** A verified Autotab event: the union of all types, or `AutotabEvent<'finish'>` the event of that type. */
export type AutotabEvent<T extends EventTypeFor<typeof autotab> = EventTypeFor<typeof autotab>> = EventFor<
  typeof autotab,
  T
>
/** The `on` option: one handler per Autotab event type. */
export type AutotabHandlers = HandlersFor<typeof autotab>

declare module 'fastify' {
  interface FastifyWebhookProviders { autotab: AutotabEvent }
}
// A provider this package ships: the testing kit has its samples. (An export, so that the .d.ts keeps the module.)
export type {} from '../lib/testing/types.js'
declare module '../lib/testing/types.js' {
  interface ShippedProviders { autotab: true }
}

export default autotab
