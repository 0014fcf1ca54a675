/**
 * HTTP/1.1 by hand over a socket, for the tests and the attack run (bench/attack.ts), which must control when
 * (and whether) the body is sent: headers first, then as much of the body as wanted. The answer is read until
 * the server closes.
 */
import { connect, type Socket } from 'node:net'
import { once } from 'node:events'

export interface RawAnswer {
  status: number
  headers: Record<string, string>
  body: string
  /** the server ended the connection (FIN or reset) */
  closed: boolean
}

export interface RawRequest {
  socket: Socket
  /** resolves once the server has answered and closed, or the socket died */
  answer: Promise<RawAnswer>
}

export async function rawPost (
  port: number,
  path: string,
  headers: Record<string, string | number>,
  firstChunk: Buffer | string = ''
): Promise<RawRequest> {
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  const lines = [
    `POST ${path} HTTP/1.1`,
    'host: 127.0.0.1',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`)
  ]
  socket.write(lines.join('\r\n') + '\r\n\r\n')
  if (firstChunk.length > 0) socket.write(firstChunk)
  const answer = new Promise<RawAnswer>(resolve => {
    let text = ''
    socket.on('data', (chunk: Buffer) => { text += chunk.toString('latin1') })
    // A reset after the answer (the server closed with our bytes unread) is a close too.
    socket.on('error', () => {})
    socket.once('close', () => resolve(parse(text)))
  })
  return { socket, answer }
}

function parse (text: string): RawAnswer {
  const [head = '', body = ''] = text.split('\r\n\r\n', 2)
  const [status = '', ...rest] = head.split('\r\n')
  const headers = Object.fromEntries(rest.map(line => {
    const colon = line.indexOf(':')
    return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()]
  }))
  return { status: Number(status.split(' ')[1] ?? 0), headers, body, closed: true }
}

/**
 * Waits until `check` holds, looking again every few milliseconds (tap's own timeout ends a test that never gets
 * there).
 */
export async function until (check: () => boolean): Promise<void> {
  while (!check()) await new Promise(resolve => setTimeout(resolve, 5))
}
