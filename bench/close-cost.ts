/**
 * What one `socket.destroy()` costs the server's event loop: `node dist/bench/close-cost.js [connections]`.
 * A plain `net` server takes each connection's first read, waits a few milliseconds with the socket paused (as the
 * body guard does once it has refused the headers), then destroys it and times that call. Two kinds of sender:
 * one that keeps writing 1 MiB chunks (a refused 60 MB upload) and one that wrote five bytes and waits (an idle
 * connection). The close runs in the kernel before the call returns: it frees what the connection still holds,
 * and over loopback the RST takes down the sender's end, with its send queue, in the same call.
 */
import net, { type AddressInfo } from 'node:net'

const connections = Number(process.argv[2] ?? 200)
/** How long a refused connection sits paused before it is destroyed, as the answer is written meanwhile. */
const PAUSED_MS = 5

async function closeTimes (pushing: boolean): Promise<number[]> {
  const times: number[] = []
  const server = net.createServer(socket => {
    socket.once('data', () => {
      socket.pause()
      setTimeout(() => {
        const started = performance.now()
        socket.destroy()
        times.push((performance.now() - started) * 1000)
      }, PAUSED_MS)
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const chunk = Buffer.alloc(1024 * 1024)
  let opened = 0
  await new Promise<void>(resolve => {
    let closed = 0
    const open = (): void => {
      opened++
      const client = net.connect(port, '127.0.0.1', () => {
        if (!pushing) {
          client.write('hello')
          return
        }
        const write = (): void => { while (client.write(chunk)); }
        client.on('drain', write)
        write()
      })
      client.on('error', () => {})
      client.on('close', () => {
        if (++closed === connections) resolve()
        else if (opened < connections) open()
      })
    }
    // Four at a time, as a few attacking connections would be refused at once.
    for (let i = 0; i < 4; i++) open()
  })
  server.close()
  return times.sort((a, b) => a - b)
}

const at = (sorted: number[], q: number): string => sorted[Math.floor(q * (sorted.length - 1))]!.toFixed(0)
console.log(`Node ${process.version}, ${connections} connections each, server-side destroy() of a paused socket`)
for (const pushing of [true, false]) {
  const times = await closeTimes(pushing)
  console.log(`${pushing ? 'sender writing 1 MiB chunks' : 'idle sender'}: p50 ${at(times, 0.5)} µs, ` +
    `p90 ${at(times, 0.9)} µs, longest ${at(times, 1)} µs`)
}
