#!/usr/bin/env node
// The `fastify-webhooks` command: all logic is in main.ts and the command modules beside it.
import { main } from './main.js'

process.exitCode = await main(process.argv.slice(2), {
  out: text => { process.stdout.write(text + '\n') },
  err: text => { process.stderr.write(text + '\n') },
  env: process.env
})
