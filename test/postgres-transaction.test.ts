import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import type pg from 'pg'
import { PostgresClaimLostError, PostgresStore } from '../lib/stores/postgres.js'
import { connect, startPostgres } from './helpers/postgres.js'

t.test('PostgresStore.transaction: the handler\'s writes and the done mark commit together, or neither', async t => {
  const server = await startPostgres()
  const pool = connect(server)
  const other = connect(server)
  t.teardown(async () => { await Promise.all([pool.end(), other.end()]); await server.close() })
  const store = new PostgresStore({ pool })
  const elsewhere = new PostgresStore({ pool: other })
  await store.migrate()
  await pool.query('CREATE TABLE jobs (id text PRIMARY KEY)')

  const jobs = async (): Promise<string[]> =>
    (await pool.query<{ id: string }>('SELECT id FROM jobs ORDER BY id')).rows.map(r => r.id)
  const insertJob = async (tx: pg.PoolClient, id: string): Promise<void> => {
    await tx.query('INSERT INTO jobs (id) VALUES ($1)', [id])
  }

  t.test('work resolving true: its row and the done mark are committed', async t => {
    t.equal(await store.claim('pulse:commit', 60_000), 'new')
    t.equal(
      await store.transaction('pulse:commit', 60_000, async tx => {
        await insertJob(tx, 'commit')
        return true
      }),
      true
    )
    t.same(await jobs(), ['commit'])
    t.equal(await elsewhere.claim('pulse:commit', 60_000), 'done')
  })

  t.test('work that throws: neither its row nor the mark; the claim stays for the caller to release', async t => {
    t.equal(await store.claim('pulse:throws', 60_000), 'new')
    const failure = new Error('handler failed')
    await t.rejects(
      store.transaction('pulse:throws', 60_000, async tx => {
        await insertJob(tx, 'throws')
        throw failure
      }),
      failure
    )
    t.notOk((await jobs()).includes('throws'))
    t.equal(await elsewhere.claim('pulse:throws', 60_000), 'in-flight')
    await store.release('pulse:throws')
    t.equal(await elsewhere.claim('pulse:throws', 60_000), 'new')
  })

  t.test('work resolving false: rolled back, resolves false, the claim stays', async t => {
    t.equal(await store.claim('pulse:false', 60_000), 'new')
    t.equal(
      await store.transaction('pulse:false', 60_000, async tx => {
        await insertJob(tx, 'false')
        return false
      }),
      false
    )
    t.notOk((await jobs()).includes('false'))
    t.equal(await elsewhere.claim('pulse:false', 60_000), 'in-flight')
  })

  t.test('work whose query failed (the transaction is aborted) cannot commit by resolving true', async t => {
    t.equal(await store.claim('pulse:aborted', 60_000), 'new')
    await t.rejects(store.transaction('pulse:aborted', 60_000, async tx => {
      await insertJob(tx, 'aborted')
      await tx.query('SELECT no_such_column FROM jobs').catch(() => {})
      return true
    }), /current transaction is aborted/)
    t.notOk((await jobs()).includes('aborted'))
    t.equal(await elsewhere.claim('pulse:aborted', 60_000), 'in-flight')
  })

  t.test(
    "the lease ran out and another store took the event: nothing commits, and the newer owner's run " + 'does',
    async t => {
      t.equal(await store.claim('pulse:lost', 20), 'new')
      await sleep(40)
      t.equal(await elsewhere.claim('pulse:lost', 60_000), 'new')
      await t.rejects(
        store.transaction('pulse:lost', 60_000, async tx => {
          await insertJob(tx, 'lost-first')
          return true
        }),
        PostgresClaimLostError
      )
      t.equal(
        await elsewhere.transaction('pulse:lost', 60_000, async tx => {
          await insertJob(tx, 'lost-second')
          return true
        }),
        true
      )
      const ids = await jobs()
      t.ok(ids.includes('lost-second') && !ids.includes('lost-first'), "only the owner's write is there")
      await t.rejects(
        store.transaction('pulse:lost', 60_000, async () => true),
        { code: 'WEBHOOK_CLAIM_LOST', statusCode: 409 },
        'a key done already cannot be marked by another run'
      )
    }
  )

  t.test('the lease ran out but no one took the event: the late run still commits', async t => {
    t.equal(await store.claim('pulse:late', 20), 'new')
    await sleep(40)
    t.equal(
      await store.transaction('pulse:late', 60_000, async tx => {
        await insertJob(tx, 'late')
        return true
      }),
      true
    )
    t.ok((await jobs()).includes('late'))
    t.equal(await elsewhere.claim('pulse:late', 60_000), 'done')
  })

  t.test('two runs of one event, both past the lease, race to commit: exactly one does', async t => {
    t.equal(await store.claim('pulse:race', 20), 'new')
    await sleep(40)
    t.equal(await elsewhere.claim('pulse:race', 60_000), 'new')
    const results = await Promise.allSettled(
      [store, elsewhere].map((s, i) =>
        s.transaction('pulse:race', 60_000, async tx => {
          await insertJob(tx, `race-${i}`)
          await sleep(20)
          return true
        })
      )
    )
    t.same(
      results.map(r => r.status),
      ['rejected', 'fulfilled']
    )
    t.same(
      (await jobs()).filter(id => id.startsWith('race-')),
      ['race-1']
    )
  })

  t.test('the connection killed mid-transaction: no partial write; the claim is retryable after its lease', async t => {
    t.equal(await store.claim('pulse:killed', 1000), 'new')
    await t.rejects(store.transaction('pulse:killed', 60_000, async tx => {
      await insertJob(tx, 'killed')
      const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
      // Between queries, as while a handler awaits something else: the dead connection must not crash the process.
      await other.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid])
      await sleep(50)
      await insertJob(tx, 'killed-after')
      return true
    }), /connection error/)
    t.same((await jobs()).filter(id => id.startsWith('killed')), [], 'nothing from the transaction was committed')
    t.equal(await elsewhere.claim('pulse:killed', 60_000), 'in-flight', 'the claim outlives its connection')
    await sleep(1000)
    t.equal(await elsewhere.claim('pulse:killed', 60_000), 'new', 'after the lease, the retry runs')
    t.equal(
      await elsewhere.transaction('pulse:killed', 60_000, async tx => {
        await insertJob(tx, 'killed')
        return true
      }),
      true
    )
    t.same(
      (await jobs()).filter(id => id.startsWith('killed')),
      ['killed']
    )
  })

  t.test('the connection killed during one of the work\'s queries: the same', async t => {
    t.equal(await store.claim('pulse:killed-query', 60_000), 'new')
    await t.rejects(store.transaction('pulse:killed-query', 60_000, async tx => {
      await insertJob(tx, 'killed-query')
      const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
      const slow = tx.query('SELECT pg_sleep(10)')
      slow.catch(() => {}) // it may fail before the terminate below resolves; it is awaited after
      await sleep(50)
      await other.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid])
      await slow
      return true
    }), /terminating connection due to administrator command/)
    t.notOk((await jobs()).includes('killed-query'))
  })

  t.test('the pool is left whole: no connection stays checked out, and the store goes on working', async t => {
    t.equal(pool.totalCount - pool.idleCount, 0, 'every connection was given back or destroyed')
    t.equal(await store.claim('pulse:after', 60_000), 'new')
    t.equal(await store.transaction('pulse:after', 60_000, async () => true), true)
  })
})
