import t from 'tap'
import { MemoryStore } from '../lib/stores/idempotency.js'
import { KeyRing } from '../lib/stores/key-ring.js'

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

/**
 * The store's answers as plainly as they can be written: a Map from key to its slot and state, and the ring of
 * slots in insertion order. The store must answer the same to any sequence of calls.
 */
class PlainStore {
  readonly #at = new Map<string, { slot: number, done: boolean, expiresAt: number }>()
  readonly #slots: Array<string | undefined>
  #next = 0
  constructor (maxKeys: number, readonly now: () => number) {
    this.#slots = new Array<string | undefined>(maxKeys).fill(undefined)
  }

  get size (): number { return this.#at.size }
  claim (key: string, leaseMs: number): string {
    const held = this.#at.get(key)
    if (held !== undefined && held.expiresAt > this.now()) return held.done ? 'done' : 'in-flight'
    this.#put(key, false, this.now() + leaseMs)
    return 'new'
  }

  complete (key: string, ttlMs: number): void {
    const held = this.#at.get(key)
    if (held === undefined) this.#put(key, true, this.now() + ttlMs)
    else Object.assign(held, { done: true, expiresAt: this.now() + ttlMs })
  }

  release (key: string): void {
    const held = this.#at.get(key)
    if (held !== undefined) this.#slots[held.slot] = undefined
    this.#at.delete(key)
  }

  #put (key: string, done: boolean, expiresAt: number): void {
    this.release(key)
    const slot = this.#next
    this.#next = (slot + 1) % this.#slots.length
    const oldest = this.#slots[slot]
    if (oldest !== undefined) this.#at.delete(oldest)
    this.#slots[slot] = key
    this.#at.set(key, { slot, done, expiresAt })
  }
}

t.test('answers as the plain store does, over random calls, past the ring\'s growth and many collisions', async t => {
  // A small linear congruential generator: the same calls on every run.
  let seed = 12345
  const random = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    return seed % n
  }
  let clock = 0
  const now = (): number => clock
  for (const maxKeys of [1, 2, 3, 7, 64, 1500, 5000]) {
    const store = new MemoryStore({ maxKeys, now })
    const plain = new PlainStore(maxKeys, now)
    let differs = ''
    for (let i = 0; i < 60_000 && differs === ''; i++) {
      // Keys from a pool three times the store's size, so that some are found, some dropped, some new.
      const key = `pulse:msg_${random(3 * maxKeys)}`
      clock += random(3)
      const call = random(20)
      if (call < 10) {
        const [got, want] = [await store.claim(key, 5), plain.claim(key, 5)]
        if (got !== want) differs = `call ${i}: claim(${key}) answered ${got}, not ${want}`
      } else if (call < 17) {
        await store.complete(key, 20)
        plain.complete(key, 20)
      } else {
        await store.release(key)
        plain.release(key)
      }
      if (differs === '' && store.size !== plain.size) differs = `call ${i}: size ${store.size}, not ${plain.size}`
    }
    t.equal(differs, '', `maxKeys ${maxKeys}`)
  }
})

t.test('keys whose 32-bit hashes are the same are still told apart', async t => {
  // 400,000 keys that look random hold about 19 pairs of equal 32-bit hashes, whatever the ring's seed: a store that
  // compared hashes alone would answer one of each pair as already seen (xorshift32, the same keys on every run).
  let state = 2463534242
  const word = (): string => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0).toString(16).padStart(8, '0')
  }
  const count = 400_000
  const store = new MemoryStore({ maxKeys: count, now: () => 0 })
  let seen = 0
  for (let i = 0; i < count; i++) {
    if (await store.claim(`pulse:msg_${word()}${word()}`, 60_000) !== 'new') seen++
  }
  t.equal(seen, 0, 'every key new')
  t.equal(store.size, count)
})

t.test('the key ring: emptying a slot that holds no key changes nothing', async t => {
  const ring = new KeyRing(4)
  const slot = ring.insert('pulse:msg_1', false, 10)
  ring.remove(slot)
  ring.remove(slot)
  ring.remove(3)
  t.equal(ring.count, 0)
  t.equal(ring.find('pulse:msg_1'), -1)
  const next = ring.insert('pulse:msg_2', true, 20)
  t.equal(ring.find('pulse:msg_2'), next)
  t.equal(ring.count, 1)
})
