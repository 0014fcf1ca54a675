/**
 * Any Standard Webhooks sender (every Svix-powered one), with a schema for the events you handle.
 *   ACME_WEBHOOK_SECRET=whsec_... node dist/examples/any-sender.js
 * In your project, import from 'fastify-webhooks/standard-webhooks'.
 */
import Fastify from 'fastify'
import Type from 'typebox'
import { defineStandardWebhooks } from '../plugins/standard-webhooks.js'

const Paid = Type.Object({ type: Type.Literal('invoice.paid'), data: Type.Object({ invoice: Type.String(), cents: Type.Integer() }) })
const acme = defineStandardWebhooks({ name: 'acme', events: { 'invoice.paid': Paid } }) // the type: the body's `type` field
const app = Fastify({ logger: true })
await app.register(acme, { secret: process.env.ACME_WEBHOOK_SECRET, on: { 'invoice.paid': async event => { app.log.info({ cents: event.payload.data.cents }, 'invoice paid') } } })
await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 3000) })
