import { createRequire } from 'node:module'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { shipped } from './shipped.js'
import { UsageError, type CommandInput, type Io } from './io.js'

const timed = shipped.timed.join(', ')
const keyPairs = shipped.keyPairs.join(', ')
const severalSignatures = shipped.severalSignatures.join(', ')
const urlSigned = shipped.urlSigned.join(', ')

/**
 * Each command: its module (loaded only when it runs: its options, and what runs it), and its usage (the line under
 * "Usage:", then what it does).
 */
const commands = {
  send: {
    load: async () => { const m = await import('./send.js'); return { options: m.sendOptions, run: m.send } },
    synopsis: 'send <provider> [type] --url <url> --secret <secret>',
    help: [
      'Sends a correctly signed delivery: a sample event of [type] (default: a typical one), or --file.',
      '--file <payload.json>   send these exact bytes instead of a sample',
      '--repeat <n>            send it n times, as the provider\'s retries would (same event id)',
      '--tamper                change the body after signing: the endpoint must refuse it',
      `--stale                 sign it an hour ago (${timed}): the endpoint must refuse it`,
      '--secret <secret>       the endpoint\'s secret, or WEBHOOK_SECRET; give it once per secret to sign',
      `                        with each, as a sender rotating keys does (${severalSignatures})`
    ]
  },
  secret: {
    load: async () => { const m = await import('./secret.js'); return { options: m.secretOptions, run: m.newSecret } },
    synopsis: 'secret <provider> [--ed25519]',
    help: [
      'Prints a new secret in the format the provider uses.',
      `--ed25519               a key pair instead (${keyPairs}): the secret key that signs (whsk_ for`,
      '                        Standard Webhooks), then the public key (whpk_) that the receiver verifies with'
    ]
  },
  verify: {
    load: async () => { const m = await import('./verify.js'); return { options: m.verifyOptions, run: m.verify } },
    synopsis: 'verify <provider> --secret <secret> --headers <headers.json> --body <body>',
    help: [
      'Says whether a captured delivery verifies and, if not, the likely reason.',
      '--tolerance <seconds>   the timestamp window (default: the provider\'s, as its route has it; 300 s for most)',
      `--url <url>             the URL the sender posted to, for those that sign it (${urlSigned})`,
      '--secret <secret>       the endpoint\'s secret, or WEBHOOK_SECRET; give it once per secret to try'
    ]
  },
  stats: {
    load: async () => { const m = await import('./stats.js'); return { options: m.statsOptions, run: m.stats } },
    withoutProvider: true,
    synopsis: 'stats --url <metrics url>',
    help: [
      'Prints deliveries per provider (accepted, duplicates, refused by reason, failed, handler p50/p99)',
      'from a Prometheus endpoint fed by this package (README, "Observing deliveries").'
    ]
  },
  inbox: {
    load: async () => { const m = await import('./inbox.js'); return { options: m.inboxOptions, run: m.inbox } },
    withoutProvider: true,
    synopsis: 'inbox list|show <key>|replay|purge --database-url <url>',
    help: [
      'The Postgres inbox (a PostgresStore with "inbox"): list kept events, show one, replay or purge them.',
      '--database-url <url>    or DATABASE_URL; --schema and --table as given to the store',
      '--status, --provider, --type, --tenant, --since, --until   filters (times in UTC, e.g. 2026-12-01T09:30)',
      '--limit <n>             events per page of list (default 50); --after <cursor> the next page',
      '--handlers <module>     replay: a module whose default export is { providers, on?, onEvent?, ... }',
      '--yes                   replay and purge only say what they would do without it',
      '--json                  JSON instead of a table'
    ]
  }
} satisfies Record<
  string,
  {
    load: () => Promise<{ options: ParseArgsConfig['options']; run: unknown }>
    withoutProvider?: true
    synopsis: string
    help: string[]
  }
>

type CommandName = keyof typeof commands
type Command<Input> = (input: Input) => Promise<number>

const PROVIDERS = `  Providers: ${shipped.names.join(', ')}, or the path of a module that exports
  a plugin made with defineProvider (e.g. dist/github.js).`
const EXIT_CODES = '  Exit codes: 0 done, 1 refused / unreachable / does not verify, 2 bad arguments.'
const NOTES = `${PROVIDERS}\n${EXIT_CODES}`

export const USAGE = `Usage: fastify-webhooks <command> [options]

${Object.values(commands)
  .map(({ synopsis, help }) => [`  ${synopsis}`, ...help.map(line => `      ${line}`)].join('\n'))
  .join('\n')}

  fastify-webhooks <command> --help   that command's usage
  fastify-webhooks --version          this package's version

${NOTES}`

/** One command's usage: its synopsis, what it does and its options, then what the commands share. */
function usageOf (name: CommandName): string {
  const command = commands[name]
  const { synopsis, help } = command
  // A command that takes no provider does not list them.
  const notes = 'withoutProvider' in command ? EXIT_CODES : NOTES
  return `Usage: fastify-webhooks ${synopsis}\n\n${help.map(line => `  ${line}`).join('\n')}\n\n${notes}`
}

/** This package's own package.json, by name (a package may import itself): found from bin/ and dist/bin/ alike. */
function version (): string {
  return (createRequire(import.meta.url)('fastify-webhooks/package.json') as { version: string }).version
}

function commandNamed (name: string): CommandName {
  if (!Object.hasOwn(commands, name)) {
    throw new UsageError(`unknown command "${name}" (commands: ${Object.keys(commands).join(', ')})`)
  }
  return name as CommandName
}

/** The usage asked for, if any: `--help` or `help` (all), `help <command>` or `<command> --help` (its own). */
function helpAsked (first: string, rest: readonly string[]): string | undefined {
  if (first === 'help' || first === '--help' || first === '-h') {
    return rest[0] === undefined ? USAGE : usageOf(commandNamed(rest[0]))
  }
  if (rest.includes('--help') || rest.includes('-h')) return usageOf(commandNamed(first))
  return undefined
}

/** Runs one command line; resolves to the exit code. Everything goes through `io`, nothing exits the process. */
export async function main (argv: readonly string[], io: Io): Promise<number> {
  const [first, ...rest] = argv
  if (first === undefined) {
    io.err(USAGE)
    return 2
  }
  try {
    if (first === '--version') {
      io.out(version())
      return 0
    }
    const help = helpAsked(first, rest)
    if (help !== undefined) {
      io.out(help)
      return 0
    }
    const name = commandNamed(first)
    const command = commands[name]
    const { options, run } = await command.load()
    let parsed
    try {
      parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true })
    } catch (err) {
      throw new UsageError((err as Error).message)
    }
    const values = parsed.values as never
    if ('withoutProvider' in command) {
      const runAlone = run as Command<Omit<CommandInput<never>, 'provider'>>
      return await runAlone({ positionals: parsed.positionals, values, io })
    }
    const [providerName, ...positionals] = parsed.positionals
    if (providerName === undefined) throw new UsageError(`${name} needs a provider (${shipped.names.join(', ')})`)
    const { resolveProvider } = await import('./provider.js')
    const provider = await resolveProvider(providerName)
    return await (run as Command<CommandInput<never>>)({ provider, positionals, values, io })
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    io.err(`fastify-webhooks: ${err.message}\nRun "fastify-webhooks --help" for usage.`)
    return 2
  }
}
