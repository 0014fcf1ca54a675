/**
 * The `fastify-webhooks` command against a real server on 127.0.0.1: a few runs
 * of the real bin in a child process (bin/cli.ts under tap's TypeScript loader,
 * so its coverage counts), the rest through `main` in this process (the same
 * code, minus the ~2 s it takes a child to load TypeScript).
 */
import { createHash, createHmac } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import { Webhook } from 'standardwebhooks'
import t from 'tap'
import { main, USAGE } from '../bin/main.js'
import { parsePlainSecret } from '../lib/schemes/hmac-hex.js'
import { parseStandardSecret } from '../lib/schemes/standard-webhooks.js'
import { fixtures, sign } from '../lib/testing/kit.js'
import { spawnChild } from '../support/child-process.js'
import { providers, type ProviderName } from '../plugins/registry.js'
import { registrySecrets } from './helpers/registry-secrets.js'
import { HEX_SECRET, HEX_SECRET_2, SW_SECRET, SW_SECRET_2 } from './helpers/sign.js'

const { secrets, signing } = registrySecrets()
const names = Object.keys(providers) as ProviderName[]
/** The shipped providers as the CLI and the kit list them. */
const listed = names.join(', ')

interface Seen { provider: string, type: string, id: string, raw: string }
const seen: Seen[] = []
/** What reached /echo, which answers 200 to anything. */
const echoed: Array<{ headers: Record<string, unknown>, body: unknown }> = []

async function startServer (): Promise<{ app: FastifyInstance, base: string }> {
  const app = Fastify()
  for (const name of names) {
    await app.register(providers[name] as typeof providers.pulse, {
      secret: secrets[name],
      onEvent: (event, request) => {
        seen.push({ provider: name, type: event.type, id: event.id, raw: String(request.rawBody) })
      }
    })
  }
  // A careless endpoint that answers 200 to anything, to see --tamper catch it.
  app.post('/careless', async () => ({ ok: true }))
  app.post('/empty', async (_request, reply) => reply.code(204).send())
  app.post('/echo', async request => {
    echoed.push({ headers: request.headers, body: request.body })
    return { ok: true }
  })
  app.post('/chatty', async () => 'x'.repeat(2000))
  const base = await app.listen({ host: '127.0.0.1', port: 0 })
  return { app, base }
}

interface Run { code: number, out: string, err: string }

/** The real bin, as `npx fastify-webhooks` runs it, in a child process. */
function bin (args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawnChild(process.execPath, [...process.execArgv, 'bin/cli.ts', ...args], {
      env: { ...process.env, WEBHOOK_SECRET: '' }
    })
    let out = ''
    let err = ''
    child.stdout!.on('data', chunk => { out += chunk })
    child.stderr!.on('data', chunk => { err += chunk })
    child.on('error', reject)
    child.on('close', code => { resolve({ code: code ?? -1, out, err }) })
  })
}

/** The same command line through `main`, in this process. */
async function cli (args: string[], env: Record<string, string> = {}): Promise<Run> {
  let out = ''
  let err = ''
  const code = await main(args, { out: text => { out += text + '\n' }, err: text => { err += text + '\n' }, env })
  return { code, out, err }
}

/** A port nothing listens on: one the OS just gave and took back. */
async function closedPort (): Promise<number> {
  const app = Fastify()
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as { port: number }
  await app.close()
  return port
}

