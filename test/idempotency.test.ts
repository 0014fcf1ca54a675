import t from 'tap'
import { MemoryStore } from '../lib/idempotency.js'

t.test('claim, complete, release, and expiry on a clock', async t => {
  let now = 0
  const store = new MemoryStore({ now: () => now })
  t.equal(await store.claim('a', 1000), 'new')
  t.equal(await store.claim('a', 1000), 'in-flight')
  now = 1000
  t.equal(await store.claim('a', 1000), 'new', 'a lease that ran out is claimed again (the owner crashed)')
  await store.complete('a', 5000)
  t.equal(await store.claim('a', 1000), 'done')
  now = 7000
  t.equal(await store.claim('a', 1000), 'new', 'done is forgotten after the ttl')
  await store.release('a')
  t.equal(await store.claim('a', 1000), 'new', 'released claims run again')
})

t.test('bounded: the oldest keys go first', async t => {
  const store = new MemoryStore({ maxKeys: 3 })
  for (const key of ['a', 'b', 'c', 'd']) await store.claim(key, 60_000)
  t.equal(store.size, 3)
  t.equal(await store.claim('a', 60_000), 'new', 'a was dropped')
  t.equal(await store.claim('d', 60_000), 'in-flight', 'd was kept')
  t.throws(() => new MemoryStore({ maxKeys: 0 }), /maxKeys must be a positive integer/)
})
