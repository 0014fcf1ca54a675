// The same mistake given to `register` directly: Fastify's overloads report it.
import Fastify from 'fastify'
import { pulse } from '../../plugins/pulse.js'

const app = Fastify()
await app.register(pulse, {
  secret: process.env.PULSE_WEBHOOK_SECRET,
  on: {
    'job.complete': async (event) => { console.log(event.id) }
  }
})
