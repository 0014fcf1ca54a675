/**
 * `stats --url <metrics url>`: the per-provider table of a Prometheus endpoint fed by this package
 * (the README's prom-client recipe, or fastify-webhooks/otel with a Prometheus exporter, whose label
 * names carry a `webhook_` prefix).
 */
import { parseExposition, type ExpositionError, type Sample } from './exposition.js'
import { UsageError, formatTable, httpUrl, networkReason, type CommandInput } from './io.js'

export const statsOptions = {
  url: { type: 'string' }
} as const

interface StatsValues { url?: string }

const TIMEOUT_MS = 10_000
const DELIVERIES = 'webhook_deliveries_total'
const HANDLER_BUCKETS = 'webhook_handler_duration_seconds_bucket'

/** Reads the endpoint and prints the table. Exit 0, or 1 when it cannot be read or has no webhook figures. */
export async function stats (
  { positionals, values, io }: Omit<CommandInput<StatsValues>, 'provider'>
): Promise<number> {
  if (positionals.length > 0) {
    throw new UsageError(`stats takes no provider or other argument, not "${positionals.join(' ')}"`)
  }
  const url = httpUrl(values.url, 'http://127.0.0.1:3000/metrics')
  let text: string
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) })
    text = await res.text()
    if (!res.ok) {
      io.err(`GET ${url}: ${res.status} ${res.statusText}`)
      return 1
    }
  } catch (err) {
    io.err(`could not reach ${url}: ${networkReason(err)}`)
    return 1
  }
  let samples: Sample[]
  try {
    samples = parseExposition(text)
  } catch (err) {
    io.err(`${url} is not Prometheus text: ${(err as ExpositionError).message}`)
    return 1
  }
  const rows = providerStats(samples)
  if (rows.length === 0) {
    io.err(
      `${url} has no ${DELIVERIES}: set up the Prometheus recipe or fastify-webhooks/otel (README, "Observing ` +
      'deliveries")'
    )
    return 1
  }
  io.out(formatTable(rows.map(row)))
  return 0
}

export interface ProviderStats {
  provider: string
  /** count per outcome: accepted, duplicate, in_flight, refused, invalid, failed */
  outcomes: Map<string, number>
  /** outcome → reason → count, for the deliveries that carry a reason (refused, invalid) */
  reasons: Map<string, Map<string, number>>
  /** cumulative handler-time buckets (seconds → count), summed over the other labels */
  buckets: Map<number, number>
}

/** A label by its recipe name, or by the name OpenTelemetry's exporter gives it. */
function label (sample: Sample, name: string, otelName: string): string | undefined {
  return sample.labels[name] ?? sample.labels[otelName]
}

export function providerStats (samples: readonly Sample[]): ProviderStats[] {
  const byProvider = new Map<string, ProviderStats>()
  const of = (provider: string): ProviderStats => {
    let stats = byProvider.get(provider)
    if (stats === undefined) {
      byProvider.set(provider, (stats = { provider, outcomes: new Map(), reasons: new Map(), buckets: new Map() }))
    }
    return stats
  }
  for (const sample of samples) {
    const provider = label(sample, 'provider', 'webhook_provider') ?? '(none)'
    if (sample.name === DELIVERIES) {
      const stats = of(provider)
      const outcome = label(sample, 'outcome', 'webhook_outcome') ?? '(none)'
      add(stats.outcomes, outcome, sample.value)
      const reason = label(sample, 'reason', 'webhook_refusal_reason')
      if (reason === undefined || reason === '') continue
      if (!stats.reasons.has(outcome)) stats.reasons.set(outcome, new Map())
      add(stats.reasons.get(outcome)!, reason, sample.value)
    } else if (sample.name === HANDLER_BUCKETS && byProvider.has(provider)) {
      add(of(provider).buckets, Number(sample.labels.le), sample.value)
    }
  }
  return [...byProvider.values()].sort((a, b) => a.provider.localeCompare(b.provider))
}

function add<K> (map: Map<K, number>, key: K, n: number): void {
  map.set(key, (map.get(key) ?? 0) + n)
}

/**
 * The q-quantile of a cumulative histogram, interpolated within its bucket as Prometheus's
 * histogram_quantile does; null for no observations. In the +Inf bucket: the highest finite bound.
 */
export function quantile (buckets: ReadonlyMap<number, number>, q: number): number | null {
  const sorted = [...buckets].filter(([le]) => !Number.isNaN(le)).sort(([a], [b]) => a - b)
  const total = sorted.at(-1)?.[1] ?? 0
  if (total === 0) return null
  const rank = q * total
  const i = sorted.findIndex(([, count]) => count >= rank)
  const [le, count] = sorted[i]!
  const [below, countBelow] = i === 0 ? [0, 0] : sorted[i - 1]!
  if (le === Infinity) return below
  return below + (le - below) * (rank - countBelow) / (count - countBelow)
}

function row (stats: ProviderStats): Record<string, string> {
  const count = (outcome: string): number => stats.outcomes.get(outcome) ?? 0
  const ms = (q: number): string => {
    const seconds = quantile(stats.buckets, q)
    return seconds === null ? '-' : (seconds * 1000).toFixed(1)
  }
  const byReason = (outcome: string): string => {
    const n = count(outcome)
    const reasons = [...stats.reasons.get(outcome) ?? []].map(([reason, k]) => `${reason} ${k}`)
    return reasons.length === 0 ? String(n) : `${n} (${reasons.join(', ')})`
  }
  return {
    provider: stats.provider,
    accepted: String(count('accepted')),
    duplicates: String(count('duplicate')),
    'in flight': String(count('in_flight')),
    refused: byReason('refused'),
    invalid: byReason('invalid'),
    failed: String(count('failed')),
    'handler p50 ms': ms(0.5),
    'handler p99 ms': ms(0.99)
  }
}
