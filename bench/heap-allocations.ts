/**
 * Bytes a process has allocated on the V8 heap so far: what each collection found in use before it ran, less what
 * the one before left, plus what came since the last. Unlike CPU time, a server's bytes per request repeat to about
 * 1% between runs on a busy machine, so a stage that allocates more shows even when its CPU cost is in the noise.
 */
import { GCProfiler, getHeapStatistics } from 'node:v8'

export function heapAllocations (): () => number {
  let profiler = new GCProfiler()
  profiler.start()
  let total = 0
  let used = getHeapStatistics().used_heap_size
  return () => {
    // A profiler hands over its collections only when stopped: a new one takes over at once.
    const { statistics } = profiler.stop()
    profiler = new GCProfiler()
    profiler.start()
    for (const { beforeGC, afterGC } of statistics) {
      total += beforeGC.heapStatistics.usedHeapSize - used
      used = afterGC.heapStatistics.usedHeapSize
    }
    const now = getHeapStatistics().used_heap_size
    total += now - used
    used = now
    return total
  }
}
