/**
 * `fastify-webhooks stats` against real endpoints that answer what a recipe, the OpenTelemetry exporter
 * or a wrong URL would; and the exposition parser, which refuses every line it cannot read.
 */
import Fastify from 'fastify'
import t from 'tap'
import { ExpositionError, parseExposition } from '../bin/exposition.js'
import { main } from '../bin/main.js'
import { quantile } from '../bin/stats.js'

/** What /<name> answers: a body, or a status. */
const pages: Record<string, { body: string, status?: number }> = {
  // What @opentelemetry/exporter-prometheus writes for fastify-webhooks/otel: dotted names become underscores.
  otel: {
    body: [
      '# HELP webhook_deliveries_total Webhook deliveries received, by outcome',
      '# TYPE webhook_deliveries_total counter',
      'webhook_deliveries_total{webhook_provider="pulse",webhook_outcome="accepted"} 7 1700000000000',
      'webhook_deliveries_total{webhook_provider="pulse",webhook_outcome="refused",' +
        'webhook_refusal_reason="invalid-signature"} 2',
      'webhook_deliveries_total{webhook_provider="retab",webhook_outcome="accepted",} 1',
      'webhook_deliveries_total{webhook_provider="retab"} 3',
      'webhook_handler_duration_seconds_bucket{webhook_provider="pulse",webhook_where="route",le="0.01"} 5',
      'webhook_handler_duration_seconds_bucket{webhook_provider="pulse",webhook_where="route",le="0.1"} 7',
      'webhook_handler_duration_seconds_bucket{webhook_provider="pulse",webhook_where="route",le="+Inf"} 7',
      'webhook_handler_duration_seconds_bucket{webhook_provider="other",le="+Inf"} 7',
      ''
    ].join('\n')
  },
  none: { body: '# nothing of ours\nprocess_cpu_seconds_total 1.5\n' },
  broken: { body: 'webhook_deliveries_total{provider="pulse" 1\n' },
  missing: { body: 'not here', status: 404 }
}

const app = Fastify()
for (const [name, { body, status = 200 }] of Object.entries(pages)) {
  app.get(`/${name}`, async (_request, reply) => reply.code(status).type('text/plain; version=0.0.4').send(body))
}
const base = await app.listen({ port: 0, host: '127.0.0.1' })
t.teardown(() => app.close())

async function stats (...args: string[]): Promise<{ code: number, out: string, err: string }> {
  const out: string[] = []
  const err: string[] = []
  const code = await main(['stats', ...args], { out: s => out.push(s), err: s => err.push(s), env: {} })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

t.test('the OpenTelemetry exporter\'s label names, several providers', async t => {
  const { code, out } = await stats('--url', `${base}/otel`)
  t.equal(code, 0)
  const lines = out.split('\n').map(line => line.split(/ {2,}/))
  t.same(lines.map(cells => cells[0]), ['provider', 'pulse', 'retab'])
  // p50: rank 3.5 of 7 falls in the first bucket (5 under 10 ms): 3.5 / 5 of 10 ms. p99: rank 6.93, in (10 ms, 100 ms].
  t.same(lines[1], ['pulse', '7', '0', '0', '2 (invalid-signature 2)', '0', '0', '7.0', '96.8'])
  t.same(lines[2], ['retab', '1', '0', '0', '0', '0', '0', '-', '-'], 'no handler times: no quantiles')
})

t.test('what stats refuses, and why', async t => {
  t.match(await stats('--url', `${base}/none`), {
    code: 1,
    err: /has no webhook_deliveries_total: set up the Prometheus recipe/
  })
  t.match(await stats('--url', `${base}/broken`), {
    code: 1,
    err: /is not Prometheus text: line 1: label provider: expected , or } after its value/
  })
  t.match(await stats('--url', `${base}/missing`), { code: 1, err: /: 404 Not Found$/ })
  const closed = Fastify()
  const gone = await closed.listen({ port: 0, host: '127.0.0.1' })
  await closed.close()
  t.match(await stats('--url', `${gone}/metrics`), { code: 1, err: /could not reach .*: ECONNREFUSED/ })
  t.match(await stats(), { code: 2, err: /--url is required, e.g. --url http:\/\/127\.0\.0\.1:3000\/metrics/ })
  t.match(await stats('pulse', '--url', `${base}/otel`), {
    code: 2,
    err: /stats takes no provider or other argument, not "pulse"/
  })
  const help = await stats('--help')
  t.match(help, { code: 0, out: /Usage: fastify-webhooks stats --url <metrics url>/ })
  t.notMatch(help.out, 'Providers:', 'it takes no provider, so it lists none')
  t.match(help.out, 'Exit codes:')
})

t.test('the parser reads the format, escapes and special values included', async t => {
  const [sample, inf, nan, negative] = parseExposition([
    'a_b:c{x="q\\"uote",y="back\\\\slash",z="new\\nline",__proto__="p"} 1.5e3 -12',
    'up{} +Inf',
    'nan NaN',
    '\tneg -Inf',
    '   ',
    'm\t.5'
  ].join('\n').replace('\tneg', 'neg'))
  t.equal(sample!.name, 'a_b:c')
  t.same({ ...sample!.labels }, { x: 'q"uote', y: 'back\\slash', z: 'new\nline', ['__proto__']: 'p' })
  t.equal(Object.getPrototypeOf(sample!.labels), null)
  t.equal(sample!.value, 1500)
  t.equal(inf!.value, Infinity)
  t.ok(Number.isNaN(nan!.value))
  t.equal(negative!.value, -Infinity)
  const bad: Array<[string, RegExp]> = [
    ['{x="1"} 1', /line 1: expected a metric name/],
    ['m{1x="1"} 1', /expected a label name or \}/],
    ['m{x=1} 1', /label x: expected ="/],
    ['m{x="1', /label x: the value has no closing quote/],
    ['m{x="\\t"} 1', /label x: unknown escape \\t/],
    ['m{x="1",x="2"} 1', /label x given twice/],
    ['m{x="1";y="2"} 1', /label x: expected , or \}/],
    ['m1', /m1: expected a space, then the value/],
    ['m one', /m: "one" is not a number/],
    ['m 1 soon', /m: the timestamp "soon" is not an integer/],
    ['m 1 2 3', /m: unexpected "3" after the timestamp/],
    ['m constructor', /m: "constructor" is not a number/]
  ]
  for (const [line, message] of bad) {
    t.throws(
      () => parseExposition(`# ok\n${line}`),
      { constructor: ExpositionError, message: new RegExp(message.source.replace(/^line 1/, 'line 2')) },
      line
    )
  }
})

t.test('quantiles from cumulative buckets, as histogram_quantile', async t => {
  const buckets = new Map([[0.1, 50], [0.2, 100], [Infinity, 100]])
  t.equal(quantile(buckets, 0.5), 0.1)
  t.ok(Math.abs(quantile(buckets, 0.75)! - 0.15) < 1e-12, 'interpolated within its bucket')
  t.equal(quantile(new Map([[0.1, 1], [Infinity, 2]]), 0.99), 0.1, 'in the +Inf bucket: the highest finite bound')
  t.equal(quantile(new Map([[Infinity, 0]]), 0.5), null)
  t.equal(quantile(new Map(), 0.5), null)
  t.equal(
    quantile(
      new Map([
        [Number.NaN, 3],
        [1, 2],
        [Infinity, 2]
      ]),
      0.5
    ),
    0.5,
    'a bucket whose le is no number is left out'
  )
})
