import t from 'tap'
import { MemoryStore } from '../lib/stores/idempotency.js'

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

t.test('bounded: released, reclaimed and completed keys keep the count exact', async t => {
  const store = new MemoryStore({ maxKeys: 3 })
  await store.claim('a', 60_000)
  await store.release('a') // a's slot is now stale
  await store.claim('a', 60_000) // a again, in a newer slot
  await store.claim('b', 60_000)
  t.equal(store.size, 2)
  await store.claim('c', 60_000) // takes the last free slot
  t.equal(store.size, 3)
  await store.claim('d', 60_000) // evicts a's newer slot: a's stale slot was used by nobody
  t.equal(store.size, 3)
  t.equal(await store.claim('b', 60_000), 'in-flight', 'b was kept')
  t.equal(await store.claim('a', 60_000), 'new', 'a, the oldest live key, was dropped')
  await store.complete('gone', 60_000) // completing a key evicted meanwhile records it anyway
  t.equal(await store.claim('gone', 60_000), 'done')
  t.ok(store.size <= 3)
})

t.test('bounded over many rounds: never more than maxKeys, the newest always kept', async t => {
  const store = new MemoryStore({ maxKeys: 50 })
  let largest = 0
  for (let i = 0; i < 1000; i++) {
    await store.claim(`k${i}`, 60_000)
    if (i % 3 === 0) await store.complete(`k${i}`, 60_000)
    if (i % 7 === 0) await store.release(`k${i}`)
    largest = Math.max(largest, store.size)
  }
  t.ok(largest <= 50, `never past maxKeys (largest ${largest})`)
  t.ok(largest >= 43, `filled up: only the released keys (1 in 7) leave gaps (largest ${largest})`)
  for (let i = 951; i < 1000; i++) {
    if (i % 7 !== 0) t.not(await store.claim(`k${i}`, 60_000), 'new', `k${i} is among the newest 50`)
  }
  t.equal(await store.claim('k0', 60_000), 'new', 'k0 was dropped long ago')
})
