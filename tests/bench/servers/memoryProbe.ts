import process from 'node:process'

/**
 * Bench-only preload, loaded into every server child (`node --expose-gc --import <this file>`, see
 * lib/servers.ts). On SIGUSR2 it runs a full GC, lets pending frees settle for one turn of the event loop,
 * runs it again, and prints ONE stdout line: `BENCH_MEM {"heapUsed":…,"external":…,"arrayBuffers":…,"rss":…}`
 * (bytes, from process.memoryUsage()). It adds no work to the server otherwise.
 */
const gc = globalThis.gc
if (!gc) throw new Error('memoryProbe needs node --expose-gc')

function report(): void {
  const { heapUsed, external, arrayBuffers, rss } = process.memoryUsage()
  process.stdout.write(`BENCH_MEM ${JSON.stringify({ heapUsed, external, arrayBuffers, rss })}\n`)
}

process.on('SIGUSR2', () => {
  gc()
  setImmediate(() => {
    gc()
    report()
  })
})
