/**
 * A promise given a time limit: settles as it does, or rejects with `timedOut()` after `ms` milliseconds.
 * The timer is cleared either way, so a settled promise leaves nothing to keep the process alive.
 * What the promise does after the limit is not stopped: callers only stop waiting for it.
 */
export async function withTimeout<T> (promise: Promise<T>, ms: number, timedOut: () => Error): Promise<T> {
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
