/**
 * The live counts: deliveries per provider and tenant by outcome over the last minutes, from the diagnostics
 * channels. It subscribes only while someone looks (a stream open, or a page shown within `lingerMs`), so with
 * no dashboard open the route's channels have no subscriber and cost nothing; when it unsubscribes the counts go.
 */
import { subscribeWebhooks } from '../observe/channels.js'

export const OUTCOMES = ['handled', 'duplicate', 'in flight', 'queued', 'failed', 'refused', 'invalid'] as const
export type Outcome = (typeof OUTCOMES)[number]

export interface LiveRow {
  provider: string
  tenant: string | null
  counts: Record<Outcome, number>
}

const MINUTE = 60_000

export class LiveCounts {
  readonly #windowMs: number
  readonly #lingerMs: number
  readonly #now: () => number
  /** minute → "provider\ntenant" → counts */
  readonly #minutes = new Map<number, Map<string, Record<Outcome, number>>>()
  #streams = 0
  #unsubscribe: (() => void) | null = null
  #linger: NodeJS.Timeout | null = null

  constructor (options: { windowMinutes: number, lingerSeconds: number, now?: () => number }) {
    this.#windowMs = options.windowMinutes * MINUTE
    this.#lingerMs = options.lingerSeconds * 1000
    this.#now = options.now ?? Date.now
  }

  get listening (): boolean {
    return this.#unsubscribe !== null
  }

  /** A page was shown: listen for `lingerMs` more, so that its next refresh has counts. */
  touch (): void {
    this.#listen()
    if (this.#linger !== null) clearTimeout(this.#linger)
    this.#linger = setTimeout(() => {
      this.#linger = null
      this.#stopIfIdle()
    }, this.#lingerMs).unref()
  }

  /** A stream opened: listen until the function it returns is called. */
  watch (): () => void {
    this.#listen()
    this.#streams++
    let done = false
    return () => {
      if (done) return
      done = true
      this.#streams--
      this.#stopIfIdle()
    }
  }

  /** Stops listening whatever is open (the server closes). */
  close (): void {
    if (this.#linger !== null) clearTimeout(this.#linger)
    this.#linger = null
    this.#streams = 0
    this.#stopIfIdle()
  }

  /** The rows of the window, by provider then tenant. */
  rows (): LiveRow[] {
    const from = this.#minute() - this.#windowMs
    const rows = new Map<string, LiveRow>()
    for (const [minute, counts] of this.#minutes) {
      if (minute <= from) continue
      for (const [name, add] of counts) {
        const [provider, tenant] = name.split('\n') as [string, string]
        let row = rows.get(name)
        if (row === undefined) {
          rows.set(name, (row = { provider, tenant: tenant === '' ? null : tenant, counts: zero() }))
        }
        for (const outcome of OUTCOMES) row.counts[outcome] += add[outcome]
      }
    }
    return [...rows.values()].sort((a, b) =>
      a.provider.localeCompare(b.provider) || (a.tenant ?? '').localeCompare(b.tenant ?? ''))
  }

  #minute (): number {
    return Math.floor(this.#now() / MINUTE) * MINUTE
  }

  #count (provider: string, tenant: string | undefined, outcome: Outcome): void {
    const minute = this.#minute()
    let counts = this.#minutes.get(minute)
    if (counts === undefined) {
      this.#minutes.set(minute, (counts = new Map()))
      for (const old of this.#minutes.keys()) if (old <= minute - this.#windowMs) this.#minutes.delete(old)
    }
    const name = `${provider}\n${tenant ?? ''}`
    let row = counts.get(name)
    if (row === undefined) counts.set(name, (row = zero()))
    row[outcome]++
  }

  #listen (): void {
    if (this.#unsubscribe !== null) return
    this.#unsubscribe = subscribeWebhooks({
      handled: m => { this.#count(m.provider, m.tenant, 'handled') },
      duplicate: m => { this.#count(m.provider, m.tenant, m.inFlight ? 'in flight' : 'duplicate') },
      queued: m => { this.#count(m.provider, m.tenant, 'queued') },
      failed: m => { this.#count(m.provider, m.tenant, 'failed') },
      refused: m => { this.#count(m.provider, undefined, m.outcome) }
    })
  }

  #stopIfIdle (): void {
    if (this.#streams > 0 || this.#linger !== null || this.#unsubscribe === null) return
    this.#unsubscribe()
    this.#unsubscribe = null
    this.#minutes.clear()
  }
}

function zero (): Record<Outcome, number> {
  return Object.fromEntries(OUTCOMES.map(outcome => [outcome, 0])) as Record<Outcome, number>
}
