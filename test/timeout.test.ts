/** withTimeout: the limit the queue and the secret cache put on a promise. */
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { withTimeout } from '../lib/core/timeout.js'

const late = () => new Error('late')

t.test('a promise that settles in time is its own answer; one that does not is the timeout\'s', async t => {
  t.equal(await withTimeout(Promise.resolve(1), 1000, late), 1)
  await t.rejects(withTimeout(new Promise(() => {}), 1, late), /late/)
})

t.test('a limit beyond what a timer can wait, Infinity too, is no limit (a timer would fire at once)', async t => {
  for (const ms of [Infinity, 2 ** 31, 1e10]) {
    // Settles only after a delay a 1 ms timer would beat: an overflowed timer would reject first.
    t.equal(await withTimeout(sleep(20).then(() => 'kept'), ms, late), 'kept', String(ms))
  }
})
