// No `secret` key for a provider that always signs.
import Fastify from 'fastify'
import { pulse } from '../../plugins/pulse.js'

const app = Fastify()
await app.register(pulse, pulse.options({ on: {} }))
