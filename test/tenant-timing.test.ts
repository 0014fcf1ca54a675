/**
 * Timing does not tell an unknown tenant from a known one with a wrong signature: both are verified (the unknown
 * one against a dummy key) and refused alike. A statistical comparison with wide margins, over real HTTP, with
 * the two kinds interleaved so that the machine's load falls on both alike.
 */
import t from 'tap'
import { randomBytes } from 'node:crypto'
import Fastify, { type FastifyRequest } from 'fastify'
import { pulse } from '../plugins/pulse.js'
import { fixtures } from '../lib/testing/kit.js'
import { SW_SECRET, SW_SECRET_2, signWith } from './helpers/sign.js'

const ROUNDS = 400
const body = JSON.stringify(fixtures.pulse['job.completed'])

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

t.test('an unknown tenant and a known one with a wrong signature take the same time', async t => {
  const app = Fastify()
  await app.register(pulse, {
    path: '/webhooks/pulse/:tenant',
    tenant: (request: FastifyRequest) => (request.params as { tenant: string }).tenant,
    secret: tenant => tenant === 'known' ? SW_SECRET : undefined
  })
  const url = await app.listen({ port: 0, host: '127.0.0.1' })
  t.teardown(() => app.close())

  async function time (tenant: string): Promise<number> {
    // A wrong signature either way: signed with a secret neither tenant has.
    const headers = {
      'content-type': 'application/json',
      ...signWith({ kind: 'standard', prefix: 'webhook' }, body, {
        secret: SW_SECRET_2,
        id: `msg_${randomBytes(6).toString('hex')}`
      })
    }
    const start = process.hrtime.bigint()
    const res = await fetch(`${url}/webhooks/pulse/${tenant}`, { method: 'POST', headers, body })
    await res.arrayBuffer()
    const took = Number(process.hrtime.bigint() - start) / 1000
    t.equal(res.status, 401)
    return took
  }

  // Warm up: both tenants looked up once and cached, the JIT settled.
  for (let i = 0; i < 50; i++) { await time('known'); await time('unknown') }
  const known: number[] = []
  const unknown: number[] = []
  for (let i = 0; i < ROUNDS; i++) {
    // Alternate which goes first, so that neither always follows the other.
    if (i % 2 === 0) {
      known.push(await time('known'))
      unknown.push(await time('unknown'))
    } else {
      unknown.push(await time('unknown'))
      known.push(await time('known'))
    }
  }
  const ratio = median(unknown) / median(known)
  t.comment(
    `median round trip: known tenant, wrong signature ${median(known).toFixed(0)} µs; unknown tenant ` +
    `${median(unknown).toFixed(0)} µs; ratio ${ratio.toFixed(3)}`
  )
  t.ok(ratio > 0.67 && ratio < 1.5, `the medians are alike (ratio ${ratio.toFixed(3)})`)
})
