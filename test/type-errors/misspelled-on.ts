// 'job.completed' misspelled: the options checked by `pulse.options`, Pulse's types alone.
import Fastify from 'fastify'
import { pulse } from '../../plugins/pulse.js'

const app = Fastify()
await app.register(pulse, pulse.options({
  secret: process.env.PULSE_WEBHOOK_SECRET,
  on: {
    'job.complete': async (event) => { console.log(event.id) }
  }
}))
