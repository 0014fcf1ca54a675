/**
 * A short chaos soak: two instances (processes of their own) and one Redis with an append-only file, a few
 * thousand deliveries at concurrency 64, one instance SIGKILLed and restarted midway. The sender retries what
 * was not accepted; every valid event is handled, nothing forged or expired is accepted, bad input gets no 5xx.
 */
import t from 'tap'
import { chaosViolations, runChaosSoak, type ChaosReport } from '../support/chaos-soak.js'
import { startPostgres } from '../support/postgres-server.js'
import { startRedisServer } from '../support/redis-server.js'

t.test('a short chaos soak: 3,000 deliveries, one instance killed and restarted, every invariant holds', async t => {
  const redis = await startRedisServer({ appendOnly: true })
  t.teardown(() => redis.close())
  const report = await runChaosSoak({
    store: { redis },
    deliveries: 3000,
    concurrency: 64,
    seed: 11,
    faults: [{ at: 0.4, kill: 0 }],
    lease: 2,
    downMs: 300
  })
  t.same(chaosViolations(report), [], JSON.stringify(report))
  t.equal(report.deliveriesSent, 3000)
  t.ok(report.distinctValidEvents > 1500, 'most deliveries are fresh valid events')
  t.equal(report.lostEvents, 0)
  t.equal(report.forgeriesAccepted, 0)
  t.equal(report.expiredAccepted, 0)
  t.equal(report.badInput5xx, 0)
  t.ok(report.handlerFailuresInjected > 0, 'some handlers failed on their first run, and their retries ran')
  t.match(report.timeline.map(e => e.what), ['start', /^SIGKILL instance 0/, /^instance 0 restarted/, 'all delivered'])
  t.ok(report.answersDuringFaults.connectionErrors > 0, 'the kill dropped connections, and the sender retried them')
})

t.test(
  'a short chaos soak on Postgres: effects committed exactly once though an instance is killed and Postgres ' +
    'restarts',
  async t => {
    const postgres = await startPostgres({ persistent: true })
    t.teardown(() => postgres.close())
    const report = await runChaosSoak({
      store: { postgres },
      deliveries: 2000,
      concurrency: 64,
      seed: 12,
      faults: [
        { at: 0.3, kill: 0 },
        { at: 0.6, store: 'restart' }
      ],
      lease: 2,
      downMs: 300
    })
    t.same(chaosViolations(report), [], JSON.stringify(report))
    t.equal(report.eventsHandledExactlyOnce, report.distinctValidEvents, "each valid event's effect committed once")
    t.equal(report.eventsHandledMoreThanOnce, 0, 'none twice, not even at a fault')
    t.ok(report.handlerFailuresInjected > 0)
    const what = report.timeline.map(e => e.what)
    // The faults overlap (an instance takes a while to start again), so their lines may interleave.
    for (const line of [
      /^SIGKILL instance 0/,
      /^instance 0 restarted/,
      /^Postgres stopped$/,
      /^Postgres started again/
    ]) {
      t.ok(
        what.some(w => line.test(w)),
        String(line)
      )
    }
    t.same([what[0], what.at(-1)], ['start', 'all delivered'])
    t.ok(
      report.answersDuringFaults.status5xx + report.answersDuringFaults.connectionErrors > 0,
      'the faults were felt, and the sender retried'
    )
  }
)

t.test('chaosViolations names each broken invariant', async t => {
  const bad = {
    distinctValidEvents: 10,
    eventsHandledExactlyOnce: 8,
    eventsHandledMoreThanOnce: 1,
    reRunsOtherwise: 1,
    forgeriesAccepted: 1,
    expiredAccepted: 1,
    badInput5xx: 1,
    lostEvents: 1,
    gaveUp: 1,
    store: 'postgres'
  } as ChaosReport
  t.same(chaosViolations(bad), [
    'not every valid event was handled',
    'events handled more than once away from any fault',
    'effects committed more than once',
    'forgeries accepted',
    'expired deliveries accepted',
    '5xx on bad input',
    'lost events',
    'the sender gave up on valid deliveries'
  ])
})
