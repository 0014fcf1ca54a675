import { parseArgs, type ParseArgsConfig } from 'node:util'
import { resolveProvider } from './provider.js'
import { providers } from '../plugins/registry.js'
import { newSecret } from './secret.js'
import { send, sendOptions } from './send.js'
import { UsageError, type Io } from './io.js'
import { verify, verifyOptions } from './verify.js'

const timed = Object.values(providers).filter(plugin => plugin.provider.scheme.signsTimestamp).map(plugin => plugin.provider.name).join(', ')

export const USAGE = `Usage: fastify-webhooks <command> [options]

  send <provider> [type] --url <url> --secret <secret>
      Sends a correctly signed delivery: a sample event of [type] (default: a typical one), or --file.
      --file <payload.json>   send these exact bytes instead of a sample
      --repeat <n>            send it n times, as the provider's retries would (same event id)
      --tamper                change the body after signing: the endpoint must refuse it
      --stale                 sign it an hour ago (${timed}): the endpoint must refuse it
  secret <provider>
      Prints a new secret in the format the provider uses.
  verify <provider> --secret <secret> --headers <headers.json> --body <body>
      Says whether a captured delivery verifies and, if not, the likely reason.
      --tolerance <seconds>   the timestamp window (default 300)

  --secret may be given more than once (rotation), or set in WEBHOOK_SECRET.
  Providers: ${Object.keys(providers).join(', ')}, or the path of a module that exports
  a plugin made with defineProvider (e.g. ./dist/github.js).
  Exit codes: 0 done, 1 refused / unreachable / does not verify, 2 bad arguments.`

const commands = {
  send: { options: sendOptions, run: send },
  secret: { options: {}, run: newSecret },
  verify: { options: verifyOptions, run: verify }
} satisfies Record<string, { options: ParseArgsConfig['options'], run: unknown }>

/** Runs one command line; resolves to the exit code. Everything goes through `io`, nothing exits the process. */
export async function main (argv: readonly string[], io: Io): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    ;(argv.length === 0 ? io.err : io.out)(USAGE)
    return argv.length === 0 ? 2 : 0
  }
  try {
    const [name, ...rest] = argv as [string, ...string[]]
    if (!Object.hasOwn(commands, name)) throw new UsageError(`unknown command "${name}" (commands: ${Object.keys(commands).join(', ')})`)
    const command = commands[name as keyof typeof commands]
    let parsed
    try {
      parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true })
    } catch (err) {
      throw new UsageError((err as Error).message)
    }
    const [providerName, ...positionals] = parsed.positionals
    if (providerName === undefined) throw new UsageError(`${name} needs a provider (${Object.keys(providers).join(', ')})`)
    const provider = await resolveProvider(providerName)
    return await command.run({ provider, positionals, values: parsed.values as never, io })
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    io.err(`fastify-webhooks: ${err.message}\nRun "fastify-webhooks --help" for usage.`)
    return 2
  }
}
