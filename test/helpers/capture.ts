/**
 * What the CLI's `send` puts on the wire, caught by a bare node:http server (no plugin of ours), so that a test can
 * hand those exact headers and bytes to the sender's own SDK.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { main } from '../../bin/main.js'

export interface Captured { headers: Record<string, string | string[] | undefined>, body: Buffer }

/** Runs `fastify-webhooks send <args…> --url <a capture server>`; resolves with the exit code and what arrived. */
export async function captureSend (
  args: readonly string[]
): Promise<{ code: number, out: string, caught: Captured[] }> {
  const caught: Captured[] = []
  const server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', chunk => chunks.push(chunk))
    request.on('end', () => {
      caught.push({ headers: request.headers, body: Buffer.concat(chunks) })
      response.writeHead(200, { 'content-type': 'application/json', connection: 'close' }).end('{"received":true}')
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  let out = ''
  try {
    const code = await main([...args, '--url', `http://127.0.0.1:${port}/hook`], {
      out: text => { out += text + '\n' },
      err: text => { out += text + '\n' },
      env: {}
    })
    return { code, out, caught }
  } finally {
    await new Promise(resolve => server.close(resolve))
  }
}
