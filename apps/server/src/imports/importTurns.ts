/*
 * One slice of an import's main-thread work per turn of the event loop, across everything an import runs at once.
 *
 * An import's steps each leave the event loop between slices of ~2 ms (planning rows, cloning build requests to the
 * build thread, store transactions, duplicate lookups). With `setImmediate` as the yield, every slice queued by then ran
 * in the same check phase — the planning loop, the build's next message and a store slice back to back — before the
 * poll phase delivered another user's edit (importTurns.test.ts shows it over a real socket). `nextImportTurn` hands
 * out one turn per loop iteration instead: the waiters are released one at a time, each from an immediate queued by the
 * one before, which Node runs in the NEXT iteration, after a poll phase. Measured in `pnpm bench`'s import phase, it
 * did not move others' edit p99 during the import (7.1–7.8 ms before and after, idle 2.5–3.4 ms): what holds those
 * rounds is mostly the main heap's GC and the planning's own slices (tests/bench/importTail.ts), not queued slices.
 */

const waiting: Array<() => void> = []
let pumping = false

function pump(): void {
  const next = waiting.shift()
  if (!next) {
    pumping = false
    return
  }
  next()
  // Queued from inside the check phase: runs in the next loop iteration, after I/O.
  setImmediate(pump)
}

/** Resolves on a later turn of the event loop, after the import work that asked before it, one slice per turn. */
export function nextImportTurn(): Promise<void> {
  return new Promise<void>((resolve) => {
    waiting.push(resolve)
    if (!pumping) {
      pumping = true
      setImmediate(pump)
    }
  })
}
