/**
 * The queue bench: a Pulse receiver whose handler does 50 ms of work in the request, against the same
 * receiver with the `queue` option and two webhook workers doing that work. Both answer distinct signed
 * deliveries from autocannon (10 connections), in interleaved rounds, against one real redis-server.
 * Called by bench/run.ts (`npm run bench`); alone: `node dist/bench/queue.js [--quick]`.
 */
import type { ChildProcess } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import { Queue } from 'bullmq'
import { spawnNode } from '../support/child-process.js'
import { startRedisServer } from '../support/redis-server.js'
import { load, nextId, type LoadResult } from './http.js'
import { markdownTable, median, textTable } from './measure.js'
import { KB, pulseBody } from './payloads.js'

const WORK_MS = 50
const WORKERS = 2
const WORKER_CONCURRENCY = 50
const QUEUE_NAME = 'bench'
const SCRIPT = new URL('./queue-server.js', import.meta.url).pathname

export interface QueueBenchResult { title: string, rows: Array<Record<string, string | number>>, markdown: string }

export async function queueBench (options: { quick: boolean }): Promise<QueueBenchResult> {
  const { quick } = options
  const redis = await startRedisServer()
  const children: ChildProcess[] = []
  const start = async (role: string): Promise<number> => {
    const child = spawnNode(SCRIPT, [role, String(redis.port), QUEUE_NAME, String(WORK_MS), String(WORKER_CONCURRENCY)])
    children.push(child)
    return await new Promise<number>((resolve, reject) => {
      child.once('message', (m: { port?: number }) => resolve(m.port ?? 0))
      child.once('exit', code => reject(new Error(`queue bench ${role} exited with ${code}`)))
    })
  }
  const queue = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port: redis.port } })
  try {
    const urls = {
      inline: `http://127.0.0.1:${await start('inline')}/webhooks/pulse`,
      queue: `http://127.0.0.1:${await start('queue')}/webhooks/pulse`
    }
    const body = pulseBody(KB)
    const rounds = quick ? 2 : 4
    const duration = quick ? 1 : 3
    const results: Record<keyof typeof urls, LoadResult[]> = { inline: [], queue: [] }
    let bad = 0
    const run = async (mode: keyof typeof urls, seconds: number): Promise<LoadResult> => {
      const r = await load(urls[mode], body, { distinct: nextId }, { duration: seconds })
      bad += r.bad
      return r
    }
    for (const mode of ['inline', 'queue'] as const) await run(mode, 0.5) // warm-up
    for (let round = 0; round < rounds; round++) {
      const order: Array<keyof typeof urls> = round % 2 === 0 ? ['inline', 'queue'] : ['queue', 'inline']
      for (const mode of order) results[mode].push(await run(mode, duration))
    }

    // The rounds above ran with no worker, as when workers have machines of their own: the answer alone.
    // End to end: workers on this machine too, a burst of deliveries timed until they have run every job.
    for (let i = 0; i < WORKERS; i++) await start('worker')
    await drained(queue)
    const burst = quick ? 1000 : 4000
    const before = await queue.getJobCountByTypes('completed')
    const t0 = performance.now()
    const sent = await load(urls.queue, body, { distinct: nextId }, { amount: burst })
    bad += sent.bad
    await drained(queue, before + sent.ok)
    const processedPerSecond = sent.ok / ((performance.now() - t0) / 1000)

    const m = (mode: keyof typeof urls, key: 'rps' | 'p50' | 'p99'): number => median(results[mode].map(r => r[key]))
    const inline = { p50: m('inline', 'p50'), p99: m('inline', 'p99'), rps: m('inline', 'rps') }
    const queued = { p50: m('queue', 'p50'), p99: m('queue', 'p99'), rps: m('queue', 'rps') }
    const rows = [
      {
        mode: `inline: ${WORK_MS} ms handler in the request`,
        'answer p50 ms': round2(inline.p50),
        'answer p99 ms': round2(inline.p99),
        'answers/s': Math.round(inline.rps),
        'events processed/s': Math.round(inline.rps)
      },
      {
        mode: 'queue: 202 once Redis has the job (workers elsewhere)',
        'answer p50 ms': round2(queued.p50),
        'answer p99 ms': round2(queued.p99),
        'answers/s': Math.round(queued.rps),
        'events processed/s': '-'
      },
      {
        mode: `queue, ${burst} burst, ${WORKERS} workers × ${WORKER_CONCURRENCY} on this machine`,
        'answer p50 ms': round2(sent.p50),
        'answer p99 ms': round2(sent.p99),
        'answers/s': Math.round(sent.rps),
        'events processed/s': Math.round(processedPerSecond)
      },
      {
        mode: 'ratio: inline / queue for latency, queue / inline for throughput',
        'answer p50 ms': `${round2(inline.p50 / queued.p50)}x (${round2(inline.p50 / sent.p50)}x)`,
        'answer p99 ms': `${round2(inline.p99 / queued.p99)}x (${round2(inline.p99 / sent.p99)}x)`,
        'answers/s': `${round2(queued.rps / inline.rps)}x (${round2(sent.rps / inline.rps)}x)`,
        'events processed/s': `${round2(processedPerSecond / inline.rps)}x`
      }
    ]
    const note =
      `Distinct signed 1 KiB Pulse deliveries, 10 connections, ${rounds} interleaved rounds of ${duration} s ` +
      '(medians) ' +
      `against one redis-server on this machine. The burst: ${burst} deliveries timed from the first until the ` +
      'workers had run every job; ' +
      `ratios in parentheses are for the burst. Non-2xx or errors: ${bad}.`
    return {
      title: 'Queue (BullMQ) vs inline handlers doing 50 ms of work',
      rows,
      markdown: `${markdownTable(rows)}\n\n${note}\n`
    }
  } finally {
    for (const child of children) if (child.connected) child.disconnect()
    await queue.close()
    await redis.close()
  }
}

/** Waits until no job waits or runs (and, if given, until `completed` jobs are done in all). */
async function drained (queue: Queue, completed = 0): Promise<void> {
  for (;;) {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed')
    if (counts.waiting === 0 && counts.active === 0 && counts.delayed === 0 && (counts.completed ?? 0) >= completed) {
      return
    }
    await sleep(10)
  }
}

const round2 = (n: number): number => Math.round(n * 100) / 100

// Alone: node dist/bench/queue.js [--quick]
if (process.argv[1] === new URL(import.meta.url).pathname) {
  const result = await queueBench({ quick: process.argv.includes('--quick') })
  console.log(`${result.title}\n${textTable(result.rows)}\n${result.markdown}`)
}
