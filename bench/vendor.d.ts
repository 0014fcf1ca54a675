// Just the parts of two untyped devDependencies the benchmarks use (neither ships types, and no @types are installed).

declare module 'autocannon' {
  import type { EventEmitter } from 'node:events'

  namespace autocannon {
    interface Request {
      method?: string
      path?: string
      headers?: Record<string, string>
      body?: string | Buffer
      setupRequest?: (request: Request, context: Record<string, unknown>) => Request
    }
    interface Options {
      url: string
      connections?: number
      pipelining?: number
      duration?: number
      amount?: number
      method?: string
      headers?: Record<string, string>
      body?: string | Buffer
      requests?: Request[]
    }
    interface Histogram {
      average: number
      mean: number
      p50: number
      p99: number
      min: number
      max: number
      total: number
    }
    interface Result {
      requests: Histogram & { sent: number }
      latency: Histogram
      duration: number
      errors: number
      timeouts: number
      non2xx: number
      '2xx': number
    }
    interface Instance extends EventEmitter, PromiseLike<Result> {
      on(
        event: 'response',
        listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void
      ): this
      on(event: 'done', listener: (result: Result) => void): this
      stop(): void
    }
  }
  function autocannon (
    options: autocannon.Options,
    callback: (err: Error | null, result: autocannon.Result) => void
  ): autocannon.Instance
  export default autocannon
}

declare module 'express' {
  import type { IncomingMessage, ServerResponse, Server } from 'node:http'

  namespace express {
    interface Request extends IncomingMessage { body: unknown, header (name: string): string | undefined }
    interface Response extends ServerResponse { status (code: number): Response, end (): this }
    type Handler = (req: Request, res: Response, next: (err?: unknown) => void) => void
    interface Application {
      use (handler: Handler): Application
      post (path: string, handler: (req: Request, res: Response) => void): Application
      listen (port: number, host: string, callback: () => void): Server
    }
  }
  interface Express {
    (): express.Application
    raw (options: { type: string, limit?: string | number }): express.Handler
  }
  const express: Express
  export default express
}