t.test('cli', async t => {
  const { app, base } = await startServer()
  t.teardown(() => app.close())
  const dir = await mkdtemp(join(tmpdir(), 'fastify-webhooks-cli-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const file = async (name: string, content: string | Buffer) => {
    const path = join(dir, name)
    await writeFile(path, content)
    return path
  }

  t.test('the real bin: a signed delivery, a tampered one, bad arguments, an unreachable URL', async t => {
    seen.length = 0
    const port = await closedPort()
    const [sent, tampered, usage, unreachable] = await Promise.all([
      bin(['send', 'pulse', 'job.failed', '--url', `${base}/webhooks/pulse`, '--secret', SW_SECRET]),
      bin(['send', 'autotab', '--url', `${base}/webhooks/autotab`, '--secret', HEX_SECRET, '--tamper']),
      bin(['send', 'pulse', '--url']),
      bin(['send', 'retab', '--url', `http://127.0.0.1:${port}/webhooks/retab`, '--secret', HEX_SECRET])
    ])
    t.equal(sent.code, 0, sent.err)
    t.match(
      sent.out,
      /^POST http:\/\/127\.0\.0\.1:\d+\/webhooks\/pulse \(pulse, job\.failed, id msg_[0-9a-f]+\)\n200 OK \{"received":true\}\n$/
    )
    t.match(seen, [{ provider: 'pulse', type: 'job.failed' }], 'the server handled it')

    t.equal(tampered.code, 0, 'refused, which is what --tamper wants')
    t.match(
      tampered.out,
      /\(autotab, finish, id [\w:-]+, tampered\)\n401 Unauthorized \{.*"code":"WEBHOOK_INVALID_SIGNATURE".*\}\nrefused, as it should be\n$/
    )

    t.equal(usage.code, 2)
    t.match(
      usage.err,
      /^fastify-webhooks: Option '--url <value>' argument missing\nRun "fastify-webhooks --help" for usage\.\n$/
    )

    t.equal(unreachable.code, 1)
    t.match(unreachable.err, `could not reach http://127.0.0.1:${port}/webhooks/retab: ECONNREFUSED`)
    t.equal(seen.length, 1, 'only the good delivery was handled')
  })

  t.test('usage: help, no command, unknown command, provider or option', async t => {
    const help = await cli(['--help'])
    t.equal(help.code, 0)
    t.match(help.out, /^Usage: fastify-webhooks <command>/)
    t.match(help.out, `Providers: ${listed}`)
    t.same(await cli(['help']), help)
    const none = await cli([])
    t.equal(none.code, 2)
    t.match(none.err, /^Usage:/, 'usage on stderr when nothing is asked')
    t.match(help.out, 'fastify-webhooks <command> --help')
    const cases: Array<[string[], RegExp]> = [
      [['deliver', 'pulse'], /unknown command "deliver" \(commands: send, secret, verify, stats, inbox\)/],
      [['deliver', '--help'], /unknown command "deliver"/],
      [['help', 'deliver'], /unknown command "deliver"/],
      [['send'], new RegExp(`send needs a provider \\(${listed}\\)`)],
      [['secret', 'paypal'], /unknown provider "paypal"/],
      [['secret', 'paypal.js'], /cannot load provider module paypal\.js/],
      [['verify', 'pulse', '--tamper'], /Unknown option '--tamper'/],
      [['secret', 'pulse', 'extra'], /secret takes only a provider, not "extra"/]
    ]
    for (const [args, message] of cases) {
      const run = await cli(args)
      t.equal(run.code, 2, args.join(' '))
      t.match(run.err, message, args.join(' '))
      t.equal(run.out, '', 'nothing on stdout')
    }
  })

  t.test('--version: the version in package.json', async t => {
    const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string
    }
    t.same(await cli(['--version']), { code: 0, out: `${version}\n`, err: '' })
    t.match(USAGE, 'fastify-webhooks --version')
  })

  t.test('an unknown provider is told the shipped ones, from the shell and from JavaScript alike', async t => {
    const shell = await cli(['send', 'paypal', '--url', `${base}/webhooks/paypal`, '--secret', 'x'])
    t.equal(shell.code, 2)
    t.match(
      shell.err,
      `unknown provider "paypal" (providers: ${listed}, or a path to a module made with defineProvider)`
    )
    // A plain-JavaScript caller is not held back by the types.
    t.throws(() => sign('paypal' as ProviderName, '{}', { secret: 'x' }), {
      name: 'TypeError',
      message: `fastify-webhooks/testing: unknown provider "paypal" (shipped: ${listed}; for your own, pass its plugin)`
    })
  })

  t.test('<command> --help, -h and help <command>: that command\'s usage alone, exit 0', async t => {
    const send = await cli(['send', '--help'])
    t.same(send, { code: 0, out: send.out, err: '' })
    t.match(
      send.out,
      /^Usage: fastify-webhooks send <provider> \[type\] --url <url> --secret <secret>\n\n {2}Sends a correctly signed delivery/
    )
    t.match(send.out, '--tamper')
    t.match(send.out, `Providers: ${listed}`)
    t.notMatch(send.out, 'verify <provider>', 'no other command')
    t.same(await cli(['send', 'pulse', '--url', 'x', '-h']), send, 'anywhere after the command, before any check')
    t.same(await cli(['help', 'send']), send)
    const verify = await cli(['verify', '-h'])
    t.match(
      verify.out,
      /^Usage: fastify-webhooks verify <provider> --secret <secret> --headers <headers\.json> --body <body>\n/
    )
    t.match(verify.out, '--tolerance <seconds>')
    t.same(await cli(['help', 'verify']), verify)
    t.match(
      (await cli(['secret', '--help'])).out,
      /^Usage: fastify-webhooks secret <provider> \[--ed25519\]\n\n {2}Prints a new secret/
    )
  })

  t.test('secret: a new secret in each provider\'s format, alone on stdout', async t => {
    for (const name of names) {
      const first = await cli(['secret', name])
      const second = await cli(['secret', name])
      t.equal(first.code, 0)
      const secret = first.out.trimEnd()
      t.equal(first.out, `${secret}\n`, 'one line')
      t.not(secret, second.out.trimEnd(), 'random each time')
      if (name === 'cyberdesk' || name === 'pulse') {
        t.match(secret, /^whsec_[A-Za-z0-9+/]{32}$/, name)
        t.equal(parseStandardSecret(secret).length, 24)
      } else if (name === 'stripe') {
        t.match(secret, /^whsec_[0-9a-f]{64}$/, name)
      } else if (name === 'paddle') {
        t.match(secret, /^pdl_ntfset_[0-9a-f]{64}$/, name)
      } else if (name === 'discord') {
        t.match(secret, /^[0-9a-f]{64}$/, `${name}: a public key`)
        t.equal(providers.discord.provider.scheme.parseSecret(secret).asymmetricKeyType, 'ed25519')
      } else if (name === 'sendgrid') {
        t.match(secret, /^MFkw[A-Za-z0-9+/]{118}==$/, `${name}: a P-256 public key, base64 of its DER`)
        t.equal(providers.sendgrid.provider.scheme.parseSecret(secret).asymmetricKeyType, 'ec')
      } else {
        t.match(secret, /^[0-9a-f]{64}$/, name)
        t.equal(parsePlainSecret(secret).length, 64, 'its UTF-8 bytes are the 64 hex digits')
      }
    }
  })

  t.test('send: the typical sample of every provider is accepted, as a new event each time', async t => {
    for (const name of names) {
      seen.length = 0
      for (let run = 0; run < 2; run++) {
        const sent = await cli(['send', name, '--url', `${base}/webhooks/${name}`, '--secret', signing(name)])
        t.equal(sent.code, 0, `${name}: ${sent.err}`)
        t.match(sent.out, /\n200 OK \{"received":true\}\n$/, `${name}: handled, not a duplicate`)
      }
      t.equal(seen.length, 2, `${name}: two events`)
      t.not(seen[0]!.id, seen[1]!.id, `${name}: with different ids`)
    }
  })

  t.test('send: a named type, --repeat as the provider\'s retries, WEBHOOK_SECRET', async t => {
    seen.length = 0
    const sent = await cli(
      ['send', 'cyberdesk', 'run_complete', '--url', `${base}/webhooks/cyberdesk`, '--repeat', '3'],
      { WEBHOOK_SECRET: SW_SECRET }
    )
    t.equal(sent.code, 0, sent.err)
    const lines = sent.out.trimEnd().split('\n')
    t.match(lines, [
      /\[1\/3\]$/,
      '200 OK {"received":true}',
      /\[2\/3\]$/,
      '200 OK {"received":true,"duplicate":true}',
      /\[3\/3\]$/,
      '200 OK {"received":true,"duplicate":true}'
    ])
    t.equal(seen.length, 1, 'handled once')
    t.equal(
      new Set(lines.filter(l => l.startsWith('POST')).map(l => /id (msg_\w+)/.exec(l)![1])).size,
      1,
      'one event id'
    )

    const typed = await cli(['send', 'autotab', 'timeout', '--url', `${base}/webhooks/autotab`, '--secret', HEX_SECRET])
    t.equal(typed.code, 0)
    t.equal(seen.at(-1)!.type, 'timeout')
    t.match(typed.out, `(autotab, timeout, id ${seen.at(-1)!.id})`, 'the id the server deduplicates on')
    const retab = await cli(['send', 'retab', '--url', `${base}/webhooks/retab`, '--secret', HEX_SECRET])
    t.equal(retab.code, 0)
    t.match(seen.at(-1), { provider: 'retab' })
    t.match(retab.out, `(retab, extraction.completed, id ${seen.at(-1)!.id})`, 'a body field\'s id, not a msg_ one')
  })

  t.test(
    'send with several --secret: one signature each where the scheme carries several, as a sender rotating ' + 'keys',
    async t => {
      seen.length = 0
      echoed.length = 0
      const rotating = await cli([
        'send',
        'pulse',
        '--url',
        `${base}/webhooks/pulse`,
        '--secret',
        SW_SECRET_2,
        '--secret',
        SW_SECRET
      ])
      t.equal(rotating.code, 0, rotating.err)
      t.match(rotating.out, /\n200 OK \{"received":true\}\n$/, 'the endpoint holds only the second secret')
      t.equal(seen.length, 1)
      await cli(['send', 'cyberdesk', '--url', `${base}/echo`, '--secret', SW_SECRET, '--secret', SW_SECRET_2])
      const { headers } = echoed[0]!
      const signatures = String(headers['svix-signature']).split(' ')
      t.equal(signatures.length, 2, 'two v1 entries in one header')
      const oracle = (secret: string) =>
        new Webhook(secret).sign(
          String(headers['svix-id']),
          new Date(Number(headers['svix-timestamp']) * 1000),
          JSON.stringify(echoed[0]!.body)
        )
      t.same(
        signatures,
        [oracle(SW_SECRET), oracle(SW_SECRET_2)],
        'each as the reference library signs it, in the order given'
      )

      const hex = await cli([
        'send',
        'autotab',
        '--url',
        `${base}/webhooks/autotab`,
        '--secret',
        HEX_SECRET,
        '--secret',
        HEX_SECRET_2
      ])
      t.equal(hex.code, 2, 'a hex header holds one signature')
      t.match(
        hex.err,
        "--secret is given 2 times, but autotab's deliveries (HMAC-SHA256 hex) carry one signature: give one secret"
      )
      const seventeen = await cli([
        'send',
        'pulse',
        '--url',
        `${base}/webhooks/pulse`,
        ...Array.from({ length: 17 }, () => ['--secret', SW_SECRET]).flat()
      ])
      t.match(
        seventeen.err,
        "but pulse's deliveries (Standard Webhooks) carry at most 16 signatures",
        'no more than a verifier looks at'
      )
      const malformed = await cli([
        'send',
        'pulse',
        '--url',
        `${base}/webhooks/pulse`,
        '--secret',
        SW_SECRET,
        '--secret',
        'whsec_!!'
      ])
      t.equal(malformed.code, 2)
      t.match(malformed.err, '--secret 2 is not in pulse\'s format: it must be "whsec_" followed by base64')
      t.equal(seen.length, 1, 'neither was sent')
    }
  )

  t.test('send: a provider without a sample sends its first type, as it is (its path needs no ./)', async t => {
    echoed.length = 0
    const sent = await cli([
      'send',
      'test/helpers/providers/no-sample.ts',
      '--url',
      `${base}/echo`,
      '--secret',
      HEX_SECRET
    ])
    t.equal(sent.code, 0, sent.err)
    const [{ headers, body }] = echoed as [typeof echoed[number]]
    const sha = createHash('sha256').update(JSON.stringify(body)).digest('hex')
    t.match(sent.out, `(plain, thing.happened, id ${sha})`, 'no id of its own: the body\'s hash, as the route takes')
    t.same(body, { thing: 'first' })
    t.equal(headers['x-plain-signature'], createHmac('sha256', HEX_SECRET).update(JSON.stringify(body)).digest('hex'))
  })

  t.test('send --file: these exact bytes', async t => {
    seen.length = 0
    const bytes = JSON.stringify(fixtures.pulse['job.cancelled'], null, 2) + '\n'
    const path = await file('cancelled.json', bytes)
    const sent = await cli(['send', 'pulse', '--file', path, '--url', `${base}/webhooks/pulse`, '--secret', SW_SECRET])
    t.equal(sent.code, 0, sent.err)
    t.match(sent.out, `(pulse, ${path}, id msg_`)
    t.equal(seen[0]!.raw, bytes, 'the server verified the file\'s bytes, untouched')

    const invalid = await cli([
      'send',
      'pulse',
      '--file',
      await file('invalid.json', '{"type":"job.completed"}'),
      '--url',
      `${base}/webhooks/pulse`,
      '--secret',
      SW_SECRET
    ])
    t.equal(invalid.code, 1, 'a payload the endpoint refuses')
    t.match(invalid.out, /400 Bad Request .*WEBHOOK_INVALID_PAYLOAD/)
    t.match(invalid.err, 'the endpoint refused 1 of 1 deliveries')

    const unreadable = await cli([
      'send', 'pulse', '--file', await file('unreadable.json', 'not json'), '--url', `${base}/webhooks/pulse`,
      '--secret', SW_SECRET
    ])
    t.match(unreadable.out, `(pulse, ${join(dirname(path), 'unreadable.json')})`, 'no event, so no id to name')
    t.match(unreadable.out, /400 Bad Request .*WEBHOOK_INVALID_JSON/)
  })

  t.test('send --tamper and --stale: success means the endpoint refused them', async t => {
    seen.length = 0
    const stale = await cli(['send', 'pulse', '--stale', '--url', `${base}/webhooks/pulse`, '--secret', SW_SECRET])
    t.equal(stale.code, 0)
    t.match(
      stale.out,
      /signed 3600 s ago\)\n401 Unauthorized .*WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE.*\nrefused, as it should be\n$/
    )

    const careless = await cli([
      'send',
      'cyberdesk',
      '--tamper',
      '--stale',
      '--repeat',
      '2',
      '--url',
      `${base}/careless`,
      '--secret',
      SW_SECRET
    ])
    t.equal(careless.code, 1, 'an endpoint that takes broken deliveries fails the command')
    t.match(careless.err, 'the endpoint accepted 2 of 2 broken deliveries: it does not verify signatures or timestamps')
    const tampered = await cli(['send', 'retab', '--tamper', '--url', `${base}/careless`, '--secret', HEX_SECRET])
    t.match(tampered.err, /it does not verify signatures\n$/)

    const wrong = await cli(['send', 'retab', '--url', `${base}/webhooks/retab`, '--secret', HEX_SECRET_2])
    t.equal(wrong.code, 1, 'a good delivery refused fails the command')
    t.match(wrong.out, '401 Unauthorized')
    t.same(seen, [], 'nothing was handled')
  })

  t.test('send: mistakes in the command line exit 2 before anything is sent', async t => {
    const url = `${base}/webhooks/pulse`
    const cases: Array<[string[], RegExp | string]> = [
      [['send', 'pulse', '--secret', SW_SECRET], '--url is required'],
      [
        ['send', 'pulse', '--url', '127.0.0.1:3000/webhooks/pulse', '--secret', SW_SECRET],
        '--url "127.0.0.1:3000/webhooks/pulse" lacks http:// or https://: add http:// (--url http://127.0.0.1:3000/webhooks/pulse)'
      ],
      [
        ['send', 'pulse', '--url', 'localhost:3000', '--secret', SW_SECRET],
        '--url "localhost:3000" lacks http:// or https://: add http://'
      ],
      [
        ['send', 'pulse', '--url', 'ftp://localhost/webhooks', '--secret', SW_SECRET],
        '--url must be http or https, not ftp:'
      ],
      [['send', 'pulse', '--url', 'not a url', '--secret', SW_SECRET], '--url "not a url" is not a URL'],
      [['send', 'pulse', '--url', url], '--secret is required (or set WEBHOOK_SECRET)'],
      [
        ['send', 'pulse', '--url', url, '--secret', 'not-whsec'],
        '--secret is not in pulse\'s format: it must start with "whsec_"'
      ],
      [
        ['send', 'pulse', 'job.exploded', '--url', url, '--secret', SW_SECRET],
        'unknown pulse event type "job.exploded" (types: job.created, job.processing, job.completed, job.failed, ' +
        'job.cancelled)'
      ],
      [
        ['send', 'pulse', 'job.failed', 'extra', '--url', url, '--secret', SW_SECRET],
        'send takes a provider and one event type'
      ],
      [
        ['send', 'pulse', 'job.failed', '--file', 'x.json', '--url', url, '--secret', SW_SECRET],
        'give an event type or --file, not both'
      ],
      [
        ['send', 'pulse', '--file', join(dir, 'missing.json'), '--url', url, '--secret', SW_SECRET],
        /--file .*missing\.json: cannot read it \(ENOENT\)/
      ],
      [
        ['send', 'pulse', '--repeat', '0', '--url', url, '--secret', SW_SECRET],
        '--repeat must be a whole number from 1 to 1000, not "0"'
      ],
      [['send', 'pulse', '--repeat', '2.5', '--url', url, '--secret', SW_SECRET], '--repeat must be a whole number'],
      [['send', 'autosana', '--stale', '--url', url, '--secret', HEX_SECRET], '--stale: autosana signs no timestamp']
    ]
    seen.length = 0
    for (const [args, message] of cases) {
      const run = await cli(args)
      t.equal(run.code, 2, args.join(' '))
      t.match(run.err, message, args.join(' '))
    }
    t.same(seen, [], 'nothing reached the server')
  })

  t.test('send: an empty answer, and a long one cut short', async t => {
    const empty = await cli(['send', 'autosana', '--url', `${base}/empty`, '--secret', HEX_SECRET])
    t.equal(empty.code, 0)
    t.match(empty.out, /\n204 No Content\n$/)
    const chatty = await cli(['send', 'autosana', '--url', `${base}/chatty`, '--secret', HEX_SECRET])
    t.match(chatty.out, /\n200 OK x{500}…\n$/)
  })

  t.test('an unexpected error is not passed off as a usage error', async t => {
    await t.rejects(
      main(['secret', 'pulse'], {
        out: () => {
          throw new Error('stdout closed')
        },
        err: () => {},
        env: {}
      }),
      { message: 'stdout closed' }
    )
  })

  t.test('send: the network error is named', async t => {
    const badPort = await cli(['send', 'pulse', '--url', 'http://127.0.0.1:1/', '--secret', SW_SECRET])
    t.equal(badPort.code, 1)
    t.match(badPort.err, 'could not reach http://127.0.0.1:1/: bad port')
    const credentials = await cli(['send', 'pulse', '--url', `http://user:pass@127.0.0.1:${await closedPort()}/`, '--secret', SW_SECRET])
    t.equal(credentials.code, 1)
    t.match(credentials.err, /could not reach .*: .*credentials/)
  })

  t.test('verify', async t => {
    const now = () => Math.floor(Date.now() / 1000)
    const capture = async (
      name: string,
      delivery: { headers: Record<string, string>; body: string },
      body = delivery.body
    ) => ({
      headers: await file(`${name}.headers.json`, JSON.stringify(delivery.headers)),
      body: await file(`${name}.body`, body)
    })
    const verify = async (provider: ProviderName, files: { headers: string, body: string }, ...extra: string[]) =>
      cli(['verify', provider, '--headers', files.headers, '--body', files.body, ...extra])
    const payload = fixtures.pulse['job.completed']

    const good = await capture(
      'good',
      sign('pulse', payload, { secret: SW_SECRET, id: 'msg_captured', timestamp: now() - 40 })
    )
    const ok = await verify('pulse', good, '--secret', SW_SECRET)
    t.equal(ok.code, 0)
    t.match(ok.out, /^verified: the signature matches, id msg_captured, signed \d+ s ago\n$/)

    const rotated = await verify('pulse', good, '--secret', SW_SECRET_2, '--secret', SW_SECRET)
    t.match(rotated.out, 'verified: the signature matches (secret 2 of 2)')

    const future = await capture(
      'future',
      sign('cyberdesk', fixtures.cyberdesk.run_complete, { secret: SW_SECRET, timestamp: now() + 100 })
    )
    t.match((await verify('cyberdesk', future, '--secret', SW_SECRET)).out, /signed \d+ s in the future/)

    const upper = await capture('upper', {
      headers: {
        'Autotab-Signature': sign('autotab', fixtures.autotab.play, { secret: HEX_SECRET }).headers[
          'autotab-signature'
        ]!
      },
      body: JSON.stringify(fixtures.autotab.play)
    })
    const hex = await verify('autotab', upper, '--secret', HEX_SECRET)
    t.equal(hex.code, 0, 'header names in any case')
    t.equal(hex.out, 'verified: the signature matches\n', 'no id or time in a hex scheme')

    const expectFail = async (name: string, run: Run, summary: RegExp | string, hint?: RegExp | string) => {
      t.equal(run.code, 1, name)
      t.match(run.out, summary, name)
      if (hint !== undefined) t.match(run.out, hint, name)
      t.notMatch(run.out, SW_SECRET.slice(6), `${name}: no secret printed`)
    }

    await expectFail(
      'a secret in the wrong format',
      await verify('pulse', good, '--secret', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'),
      /^does not verify: the secret is not in pulse's format: it must start with "whsec_"/,
      "is it another provider's secret?"
    )
    const broken = await verify('pulse', good, '--secret', SW_SECRET, '--secret', 'whsec_!!')
    await expectFail(
      'the second of two secrets in the wrong format',
      broken,
      'secret 2 is not in pulse\'s format: it must be "whsec_" followed by base64'
    )
    t.notMatch(broken.out, 'another provider', 'it starts with whsec: the prefix is right')
    await expectFail(
      'a hex secret with a stray space',
      await verify('autotab', upper, '--secret', `${HEX_SECRET} `),
      'has whitespace at the start or end',
      'without spaces or line breaks'
    )

    const changed = await capture(
      'changed',
      sign('pulse', payload, { secret: SW_SECRET }),
      JSON.stringify({ ...payload, data: { ...payload.data, pages_processed: 26 } })
    )
    await expectFail(
      'a changed body',
      await verify('pulse', changed, '--secret', SW_SECRET),
      "does not verify: no signature matched: the body changed after signing, or the secret is not this endpoint's " +
      '(1 tried)',
      'rotating secrets? give --secret once per secret'
    )
    t.notMatch(
      (await verify('pulse', changed, '--secret', SW_SECRET, '--secret', SW_SECRET_2)).out,
      'rotating secrets?'
    )

    const delivered = sign('pulse', payload, { secret: SW_SECRET })
    await expectFail(
      'a trailing newline added by the capture',
      await verify('pulse', await capture('newline', delivered, delivered.body + '\n'), '--secret', SW_SECRET),
      'the body has whitespace at its end that was not signed'
    )
    await expectFail(
      'a pretty-printed body',
      await verify(
        'pulse',
        await capture('pretty', delivered, JSON.stringify(payload, null, 2)),
        '--secret',
        SW_SECRET
      ),
      'the body was re-serialized',
      'request.rawBody'
    )

    await expectFail(
      'a replay of a good capture',
      await verify(
        'pulse',
        await capture('stale', sign('pulse', payload, { secret: SW_SECRET, timestamp: now() - 1000 })),
        '--secret',
        SW_SECRET
      ),
      /does not verify: the signature matches, but its timestamp is \d+ s in the past \(tolerance 300 s\)/,
      'raise --tolerance'
    )
    const old = await capture('old', sign('pulse', payload, { secret: SW_SECRET, timestamp: now() - 1000 }))
    t.equal(
      (await verify('pulse', old, '--secret', SW_SECRET, '--tolerance', '100000')).code,
      0,
      'a wider window verifies an old capture'
    )
    await expectFail(
      'stale and changed',
      await verify(
        'pulse',
        await capture('stale-changed', sign('pulse', payload, { secret: SW_SECRET, timestamp: now() - 1000 }), '{}'),
        '--secret',
        SW_SECRET
      ),
      /does not verify: its timestamp is \d+ s in the past \(tolerance 300 s\), and apart from that, no signature matched/
    )

    await expectFail(
      'a body that is not JSON, changed',
      await verify('pulse', await capture('text', delivered, 'not json'), '--secret', SW_SECRET),
      'no signature matched'
    )
    await expectFail(
      'no headers captured',
      await verify('pulse', await capture('empty', { headers: {}, body: delivered.body }), '--secret', SW_SECRET),
      'signature headers missing: no single webhook-id, webhook-timestamp, webhook-signature header',
      'the headers file is empty'
    )
    const svix = sign('cyberdesk', JSON.stringify(payload), { secret: SW_SECRET })
    const wrongProvider = await verify('pulse', await capture('svix', svix), '--secret', SW_SECRET)
    await expectFail(
      'a Cyberdesk capture checked as Pulse',
      wrongProvider,
      'signature headers missing',
      'signature-like headers present: svix-id, svix-timestamp, svix-signature'
    )
    t.notMatch(
      (
        await verify(
          'autotab',
          await capture('plain', { headers: { 'user-agent': 'x' }, body: '{}' }),
          '--secret',
          HEX_SECRET
        )
      ).out,
      'signature-like'
    )
    await expectFail(
      'malformed headers',
      await verify(
        'pulse',
        await capture('malformed', {
          headers: { ...delivered.headers, 'webhook-timestamp': 'yesterday' },
          body: delivered.body
        }),
        '--secret',
        SW_SECRET
      ),
      'signature headers malformed: webhook-timestamp is not integer seconds'
    )

    // The Pulse page's sample code keys the HMAC with the whole secret string.
    const { createHmac } = await import('node:crypto')
    const stamp = String(now())
    const pageStyle = createHmac('sha256', SW_SECRET).update(`msg_page.${stamp}.${delivered.body}`).digest('base64')
    await expectFail(
      'a sender keyed with the secret string',
      await verify(
        'pulse',
        await capture('page', {
          headers: { 'webhook-id': 'msg_page', 'webhook-timestamp': stamp, 'webhook-signature': `v1,${pageStyle}` },
          body: delivered.body
        }),
        '--secret',
        SW_SECRET
      ),
      'the sender used the secret string itself as the key',
      'does not follow Standard Webhooks'
    )
    await expectFail(
      'a Standard Webhooks secret for a hex provider',
      await verify('autotab', upper, '--secret', SW_SECRET),
      'the secret looks like a Standard Webhooks one',
      'is this the secret of a Cyberdesk or Pulse or Stripe endpoint?'
    )

    const mistakes: Array<[string[], string]> = [
      [['verify', 'pulse', '--secret', SW_SECRET, '--body', good.body], '--headers <headers.json> is required'],
      [['verify', 'pulse', '--secret', SW_SECRET, '--headers', good.headers], '--body <file> is required'],
      [['verify', 'pulse', '--headers', good.headers, '--body', good.body], '--secret is required'],
      [['verify', 'pulse', 'now', '--secret', SW_SECRET], 'verify takes only a provider, not "now"'],
      [
        ['verify', 'pulse', '--secret', SW_SECRET, '--headers', good.headers, '--body', good.body, '--tolerance', '0'],
        '--tolerance must be a whole number from 1 to'
      ],
      [
        ['verify', 'pulse', '--secret', SW_SECRET, '--headers', good.body, '--body', good.body],
        'must be a JSON object of header name to string value'
      ],
      [
        ['verify', 'pulse', '--secret', SW_SECRET, '--headers', await file('list.json', '[]'), '--body', good.body],
        'must be a JSON object'
      ],
      [
        ['verify', 'pulse', '--secret', SW_SECRET, '--headers', await file('null.json', 'null'), '--body', good.body],
        'must be a JSON object'
      ],
      [
        [
          'verify',
          'pulse',
          '--secret',
          SW_SECRET,
          '--headers',
          await file('broken.json', '{"a":'),
          '--body',
          good.body
        ],
        'not JSON'
      ],
      [
        [
          'verify',
          'pulse',
          '--secret',
          SW_SECRET,
          '--headers',
          await file('number.json', '{"a":1}'),
          '--body',
          good.body
        ],
        'must be a JSON object'
      ]
    ]
    for (const [args, message] of mistakes) {
      const run = await cli(args)
      t.equal(run.code, 2, args.join(' '))
      t.match(run.err, message, args.join(' '))
    }
    const arrays = await verify(
      'pulse',
      await capture('arrays', {
        headers: { ...delivered.headers, 'x-forwarded-for': ['a', 'b'] } as never,
        body: delivered.body
      }),
      '--secret',
      SW_SECRET
    )
    t.equal(arrays.code, 0, 'a header sent twice is a list of strings')
  })
})
