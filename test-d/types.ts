/**
 * Type tests: checked by `tsc` (npm run typecheck), never run. Each
 * `@ts-expect-error` must be an error, or tsc fails ("unused directive").
 */
import Fastify from 'fastify'
import type { Static } from 'typebox'
import Type from 'typebox'
import {
  SecretCache,
  autosana,
  autotab,
  cyberdesk,
  defineProvider,
  hmacHex,
  pulse,
  retab,
  type AutotabEvent,
  type AutotabHandlers,
  type CyberdeskEvent,
  type EventFor,
  type EventHandlers,
  type EventTypeFor,
  type HandlersFor,
  type PulseEvent,
  type PulseHandlers,
  type RetabEvent,
  type WebhookSecret
} from '../plugins/index.js'
import type { EventHandlers as BullmqEventHandlers } from '../lib/queue/worker.js'
import {
  pulse as pulseOnly,
  type PulseEvent as PulseEventOnly,
  type PulseHandlers as PulseHandlersOnly
} from '../plugins/pulse.js'
import defaultPulse from '../plugins/pulse.js'
import { sign, fixtures } from '../lib/testing/kit.js'
import { defineStandardWebhooks } from '../plugins/standard-webhooks.js'
import type { ProviderOptions } from '../plugins/index.js'
import type { receiverOptions } from '../lib/fastify/options.js'
import type { QueueOption, WebhookQueue, WebhookWorkerOptions, WorkerEvent } from '../lib/queue/worker.js'
import type { workerOptions } from '../lib/queue/worker-options.js'
import type { queueOptions } from '../lib/queue/sink.js'
import type { ReplayOptions } from '../lib/stores/postgres-entry.js'
import type { replayOptions } from '../lib/stores/replay-options.js'
import type { KitHandlers } from '../lib/testing/kit.js'
import type { kitOptions } from '../lib/testing/kit-options.js'

const app = Fastify()
const Invoice = Type.Object({ total: Type.Number(), currency: Type.String() })

declare module '../plugins/retab.js' {
  interface RetabTypes { extraction: Static<typeof Invoice> }
}

// Handlers in `on` get the payload of their own type.
void app.register(pulse, {
  secret: 'whsec_x',
  on: {
    'job.completed': async (event) => {
      const pages: number = event.payload.data.pages_processed
      const time: number = event.payload.data.processing_time
      const stamp: number = event.timestamp
      // @ts-expect-error job.completed has no error field
      void event.payload.data.error
      void pages; void time; void stamp
    },
    'job.failed': (event) => {
      const message: string = event.payload.data.error
      // @ts-expect-error job.failed has no pages_processed
      void event.payload.data.pages_processed
      void message
    },
    // @ts-expect-error not a Pulse event type
    'job.complete': () => {}
  },
  onUnknown: (event) => {
    const type: string = event.type
    // @ts-expect-error an unknown event's payload is unknown
    void event.payload.data
    void type
  }
})
void app.register(defaultPulse, { secret: 'whsec_x' })

// @ts-expect-error tolerance is a number of seconds
void app.register(cyberdesk, { secret: 'whsec_x', tolerance: '5m' })

void app.register(cyberdesk, {
  secret: ['whsec_old', 'whsec_new'],
  on: {
    run_complete: event => {
      const status: 'scheduling' | 'running' | 'success' | 'cancelled' | 'error' | 'task_failed' | 'running_checks' =
        event.payload.run.status
      // @ts-expect-error 'failed' is not a Cyberdesk status
      if (event.payload.run.status === 'failed') return
      void status
    }
  }
})

void app.register(autotab, {
  secret: 's',
  on: {
    finish: (event) => {
      const state: 'finish' = event.payload.state
      // @ts-expect-error Autotab events carry no signed timestamp
      void event.timestamp
      void state
    }
  }
})

void app.register(autosana, {
  allowUnsigned: true,
  onEvent: event => {
    const failed: number = event.payload.summary.failed_groups
    void failed
  }
})
// @ts-expect-error allowUnsigned is Autosana's only
void app.register(pulse, { secret: 'whsec_x', allowUnsigned: true })

// Retab: the extracted object is typed by the RetabTypes declaration.
void app.register(retab, {
  secret: 's',
  extraction: Invoice,
  on: {
    'extraction.completed': (event) => {
      const total: number = event.extraction.total
      // @ts-expect-error not in the Invoice schema
      void event.extraction.vendor
      void total
    }
  }
})

