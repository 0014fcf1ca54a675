/**
 * The attackers of the attack run (bench/attack.ts), in a process of their own:
 * `node dist/bench/attack-load.js <port> <bogus connections> <trickling connections> [unsigned]`. Bogus connections
 * send 60 MB bodies one after another (half with no signature, half with a forged one; none signed with
 * `unsigned`); trickling ones declare 1 MiB (with a forged signature unless `unsigned`) and send a byte a second
 * until the server ends them, then start again. On 'stop' they report what they got.
 */
import { rawPost } from '../support/raw-http.js'
import { forgedSignature } from './attack-payloads.js'
import { bogus } from './attack.js'

const [port, bogusCount, trickleCount] = process.argv.slice(2, 5).map(Number) as [number, number, number]
const forged = process.argv[5] !== 'unsigned'
const attack = { on: true }
const bogusAnswers: Record<string, number> = {}
const trickle = { opened: 0, endedByServer: 0, statuses: {} as Record<string, number> }

const loops = [
  ...Array.from({ length: bogusCount }, async (_, i) => {
    while (attack.on) {
      const status = await bogus(port, forged && i % 2 === 0)
      bogusAnswers[status] = (bogusAnswers[status] ?? 0) + 1
    }
  }),
  ...Array.from({ length: trickleCount }, async () => {
    while (attack.on) {
      const headers: Record<string, string | number> = {
        'content-type': 'application/json',
        'content-length': 1024 * 1024
      }
      if (forged) headers['retab-signature'] = forgedSignature()
      const request = await rawPost(port, '/webhooks/retab', headers, '{')
      trickle.opened++
      const drip = setInterval(() => request.socket.write(' '), 1000)
      const stop = setInterval(() => { if (!attack.on) request.socket.destroy() }, 200)
      const answer = await request.answer
      clearInterval(drip)
      clearInterval(stop)
      if (attack.on) {
        trickle.endedByServer++
        trickle.statuses[answer.status] = (trickle.statuses[answer.status] ?? 0) + 1
      }
    }
  })
]

process.once('message', async () => {
  attack.on = false
  await Promise.all(loops)
  process.send!({ bogusAnswers, trickle })
  process.disconnect()
})
