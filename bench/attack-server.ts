/**
 * The server the attack run (bench/attack.ts) hits, as its own process so that its memory is its own:
 * a Retab receiver set up as the README shows, with the timeouts it recommends.
 * `node dist/bench/attack-server.js [plugin module]`: the module defaults to this package's Retab plugin
 * (another build's, e.g. an older checkout's dist/plugins/retab.js, to measure it the same way).
 * It tells the parent its port over IPC.
 */
import Fastify from 'fastify'
import { ATTACK_SECRET } from './attack-payloads.js'

const module = process.argv[2] ?? '../plugins/retab.js'
const { retab } = await import(module) as typeof import('../plugins/retab.js')

const app = Fastify({ requestTimeout: 30_000, http: { headersTimeout: 10_000 } })
let handled = 0
await app.register(retab, { secret: ATTACK_SECRET, on: { 'extraction.completed': () => { handled++ } } })
await app.listen({ host: '127.0.0.1', port: 0 })
process.send!({ port: (app.server.address() as { port: number }).port })
process.on('message', () => process.send!({ handled }))