// request.webhook: a union discriminated by provider, then type; no casts.
app.addHook('preHandler', async (request) => {
  const webhook = request.webhook
  if (webhook === null) return
  switch (webhook.provider) {
    case 'pulse':
      if (webhook.type === 'job.completed') {
        const pages: number = webhook.payload.data.pages_processed
        void pages
      }
      // @ts-expect-error not narrowed to job.completed here
      void webhook.payload.data.pages_processed
      break
    case 'cyberdesk':
      if (webhook.payload.run.status === 'error') void webhook.payload.run.error
      break
    case 'autotab': {
      const state = webhook.type
      // @ts-expect-error 'FINISH' is the SDK enum name, not a wire value
      if (state === 'FINISH') return
      break
    }
    case 'retab':
      void webhook.extraction.currency
      break
    case 'autosana':
      void webhook.payload.run_groups[0]?.runs
      break
    case 'discord':
      if (webhook.type === 'application_command') void webhook.payload.data.options?.[0]?.value
      if (webhook.type === 'message_component') void webhook.payload.message.id
      // @ts-expect-error a command is on no message
      if (webhook.type === 'application_command') void webhook.payload.message
      break
    case 'gitea':
      // examples/gitea-provider.ts declares it: a provider of one's own joins the union
      if (webhook.type === 'push') void webhook.payload.repository.full_name
      break
    case 'github':
      if (webhook.type === 'pull_request' && webhook.payload.action === 'closed') {
        void webhook.payload.pull_request.merged
      }
      // @ts-expect-error a push has no action
      if (webhook.type === 'push') void webhook.payload.action
      break
    case 'paddle':
      if (webhook.type === 'transaction.completed') void webhook.payload.data.details?.totals?.grand_total
      if (webhook.type === 'subscription.canceled') void webhook.payload.data.canceled_at
      // @ts-expect-error a customer has no subscription status to cancel
      if (webhook.type === 'customer.updated') void webhook.payload.data.canceled_at
      break
    case 'gitlab':
      if (webhook.type === 'merge_request') void webhook.payload.object_attributes.target_branch
      if (webhook.type === 'build') void webhook.payload.build_status
      // @ts-expect-error a push has no object_attributes
      if (webhook.type === 'push') void webhook.payload.object_attributes
      break
    case 'linear':
      if (webhook.type === 'Issue') void webhook.payload.data.identifier
      if (webhook.type === 'Comment') void webhook.payload.action
      // @ts-expect-error a reaction has no title
      if (webhook.type === 'Reaction') void webhook.payload.data.title
      break
    case 'sendgrid':
      if (webhook.type === 'click') void webhook.payload.url
      if (webhook.type === 'bounce') void webhook.payload.bounce_classification
      // @ts-expect-error a delivered event has no URL
      if (webhook.type === 'delivered') void webhook.payload.url
      break
    case 'slack':
      if (webhook.type === 'app_mention') void webhook.payload.event.channel
      if (webhook.type === 'slash_command') void webhook.payload.response_url
      // @ts-expect-error a slash command is a form: it has no event
      if (webhook.type === 'slash_command') void webhook.payload.event
      break
    case 'shopify':
      if (webhook.type === 'orders/paid') void webhook.payload.line_items[0]?.price
      if (webhook.type === 'shop/redact') void webhook.payload.shop_domain
      // @ts-expect-error a product has no line items
      if (webhook.type === 'products/create') void webhook.payload.line_items
      break
    case 'twitch':
      if (webhook.type === 'channel.cheer') void webhook.payload.event.bits
      if (webhook.type === 'revocation') void webhook.payload.subscription.status
      // @ts-expect-error a revocation has no event
      if (webhook.type === 'revocation') void webhook.payload.event
      break
    case 'square':
      if (webhook.type === 'payment.updated') void webhook.payload.data.object.payment.amount_money.amount
      if (webhook.type === 'order.created') void webhook.payload.data.object.order_created.state
      // @ts-expect-error an order event carries the order's state, not a payment
      if (webhook.type === 'order.updated') void webhook.payload.data.object.payment
      break
    case 'stripe':
      if (webhook.type === 'invoice.paid') void webhook.payload.data.object.amount_paid
      // @ts-expect-error a Checkout Session has no amount_paid
      if (webhook.type === 'checkout.session.completed') void webhook.payload.data.object.amount_paid
      break
    case 'twilio':
      if (webhook.type === 'message.incoming') void webhook.payload.Body.toUpperCase()
      if (webhook.type === 'call.status') void webhook.payload.CallStatus
      // @ts-expect-error a message's status callback has no Body
      if (webhook.type === 'message.status') void webhook.payload.Body.length
      break
    case 'acme': {
      const amount: number = webhook.payload.amount
      void amount
      break
    }
    default: {
      const never: never = webhook
      void never
    }
  }
  // @ts-expect-error must be narrowed by provider first
  void request.webhook?.payload.data
})

