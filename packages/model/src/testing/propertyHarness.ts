import fc from 'fast-check'
import type * as Y from 'yjs'
import { TestConnector } from './TestConnector.ts'

/*
 * The shared harness of the convergence property suites (deals and accounts, tickets, the account room): random
 * concurrent REAL model commands on 3–5 replicas over a seeded `TestConnector` (random delivery order, random
 * disconnects), then `flushAll`, then each suite's invariants. CI: fixed seed, 200 runs; `RAPPORT_LONG=1`: 5,000.
 */

const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {}
export const LONG = env.RAPPORT_LONG === '1'
export const SEED = 20_250_101
export const NUM_RUNS = LONG ? 5_000 : 200
/** Test timeout of a property run. */
export const PROPERTY_TIMEOUT = LONG ? 600_000 : 30_000
/** The transaction origin of every command in the suites. */
export const ORIGIN = 'local'

/** Network steps every scenario mixes in: deliver up to `n` pending messages, or toggle one replica's link. */
export type NetworkOp = { t: 'deliver'; n: number } | { t: 'toggle' }

/** A command run on replica `r` (modulo the scenario's replica count). */
export interface ReplicaOp {
  t: string
  r: number
}

export const replicaArb = fc.nat(4)
/** An index into the records a replica sees (taken modulo their count, see `pickAt`). */
export const targetArb = fc.nat(50)

/** The network steps' weighted arbitraries, for `fc.oneof(...commands, ...NETWORK_OPS)`. */
export const NETWORK_OPS: Array<fc.WeightedArbitrary<NetworkOp>> = [
  { arbitrary: fc.record({ t: fc.constant('deliver' as const), n: fc.nat(8) }), weight: 3 },
  { arbitrary: fc.constant({ t: 'toggle' as const }), weight: 1 },
]

export interface Scenario<Op extends ReplicaOp> {
  replicas: number
  networkSeed: number
  ops: Array<Op | NetworkOp>
}

export function scenarioArb<Op extends ReplicaOp>(
  opArb: fc.Arbitrary<Op | NetworkOp>,
): fc.Arbitrary<Scenario<Op>> {
  return fc.record({
    replicas: fc.integer({ min: 3, max: 5 }),
    networkSeed: fc.nat(),
    ops: fc.array(opArb, { minLength: 1, maxLength: 40 }),
  })
}

/** What a command sees besides its replica: a clock that ticks once per step, and fresh ids. */
export interface StepContext {
  now: number
  /** `prefix` + a counter shared by every id of the scenario; the id is added to `created`. */
  nextId(prefix: string): string
}

export interface RunResult {
  net: TestConnector
  /** Every id `nextId` handed out. */
  created: Set<string>
}

/** The item at `index` modulo the list's length (stable for a replica's current view), or undefined if empty. */
export function pickAt<T>(items: readonly T[], index: number): T | undefined {
  return items.length === 0 ? undefined : items[index % items.length]
}

/**
 * Runs `scenario`: `setup` first (then every replica gets it), then each command on its replica with `apply`, then
 * delivers everything.
 */
export function runScenario<Op extends ReplicaOp>(
  scenario: Scenario<Op>,
  apply: (doc: Y.Doc, op: Op, context: StepContext) => void,
  setup?: (net: TestConnector, context: StepContext) => void,
): RunResult {
  const net = new TestConnector(scenario.replicas, scenario.networkSeed)
  const created = new Set<string>()
  let n = 0
  const context: StepContext = {
    now: 1_000,
    nextId(prefix) {
      const id = `${prefix}${++n}`
      created.add(id)
      return id
    },
  }
  if (setup) {
    setup(net, context)
    net.flushAll()
  }
  for (const op of scenario.ops) {
    context.now += 1
    if (op.t === 'deliver') net.deliver((op as NetworkOp & { t: 'deliver' }).n)
    else if (op.t === 'toggle') net.toggleRandom()
    else apply(net.doc((op as Op).r % scenario.replicas), op as Op, context)
  }
  net.flushAll()
  return { net, created }
}

/** Checks `property` over random scenarios with the suite's fixed seed and run count. */
export function assertProperty<Op extends ReplicaOp>(
  arb: fc.Arbitrary<Scenario<Op>>,
  property: (scenario: Scenario<Op>) => void,
): void {
  fc.assert(fc.property(arb, property), { seed: SEED, numRuns: NUM_RUNS })
}
