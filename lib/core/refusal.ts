import createError from '@fastify/error'

/**
 * An answer to the sender, not a fault of the app: made without a stack, so that Fastify's log line of it (at info
 * for a 4xx) is one line, and a flood of refusals captures no stacks.
 */
export function refusal<C extends string, SC extends number> (
  code: C,
  message: string,
  status: SC
): createError.FastifyErrorConstructor<{ code: C, statusCode: SC }> {
  return createError(code, message, status, Error, false)
}
