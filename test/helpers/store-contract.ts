/**
 * What every shared idempotency store must do, run against each real one (Redis, Postgres): two
 * instances (`make(0)`, `make(1)`, on connections of their own) agree on every key.
 */
import type { Test } from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import type { IdempotencyStore } from '../../lib/stores/idempotency.js'

export function storeContract (t: Test, make: (instance: 0 | 1) => IdempotencyStore): void {
  t.test('store contract: done is seen by another instance, and a claim in flight by itself too', async t => {
    const [store, other] = [make(0), make(1)]
    t.equal(await store.claim('contract:done', 60_000), 'new')
    t.equal(await store.claim('contract:done', 60_000), 'in-flight')
    t.equal(await other.claim('contract:done', 60_000), 'in-flight')
    await store.complete('contract:done', 3_600_000)
    t.equal(await store.claim('contract:done', 60_000), 'done')
    t.equal(await other.claim('contract:done', 60_000), 'done', 'another instance sees it done')
    await other.complete('contract:unclaimed', 60_000)
    t.equal(await store.claim('contract:unclaimed', 60_000), 'done', 'complete without a claim marks the key done')
  })

  t.test('store contract: a claim expires after its lease, a done mark after its ttl; a fractional lease ' +
    'works', async t => {
    const [store, other] = [make(0), make(1)]
    t.equal(await store.claim('contract:lease', 0.4), 'new')
    await sleep(20)
    t.equal(await other.claim('contract:lease', 60_000), 'new', 'the crashed owner\'s claim ran out')
    t.equal(await store.claim('contract:ttl', 60_000), 'new')
    await store.complete('contract:ttl', 300)
    t.equal(await other.claim('contract:ttl', 60_000), 'done')
    await sleep(350)
    t.equal(await other.claim('contract:ttl', 60_000), 'new', 'past its ttl, the event runs again')
  })

  t.test('store contract: release drops this store\'s own claim, and never a newer owner\'s', async t => {
    const [first, second] = [make(0), make(1)]
    t.equal(await first.claim('contract:rel', 60_000), 'new')
    await first.release('contract:rel')
    t.equal(await second.claim('contract:rel', 20), 'new', 'released: the retry runs')
    await sleep(40)
    t.equal(await first.claim('contract:rel', 60_000), 'new', 'second\'s lease ran out, first owns it now')
    await second.release('contract:rel')
    t.equal(await second.claim('contract:rel', 60_000), 'in-flight', 'second\'s late release left first\'s claim alone')
    await second.release('contract:never-claimed')
    await first.complete('contract:rel', 60_000)
    await first.release('contract:rel')
    t.equal(
      await second.claim('contract:rel', 60_000),
      'done',
      'a release after complete does not forget a handled event'
    )
  })

  t.test('store contract: concurrent claims from two instances: exactly one wins each key, fresh or ' +
    'expired', async t => {
    const stores = [make(0), make(1)]
    const race = async (key: string): Promise<number> => {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 2]!.claim(key, 60_000)))
      return results.filter(r => r === 'new').length
    }
    for (let key = 0; key < 10; key++) t.equal(await race(`contract:race:${key}`), 1, `fresh key ${key}`)
    for (let key = 0; key < 10; key++) {
      t.equal(await stores[0]!.claim(`contract:race:expired:${key}`, 1), 'new')
      await sleep(5)
      t.equal(await race(`contract:race:expired:${key}`), 1, `expired claim ${key}`)
    }
  })
}
