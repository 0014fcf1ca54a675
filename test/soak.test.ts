import t from 'tap'
import { runSoak, violations, type SoakReport } from '../support/soak-core.js'
import { startRedis } from './helpers/redis-server.js'

t.test('a quick soak: two instances, one Redis, 1,000 deliveries at concurrency 64 hold every invariant', async t => {
  const redis = await startRedis()
  t.teardown(() => redis.close())
  const report = await runSoak({ redisPort: redis.port, deliveries: 1000, concurrency: 64, seed: 7 })
  t.same(violations(report), [], JSON.stringify(report))
  t.equal(report.deliveriesSent, 1000)
  t.equal(report.eventsHandledExactlyOnce, report.distinctValidEvents)
  t.ok(report.distinctValidEvents > 500, 'most deliveries are fresh valid events')
  t.equal(report.forgeriesAccepted, 0)
  t.ok(report.forgeriesSent > 20 && report.expiredSent > 20, 'forgeries and expired deliveries were sent')
  t.equal(report.badInput5xx, 0)
  t.equal(report.lostEvents, 0)
  t.ok(report.handlerFailuresInjected > 0, 'some handlers failed on their first run, and their retries ran')
  t.ok(report.duplicatesSuppressed.answered200Duplicate > 0, 'duplicates were answered without running handlers')
  t.ok(report.httpRequests > report.deliveriesSent, 'the client retried')
})

t.test('violations names each broken invariant', async t => {
  const bad = {
    distinctValidEvents: 10,
    eventsHandledExactlyOnce: 9,
    eventsHandledMoreThanOnce: 1,
    forgeriesAccepted: 1,
    expiredAccepted: 1,
    badInput5xx: 1,
    lostEvents: 1
  } as SoakReport
  t.same(violations(bad), [
    'events handled exactly once != distinct valid events', 'events handled more than once', 'forgeries accepted',
    'expired deliveries accepted', '5xx on bad input', 'lost events'
  ])
})
