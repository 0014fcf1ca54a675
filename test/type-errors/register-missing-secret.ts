// `secret` left out of the README's `register` form.
import Fastify from 'fastify'
import { pulse } from '../../plugins/pulse.js'

const app = Fastify()
await app.register(pulse, {
  on: {
    'job.completed': async (event) => { console.log(event.payload.data.job_id) }
  }
})
