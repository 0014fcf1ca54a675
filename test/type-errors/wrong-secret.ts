// A secret that is no string.
import Fastify from 'fastify'
import { pulse } from '../../plugins/pulse.js'

const app = Fastify()
await app.register(pulse, pulse.options({ secret: 42 }))
