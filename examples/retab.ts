/**
 * Retab on its own, with the extracted object checked against your schema. After `npm run build`:
 *   RETAB_WEBHOOK_SECRET=... node dist/examples/retab.js
 *   npx fastify-webhooks send retab --url http://127.0.0.1:3000/webhooks/retab --secret "$RETAB_WEBHOOK_SECRET"
 * In your project, import from 'fastify-webhooks/retab'.
 */
import Fastify from 'fastify'
import Type from 'typebox'
import { retab } from '../plugins/retab.js'

const { RETAB_WEBHOOK_SECRET, PORT = '3000', HOST = '127.0.0.1' } = process.env

// The shape you defined in Retab. To type `event.extraction` too, declare it once in your app:
//   declare module 'fastify-webhooks/retab' { interface RetabTypes { extraction: Static<typeof CalendarEvent> } }
const CalendarEvent = Type.Object({ name: Type.String(), date: Type.String() })

const app = Fastify({ logger: true })
await app.register(retab, {
  secret: RETAB_WEBHOOK_SECRET,
  extraction: CalendarEvent, // choices[0].message.content is parsed and checked: 400 if it does not fit
  on: {
    'extraction.completed': async (event, request) => {
      // The body may hold the whole document as a data URL (tens of MB): never log the payload itself.
      request.log.info(
        { completion: event.payload.completion.id, fields: Object.keys(event.extraction as object) },
        'retab extraction completed'
      )
    }
  }
})
await app.listen({ host: HOST, port: Number(PORT) })