// A provider of one's own, with the same typing.
const mine = defineProvider({
  name: 'acme',
  scheme: hmacHex({ headers: ['x-acme-signature'] }),
  events: { 'order.paid': Type.Object({ kind: Type.Literal('order.paid'), amount: Type.Number() }) },
  typeOf: () => 'order.paid'
})
type AcmeEvent = EventFor<typeof mine>
declare module 'fastify' {
  interface FastifyWebhookProviders { acme: AcmeEvent }
}
void app.register(mine, {
  secret: 's',
  on: {
    'order.paid': (event: AcmeEvent) => {
      const amount: number = event.payload.amount
      void amount
    }
  }
})

// The test kit.
const delivery = sign('pulse', fixtures.pulse['job.completed'], { secret: 'whsec_x', id: 'msg_1' })
const body: string = delivery.body
void body
// @ts-expect-error not a shipped provider
sign('paypal', {}, { secret: 'x' })
sign(mine, { kind: 'order.paid', amount: 1 }, { secret: 's' })

type P = PulseEvent['type']
const t: P = 'job.cancelled'
void t

// `secret`: the key is required where the provider always signs; its value may be undefined (throws at registration).
// @ts-expect-error Pulse always signs: the secret key is required
void app.register(pulse, { on: {} })
// @ts-expect-error Retab always signs: the secret key is required
void app.register(retab, {})
void app.register(pulse, { secret: process.env.PULSE_WEBHOOK_SECRET })
void app.register(autosana, { secret: process.env.AUTOSANA_WEBHOOK_SECRET })
void app.register(autosana, {})
const rotating: WebhookSecret = ['whsec_old', 'whsec_new']
void app.register(pulse, { secret: rotating })
// @ts-expect-error a secret is a string, or strings
void app.register(pulse, { secret: 42 })

// `register`'s last overload (lib/fastify/types.ts, for short errors) accepts nothing Fastify's overloads refuse.
declare const loose: Record<string, unknown>
// @ts-expect-error a record of anything has no secret key
void app.register(pulse, loose)
// @ts-expect-error not an option
void app.register(pulse, { secret: 'whsec_x', patth: '/x' })
// @ts-expect-error a handler of job.completed events is no handler of job.failed
void app.register(pulse, { secret: 'whsec_x', on: { 'job.failed': (event: PulseEvent<'job.completed'>) => event } })
// @ts-expect-error Autotab handlers are not Pulse handlers
void app.register(pulse, { secret: 'whsec_x', on: { 'job.failed': (event: AutotabEvent) => event } })
void app.register(pulse, () => ({ secret: 'whsec_x', path: '/pulse' }))
// @ts-expect-error options given as a function need the secret too
void app.register(pulse, () => ({ path: '/pulse' }))
void app.register(mine, {
  secret: 's',
  on: { 'order.paid': event => { const amount: number = event.payload.amount; void amount } }
})
// @ts-expect-error not an acme event type (a provider not in FastifyWebhookProviders: checked as before)
void app.register(mine, { secret: 's', on: { 'order.pay': () => {} } })

// `options`: the same options, checked by the plugin's own types alone; it returns them.
void app.register(
  pulse,
  pulse.options({
    secret: 'whsec_x',
    on: {
      'job.failed': (event, request, reply) => {
        const message: string = event.payload.data.error
        request.log.info(message)
        return reply.code(204).send()
      }
    }
  })
)
// @ts-expect-error not a Pulse event type
void pulse.options({ secret: 'whsec_x', on: { 'job.complete': () => {} } })
// @ts-expect-error the secret key is required
void pulse.options({})
void autosana.options({ allowUnsigned: true })
void retab.options({ secret: 's', extraction: Invoice })
void mine.options({
  secret: 's',
  on: {
    'order.paid': event => {
      const amount: number = event.payload.amount
      void amount
    }
  }
})

// Readable names: the union, one member, the types, the `on` map; from the root and from the provider's module.
const completed = (event: PulseEvent<'job.completed'>): number => event.payload.data.pages_processed
const one: PulseEvent<'job.completed'> extends PulseEvent ? true : false = true
const union: PulseEvent extends PulseEvent<'job.completed'> ? true : false = false
// @ts-expect-error not a Pulse event type
type _Misspelled = PulseEvent<'job.complete'>
const types: EventTypeFor<typeof pulse> = 'job.failed'
// @ts-expect-error not a Pulse event type
const notAType: EventTypeFor<typeof pulse> = 'job.complete'
const finished = (event: AutotabEvent<'finish'>): 'finish' => event.payload.state
const run = (event: CyberdeskEvent<'run_complete'>): string => event.payload.run.status
const extracted = (event: RetabEvent<'extraction.completed'>): number => event.extraction.total
void [completed, one, union, types, notAType, finished, run, extracted]

