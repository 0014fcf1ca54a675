/**
 * What the docs' fragments take as given: your app and your own code. A fragment that uses one of these names
 * without binding it is compiled with it imported from here (test/docs.test.ts).
 */
import type { Queue } from 'bullmq'
import type { FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import type { PostgresStore } from '../../lib/stores/postgres.js'

export declare const app: FastifyInstance
export declare const secret: string
export declare const queue: Queue
export declare const connection: Redis
export declare const store: PostgresStore
export declare const db: { jobs: { markDone (jobId: string, pages?: number): Promise<void> } }
export declare const runs: {
  complete (id: string, data: unknown): Promise<void>
  fail (id: string, why: string): Promise<void>
}
export declare const chat: { post (text: string): Promise<void> }
export declare const invoices: { save (number: string, total: number): Promise<void> }
export declare function followUp (output: unknown): Promise<void>
export declare function alert (...details: unknown[]): Promise<void>
export declare function fetchResult (jobId: string, pages: number): Promise<void>
/** Your own services the providers' pages call, each method taking what the page gives it. */
type Call = (...args: unknown[]) => Promise<unknown>
export declare const billing: { markPaid: Call }
export declare const changelog: { add: Call }
export declare const deploys: { start: Call }
export declare const dunning: { start: Call }
export declare const orders: { fulfil: Call }
export declare const replies: { queue: Call }
export declare const suppressions: { add: Call, remove: Call }
export declare const triage: { add: Call, remove: Call }
