/**
 * Type tests of `fastify-webhooks/testing`: checked by `tsc`, never run.
 * Each `@ts-expect-error` must be an error, or tsc fails.
 */
import Fastify from 'fastify'
import type { LightMyRequestResponse } from 'fastify'
import Type from 'typebox'
import { defineProvider, hmacHex } from '../plugins/index.js'
import { pulse, type PulseEvent } from '../plugins/pulse.js'
import { retab } from '../plugins/retab.js'
import type { ProviderName } from '../plugins/registry.js'
import { deliver, fixture, fixtures, receive, sign, type ShippedProvider } from '../lib/testing/kit.js'
import type { EventHandlers } from '../lib/queue/worker.js'

const app = Fastify()
const secret = 'whsec_x'

// The kit's list of shipped providers is the registry's.
const shipped: ShippedProvider = 'pulse' as ProviderName
const named: ProviderName = shipped
void named

// sign: the payload is one of the provider's payloads.
sign('pulse', fixtures.pulse['job.completed'], { secret })
sign(
  'pulse',
  {
    type: 'job.completed',
    timestamp: 't',
    data: { job_id: 'j', status: 'completed', pages_processed: 3, processing_time: 1 }
  },
  { secret }
)
// @ts-expect-error 'eror' is not the status of a completed job
sign(
  'pulse',
  {
    type: 'job.completed',
    timestamp: 't',
    data: { job_id: 'j', status: 'eror', pages_processed: 3, processing_time: 1 }
  },
  { secret }
)
// @ts-expect-error not a Pulse event type
sign('pulse', { type: 'job.teleported', timestamp: 't', data: { job_id: 'j', status: 'x' } }, { secret })
// @ts-expect-error a Retab payload is no Pulse payload
sign('pulse', fixtures.retab['extraction.completed'], { secret })
// A string is sent byte for byte, whatever it holds.
sign('pulse', '{"type":"job.new_kind"}', { secret })
// @ts-expect-error the type option is one of the provider's event types
sign('pulse', fixtures.pulse['job.failed'], { secret, type: 'job.teleported' })
// @ts-expect-error the secret is required
sign('pulse', fixtures.pulse['job.failed'], {})

// fixture: the sample of a type, with overrides typed as a deep partial of its payload.
const completed = fixture('pulse', 'job.completed', { data: { pages_processed: 3 } })
const pages: number = completed.data.pages_processed
void pages
const failed = fixture('pulse', 'job.failed')
const error: string = failed.data.error
void error
// @ts-expect-error 'eror' is not the status of a completed job
fixture('pulse', 'job.completed', { data: { status: 'eror' } })
// @ts-expect-error a page count is a number
fixture('pulse', 'job.completed', { data: { pages_processed: 'many' } })
// @ts-expect-error not a Pulse event type
fixture('pulse', 'job.teleported')
// @ts-expect-error not a field of the payload
fixture('pulse', 'job.completed', { data: { pages: 3 } })
// @ts-expect-error a completed job has no error
void fixture('pulse', 'job.completed').data.error
// Arrays are given whole.
fixture('retab', 'extraction.completed', { completion: { choices: [] } })

// deliver: the inject response, for a payload typed as for sign.
const response: Promise<LightMyRequestResponse> = deliver(app, 'pulse', fixture('pulse', 'job.failed'), {
  secret,
  path: '/hooks/pulse',
  headers: { 'webhook-signature': 'v1,x' }
})
void response
void deliver(app, 'pulse', '{', { secret })
// @ts-expect-error 'eror' is not the status of a completed job
void deliver(
  app,
  'pulse',
  {
    type: 'job.completed',
    timestamp: 't',
    data: { job_id: 'j', status: 'eror', pages_processed: 3, processing_time: 1 }
  },
  { secret }
)
// @ts-expect-error an app has inject
void deliver({}, 'pulse', '{}', { secret })

