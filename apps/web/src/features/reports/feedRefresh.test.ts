import { describe, expect, it } from 'vitest'
import { affectedWidgets, Coalescer, FAMILIES_OF_KIND } from './feedRefresh.ts'

const widgets = [
  { reportId: 'pipeline', family: 'sales' as const },
  { reportId: 'backlog', family: 'service' as const },
  { reportId: 'sources', family: 'leads' as const },
  { reportId: 'tiers', family: 'customers' as const },
  { reportId: 'gone', family: null },
]

/** A run whose end the test decides. */
function deferredRuns() {
  const runs: Array<{ key: string; end: () => void }> = []
  const run = (key: string) =>
    new Promise<void>((resolve) => {
      runs.push({ key, end: resolve })
    })
  return { runs, run }
}
const settle = () => new Promise((resolve) => setImmediate(resolve))

describe('feed kind → widgets', () => {
  it('maps each record kind to the report families it can move', () => {
    expect(affectedWidgets('deals', widgets)).toEqual(['pipeline', 'sources', 'tiers'])
    expect(affectedWidgets('tickets', widgets)).toEqual(['backlog'])
    expect(affectedWidgets('contacts', widgets)).toEqual(['sources'])
    expect(affectedWidgets('accounts', widgets)).toEqual(['pipeline', 'tiers'])
    expect(affectedWidgets('tasks', widgets)).toEqual([])
    // While the report list loads, a widget's family is unknown: any change refetches it.
    expect(affectedWidgets('tickets', [{ reportId: 'x', family: 'unknown' }])).toEqual(['x'])
    // Every family is reachable from some kind, and tickets never refetch sales.
    const reachable = new Set(Object.values(FAMILIES_OF_KIND).flat())
    expect([...reachable].sort()).toEqual(['customers', 'leads', 'sales', 'service'])
    expect(FAMILIES_OF_KIND.tickets).not.toContain('sales')
  })
})

describe('Coalescer', () => {
  it('runs at most one per key at a time and collapses a burst into one trailing run', async () => {
    const { runs, run } = deferredRuns()
    const c = new Coalescer(run)
    c.request('a')
    c.request('a')
    c.request('a')
    c.request('b')
    expect(runs.map((r) => r.key)).toEqual(['a', 'b'])
    expect(c.busy().sort()).toEqual(['a', 'b'])
    runs[0]?.end()
    await settle()
    expect(runs.map((r) => r.key)).toEqual(['a', 'b', 'a']) // ONE trailing run for the three requests
    runs[2]?.end()
    runs[1]?.end()
    await settle()
    expect(runs).toHaveLength(3)
    expect(c.busy()).toEqual([])
  })

  it('keeps going after a failed run and stops on stop()', async () => {
    const keys: string[] = []
    let fail = true
    const c = new Coalescer(async (key) => {
      keys.push(key)
      if (fail) {
        fail = false
        throw new Error('boom')
      }
    })
    c.request('a')
    c.request('a')
    await settle()
    await settle()
    expect(keys).toEqual(['a', 'a'])
    c.stop()
    c.request('a')
    await settle()
    expect(keys).toEqual(['a', 'a'])
  })
})
