/** The longest delay a Node timer takes: a longer one (or Infinity) fires after 1 ms instead. */
const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * A promise given a time limit: settles as it does, or rejects with `timedOut()` after `ms` milliseconds.
 * The timer is cleared either way, so a settled promise leaves nothing to keep the process alive.
 * What the promise does after the limit is not stopped: callers only stop waiting for it. A limit beyond what a
 * timer can wait (`Infinity` among them) is no limit.
 */
export async function withTimeout<T> (promise: Promise<T>, ms: number, timedOut: () => Error): Promise<T> {
  if (ms > MAX_TIMER_MS) return await promise
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(timedOut()), ms)
  })
  try {
    return await Promise.race([promise, late])
  } finally {
    clearTimeout(timer)
  }
}
