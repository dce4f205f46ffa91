import { expect } from 'vitest'

/**
 * `expect.poll` with a timeout fit for a real browser on a shared, busy machine (Vitest's default is 1 s).
 * Waits for a condition; never a fixed sleep.
 */
export const eventually = <T>(read: () => T | Promise<T>, timeout = 20_000) =>
  expect.poll(read, { timeout, interval: 100 })
