/**
 * The keys of a MemoryStore, oldest first out: a ring of slots, each holding a key with its done mark and its
 * expiry, found through an open-addressed hash index in typed arrays.
 *
 * Why not a Map: every delivery brings a key never seen, so a Map of 100,000 string keys misses the cache at each
 * step of a lookup, of the insert and of the oldest key's delete, and compares the keys it walks past. Here a
 * lookup reads one or two adjacent index cells (a 32-bit hash and a slot number) and compares a key only when its
 * hash matched; the slots are written in order.
 */
import { randomInt } from 'node:crypto'

/** The fewest slots a ring starts with; it doubles from there up to its size, as keys come. */
const FIRST_SLOTS = 1024

export class KeyRing {
  /** the most keys kept: past it, each new key takes the oldest one's slot */
  readonly size: number
  #count = 0
  #next = 0
  /** Two cells per bucket: the key's hash, and its slot + 1 (0: the bucket is empty). Half full at most. */
  #index: Uint32Array
  #mask: number
  #keys: Array<string | undefined> = []
  #hashes: Uint32Array
  #expiresAt: Float64Array
  #done: Uint8Array
  /** Random per ring, so that no one can pick keys that share a bucket in every process. */
  readonly #seed = randomInt(2 ** 32)

  constructor (size: number) {
    this.size = size
    const slots = Math.min(size, FIRST_SLOTS)
    this.#hashes = new Uint32Array(slots)
    this.#expiresAt = new Float64Array(slots)
    this.#done = new Uint8Array(slots)
    this.#index = new Uint32Array(0)
    this.#mask = 0
    this.#reindex(slots)
  }

  /** How many slots hold a key. */
  get count (): number {
    return this.#count
  }

  /** The slot holding `key`, or -1. */
  find (key: string): number {
    return this.#find(key, this.#hash(key))
  }

  isDone (slot: number): boolean {
    return this.#done[slot] === 1
  }

  expiresAt (slot: number): number {
    return this.#expiresAt[slot]!
  }

  mark (slot: number, done: boolean, expiresAt: number): void {
    this.#done[slot] = done ? 1 : 0
    this.#expiresAt[slot] = expiresAt
  }

  /** Puts `key` (which no slot holds) in the next slot, dropping the key that slot held, and answers the slot. */
  insert (key: string, done: boolean, expiresAt: number): number {
    const slot = this.#next
    this.#next = slot + 1 === this.size ? 0 : slot + 1
    if (slot === this.#hashes.length) this.#grow()
    else if (this.#keys[slot] !== undefined) this.remove(slot)
    const hash = this.#hash(key)
    this.#keys[slot] = key
    this.#hashes[slot] = hash
    this.mark(slot, done, expiresAt)
    this.#place(hash, slot)
    this.#count++
    return slot
  }

  /** Empties `slot`; one that holds no key is left as it is (its key's cell would be searched for ever). */
  remove (slot: number): void {
    if (this.#keys[slot] === undefined) return
    const index = this.#index
    const mask = this.#mask
    let hole = this.#hashes[slot]! & mask
    while (index[2 * hole + 1] !== slot + 1) hole = (hole + 1) & mask
    // Linear probing's deletion: pull back each later key of the run that may sit in the hole, so that no lookup
    // stops at the hole short of its key.
    for (let at = (hole + 1) & mask; index[2 * at + 1] !== 0; at = (at + 1) & mask) {
      const home = index[2 * at]! & mask
      if (((at - home) & mask) >= ((at - hole) & mask)) {
        index[2 * hole] = index[2 * at]!
        index[2 * hole + 1] = index[2 * at + 1]!
        hole = at
      }
    }
    index[2 * hole] = 0
    index[2 * hole + 1] = 0
    this.#keys[slot] = undefined
    this.#count--
  }

  #find (key: string, hash: number): number {
    const index = this.#index
    const mask = this.#mask
    for (let at = hash & mask; index[2 * at + 1] !== 0; at = (at + 1) & mask) {
      const slot = index[2 * at + 1]! - 1
      if (index[2 * at] === hash && this.#keys[slot] === key) return slot
    }
    return -1
  }

  #place (hash: number, slot: number): void {
    const index = this.#index
    const mask = this.#mask
    let at = hash & mask
    while (index[2 * at + 1] !== 0) at = (at + 1) & mask
    index[2 * at] = hash
    index[2 * at + 1] = slot + 1
  }

  /** Twice the slots (at most `size`), and an index to match. */
  #grow (): void {
    const slots = Math.min(this.size, 2 * this.#hashes.length)
    this.#hashes = copied(this.#hashes, new Uint32Array(slots))
    this.#expiresAt = copied(this.#expiresAt, new Float64Array(slots))
    this.#done = copied(this.#done, new Uint8Array(slots))
    this.#reindex(slots)
  }

  #reindex (slots: number): void {
    let buckets = 2
    while (buckets < 2 * slots) buckets *= 2
    this.#index = new Uint32Array(2 * buckets)
    this.#mask = buckets - 1
    for (let slot = 0; slot < this.#keys.length; slot++) {
      if (this.#keys[slot] !== undefined) this.#place(this.#hashes[slot]!, slot)
    }
  }

  /** FNV-1a over the key's UTF-16 units from the ring's seed, then murmur3's finalizer to spread the low bits. */
  #hash (key: string): number {
    let hash = this.#seed
    for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193)
    hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b)
    hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35)
    return (hash ^ (hash >>> 16)) >>> 0
  }
}

function copied<T extends Uint32Array | Float64Array | Uint8Array> (from: T, to: T): T {
  to.set(from)
  return to
}
