import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { isModelError } from '../errors.ts'
import { COLLECTION } from '../layout.ts'
import { ACCOUNTS, Account, createAccount, updateAccount } from '../records/account.ts'
import type { CustomFieldValue, CustomFieldValues } from '../records/customFields.ts'
import { collectionMap, readRecords } from '../records/recordMap.ts'
import {
  assertProperty,
  NETWORK_OPS,
  type NetworkOp,
  ORIGIN,
  PROPERTY_TIMEOUT,
  replicaArb,
  runScenario,
  type Scenario,
  scenarioArb,
} from './propertyHarness.ts'
import { convergenceReport, type TestConnector } from './TestConnector.ts'

/**
 * Convergence of custom field values under concurrent edits through `updateAccount` on 3–5 replicas (docs/schema.md
 * §3.9: one entry per field). Two accounts: one created with values, one still in the old form (one `customFields`
 * object). Each op sets (or clears) one field of one account to a value no other op uses. Invariants: every replica
 * ends equal and reads every account valid; a field nobody wrote keeps its starting value; a field written by ONE
 * replica only ends with that replica's last value (edits of different fields never overwrite each other); a field
 * written by several ends with one of the values written to it.
 */

const FIELDS = ['seats', 'plan', 'region', 'tags'] as const
const ACCOUNT_IDS = ['acc_new', 'acc_old'] as const
const START: Record<string, CustomFieldValues> = {
  acc_new: { seats: 1, plan: 'start' },
  acc_old: { region: 'EU', tags: ['start'] },
}

type Op = { t: 'set'; r: number; account: number; field: number; clear: boolean }

const opArb: fc.Arbitrary<Op | NetworkOp> = fc.oneof(
  {
    arbitrary: fc.record({
      t: fc.constant('set' as const),
      r: replicaArb,
      account: fc.nat(1),
      field: fc.nat(FIELDS.length - 1),
      clear: fc.boolean(),
    }),
    weight: 6,
  },
  ...NETWORK_OPS,
)

const arb = scenarioArb<Op>(opArb)

/** A fresh value for write `n` of `field` (seats is a number, tags a list, the others text). */
function valueFor(field: string, n: number): CustomFieldValue {
  if (field === 'seats') return n
  if (field === 'tags') return [`v${n}`]
  return `v${n}`
}

function setup(net: TestConnector): void {
  const doc = net.doc(0)
  createAccount(doc, { id: 'acc_new', name: 'New Co', customFields: START.acc_new }, ORIGIN, { now: 1 })
  createAccount(doc, { id: 'acc_old', name: 'Old Co' }, ORIGIN, { now: 1 })
  doc.transact(() => {
    ;(collectionMap(doc, ACCOUNTS).get('acc_old') as Y.Map<unknown>).set('customFields', START.acc_old)
  }, ORIGIN)
}

function check(scenario: Scenario<Op>): void {
  let n = 0
  /** Per `account|field`: the replicas that wrote it and each replica's last value. */
  const writes = new Map<string, Map<number, unknown>>()
  const { net } = runScenario(
    scenario,
    (doc, op, context) => {
      const account = ACCOUNT_IDS[op.account] as string
      const field = FIELDS[op.field] as string
      const value = op.clear ? null : valueFor(field, ++n)
      try {
        updateAccount(doc, account, { customFields: { [field]: value } }, ORIGIN, { now: context.now })
      } catch (error) {
        // A replica that has a later update's deletions but not yet its insertions (out-of-order delivery) may see
        // the record without a field for a moment; the command refuses it and writes nothing.
        if (!isModelError(error)) throw error
        return
      }
      const key = `${account}|${field}`
      const byReplica = writes.get(key) ?? new Map<number, unknown>()
      byReplica.set(op.r % scenario.replicas, value)
      writes.set(key, byReplica)
    },
    (connector) => setup(connector),
  )
  expect(convergenceReport(net.docs, [COLLECTION.accounts])).toEqual([])
  for (const doc of net.docs) {
    const read = readRecords(collectionMap(doc, ACCOUNTS), Account)
    expect(read.invalid).toEqual([])
    for (const account of ACCOUNT_IDS) {
      const values = read.records.find((r) => r.id === account)?.customFields ?? {}
      for (const field of FIELDS) {
        const byReplica = writes.get(`${account}|${field}`)
        const actual = values[field] ?? null
        if (byReplica === undefined) expect(actual).toEqual(START[account]?.[field] ?? null)
        else if (byReplica.size === 1) expect(actual).toEqual([...byReplica.values()][0])
        else expect([...byReplica.values()]).toContainEqual(actual)
      }
    }
  }
}

describe('custom field convergence (per-field entries)', () => {
  it(
    'concurrent sets of different fields all survive; concurrent sets of one field converge',
    () => assertProperty(arb, check),
    PROPERTY_TIMEOUT,
  )
})