// receive: handlers that take the event alone, the payload typed by the event type.
const on: EventHandlers<PulseEvent> = { 'job.completed': async event => { void event.payload.data.pages_processed } }
void receive({ on }, { provider: 'pulse', type: 'job.completed', payload: fixture('pulse', 'job.completed') })
void receive(
  {
    on: {
      'job.failed': event => {
        const message: string = event.payload.data.error
        void message
      }
    },
    onEvent: event => {
      const stamp: number = event.timestamp
      void stamp
    },
    onUnknown: event => {
      const payload: unknown = event.payload
      const stamp: number = event.timestamp
      void payload
      void stamp
    }
  },
  {
    provider: 'pulse',
    type: 'job.failed',
    payload: fixture('pulse', 'job.failed'),
    id: 'msg_1',
    receivedAt: new Date()
  }
)
// A type no schema knows: its payload is anything, and it goes to onUnknown.
void receive({}, { provider: 'pulse', type: 'job.new_kind', payload: { anything: true } })
// It resolves with the event the handlers got.
void (async () => {
  const event = await receive({}, { provider: 'pulse', type: 'job.completed', payload: completed })
  const type: 'job.completed' = event.type
  const when: Date = event.receivedAt
  void type; void when
  const other = await receive({}, { provider: 'pulse', type: 'job.new_kind', payload: null })
  const payload: unknown = other.payload
  void payload
})
void receive(
  {},
  {
    provider: 'pulse',
    type: 'job.completed',
    payload: {
      type: 'job.completed',
      timestamp: 't',
      // @ts-expect-error 'eror' is not the status of a completed job
      data: { job_id: 'j', status: 'eror', pages_processed: 3, processing_time: 1 }
    }
  }
)
// @ts-expect-error the payload of another type
void receive({}, { provider: 'pulse', type: 'job.completed', payload: fixture('pulse', 'job.failed') })
// @ts-expect-error not a Pulse event type
void receive({ on: { 'job.teleported': () => {} } }, { provider: 'pulse', type: 'job.completed', payload: completed })
void receive(
  // @ts-expect-error handlers get no request: one that needs it is tested with deliver
  { onEvent: (_event: PulseEvent, request: { url: string }) => request.url },
  { provider: 'pulse', type: 'job.completed', payload: completed }
)
void receive(
  // @ts-expect-error a job.failed handler gets job.failed events
  { on: { 'job.failed': event => event.payload.data.pages_processed } },
  { provider: 'pulse', type: 'job.failed', payload: failed }
)

// A plugin made by defineProvider, by the plugin: payloads, fixtures and its extend's options typed.
const acme = defineProvider({
  name: 'acme',
  scheme: hmacHex({ headers: ['x-acme-signature'] }),
  events: {
    'order.paid': Type.Object(
      { kind: Type.Literal('order.paid'), amount: Type.Number() },
      { examples: [{ kind: 'order.paid', amount: 5 }] }
    )
  },
  typeOf: () => 'order.paid',
  options: ['currency'],
  extend: (_payload: unknown, options: { currency?: string }) => ({ currency: options.currency ?? 'EUR' })
})
sign(acme, fixture(acme, 'order.paid', { amount: 7 }), { secret: 's' })
// @ts-expect-error an amount is a number
fixture(acme, 'order.paid', { amount: '7' })
void receive(
  {
    currency: 'USD',
    on: {
      'order.paid': event => {
        const currency: string = event.currency
        void currency
      }
    }
  },
  { provider: acme, type: 'order.paid', payload: { kind: 'order.paid', amount: 1 } }
)
// @ts-expect-error a currency is a string
void receive({ currency: 1 }, { provider: acme, type: 'order.paid', payload: { kind: 'order.paid', amount: 1 } })
// @ts-expect-error a plugin of one's own is passed as the plugin, not by its name
sign('acme', '{}', { secret: 's' })

// Retab's extraction is on the event receive resolves with.
void retab
void (async () => {
  const event = await receive(
    {},
    { provider: 'retab', type: 'extraction.completed', payload: fixture('retab', 'extraction.completed') }
  )
  void event.extraction
})
void pulse