const handlers: PulseHandlers = {
  'job.completed': async (event, request) => {
    request.log.info({ pages: event.payload.data.pages_processed }, 'done')
  },
  // @ts-expect-error job.failed has no pages_processed
  'job.failed': (event) => { void event.payload.data.pages_processed }
}
void app.register(pulse, { secret: 'whsec_x', on: handlers })
const sameHandlers: HandlersFor<typeof pulse> = handlers
const autotabHandlers: AutotabHandlers = {
  finish: event => {
    const state: 'finish' = event.payload.state
    void state
  }
}
// @ts-expect-error Autotab handlers are not Pulse handlers
const crossed: PulseHandlers = autotabHandlers
void [sameHandlers, crossed]
const fromModule: PulseHandlersOnly = handlers
const eventFromModule: PulseEventOnly<'job.failed'> | undefined = undefined
void [fromModule, eventFromModule, pulseOnly]

// EventHandlers from the root is the one fastify-webhooks/bullmq exports.
const onlyEvents: EventHandlers<PulseEvent> = {
  'job.cancelled': event => {
    const status: 'cancelled' | 'canceled' = event.payload.data.status
    void status
  }
}
const fromBullmq: BullmqEventHandlers<PulseEvent> = onlyEvents
void app.register(pulse, { secret: 'whsec_x', on: onlyEvents })
void fromBullmq

// A provider of one's own gets the same names from the generic ones.
type AcmePaid = EventFor<typeof mine, 'order.paid'>
const paid = (event: AcmePaid): number => event.payload.amount
const acmeHandlers: HandlersFor<typeof mine> = { 'order.paid': (event) => { void paid(event) } }
void acmeHandlers

// Many tenants: `secret` looks a tenant's secret up, sync or async; the event carries the tenant.
void app.register(pulse, {
  path: '/webhooks/pulse/:tenant',
  tenant: request => (request.params as { tenant: string }).tenant,
  secret: async tenant => tenant === 'acme' ? ['whsec_a', 'whsec_b'] : undefined,
  secretCache: new SecretCache({ ttl: 60 }),
  onEvent: event => { const tenant: string | undefined = event.tenant; void tenant }
})
void app.register(autosana, { tenant: request => request.headers.host, secret: () => 'plain' })
// @ts-expect-error a lookup gives secrets, not numbers
void app.register(pulse, { tenant: () => 'acme', secret: () => 42 })
// @ts-expect-error the cache is a SecretCache
void app.register(pulse, { tenant: () => 'acme', secret: () => 'whsec_x', secretCache: new Map() })

// Any Standard Webhooks sender: typed by its schemas, or payloads unknown without them.
const acme = defineStandardWebhooks({
  name: 'acme',
  events: { 'invoice.paid': Type.Object({ cents: Type.Integer() }) },
  type: { header: 'x-event' }
})
void app.register(acme, {
  secret: 'whpk_x',
  on: {
    'invoice.paid': event => {
      const cents: number = event.payload.cents
      const signedAt: number = event.timestamp
      void cents
      void signedAt
    }
  }
})
// @ts-expect-error not an acme event type
void app.register(acme, { secret: 'whsec_x', on: { 'invoice.lost': () => {} } })
const anyone = defineStandardWebhooks({ name: 'anyone' })
void app.register(anyone, {
  secret: 'whsec_x',
  on: { 'anything.at.all': event => { const payload: unknown = event.payload; void payload } },
  onEvent: event => {
    const type: string = event.type
    void type
    // @ts-expect-error without schemas the payload is unknown
    void event.payload.id
  }
})

// The runtime's table of options (lib/fastify/options.ts) and the public options type name the same options.
type PublicOptionName = keyof ProviderOptions<typeof autosana.provider>
type CheckedOptionName = typeof receiverOptions.names[number]
const everyPublicOptionIsChecked: CheckedOptionName[] = [] as PublicOptionName[]
const everyCheckedOptionIsPublic: PublicOptionName[] = [] as CheckedOptionName[]
void everyPublicOptionIsChecked; void everyCheckedOptionIsPublic

/** True when two unions of option names are the same: the public options type, and a runtime table's names. */
type SameNames<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const workerTableIsPublic: SameNames<keyof WebhookWorkerOptions<WorkerEvent>, typeof workerOptions.names[number]> = true
const queueTableIsPublic: SameNames<
  keyof Exclude<QueueOption<WorkerEvent>, WebhookQueue>,
  typeof queueOptions.names[number]
> = true
const replayTableIsPublic: SameNames<
  keyof ReplayOptions<[typeof pulse]>,
  typeof replayOptions.names[number]
> = true
const kitTableIsPublic: SameNames<keyof KitHandlers<unknown, unknown>, typeof kitOptions.names[number]> = true
void workerTableIsPublic; void queueTableIsPublic; void replayTableIsPublic; void kitTableIsPublic
