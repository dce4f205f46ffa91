import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type * as Y from 'yjs'
import { layoutBoard } from '../board/columns.ts'
import { moveByKeyboard, resolveDrop } from '../board/resolveDrop.ts'
import { COLLECTION } from '../layout.ts'
import { archiveRecord, collectionMap, readRecords } from '../records/recordMap.ts'
import {
  createTicket,
  moveTicket,
  TICKET_STATUSES,
  TICKETS,
  Ticket,
  updateTicket,
} from '../records/ticket.ts'
import {
  assertProperty,
  NETWORK_OPS,
  NUM_RUNS,
  ORIGIN,
  PROPERTY_TIMEOUT,
  pickAt,
  type RunResult,
  replicaArb,
  runScenario,
  type Scenario,
  SEED,
  scenarioArb,
  targetArb,
} from './propertyHarness.ts'
import { convergenceReport, TestConnector } from './TestConnector.ts'

/**
 * Convergence of the support board (`W/support`): concurrent ticket creation, same-field edits, moves between
 * statuses by drop and keyboard, reorders and archive-while-edit. Invariants: equal snapshots and canonical JSON, no
 * ticket lost or duplicated, every ticket valid, the same board everywhere, and the SLA timestamps consistent with the
 * column (the column IS the status).
 */

type Op =
  | { t: 'create'; r: number; status: number }
  | { t: 'edit'; r: number; target: number; field: 'subject' | 'priority' | 'description'; value: number }
  | {
      t: 'drop'
      r: number
      target: number
      over: number
      onColumn: boolean
      placement: 'before' | 'after' | undefined
    }
  | { t: 'key'; r: number; target: number; dir: 'up' | 'down' | 'left' | 'right' }
  | { t: 'archive'; r: number; target: number }

const opArb = fc.oneof(
  {
    arbitrary: fc.record({ t: fc.constant('create' as const), r: replicaArb, status: fc.nat(3) }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      t: fc.constant('edit' as const),
      r: replicaArb,
      target: targetArb,
      field: fc.constantFrom('subject' as const, 'priority' as const, 'description' as const),
      value: fc.nat(3),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      t: fc.constant('drop' as const),
      r: replicaArb,
      target: targetArb,
      over: fc.nat(60),
      onColumn: fc.boolean(),
      placement: fc.constantFrom('before' as const, 'after' as const, undefined),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      t: fc.constant('key' as const),
      r: replicaArb,
      target: targetArb,
      dir: fc.constantFrom('up' as const, 'down' as const, 'left' as const, 'right' as const),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ t: fc.constant('archive' as const), r: replicaArb, target: targetArb }),
    weight: 1,
  },
  ...NETWORK_OPS,
)

const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const

function tickets(doc: Y.Doc): Ticket[] {
  return readRecords(collectionMap(doc, TICKETS), Ticket).records
}

function board(doc: Y.Doc) {
  return layoutBoard(tickets(doc), TICKET_STATUSES)
}

function run(scenario: Scenario<Op>): RunResult {
  return runScenario(scenario, (doc, op, context) => {
    const { now } = context
    switch (op.t) {
      case 'create': {
        const id = context.nextId('t')
        createTicket(doc, { id, subject: id, status: TICKET_STATUSES[op.status] ?? 'new' }, ORIGIN, { now })
        break
      }
      case 'edit': {
        const ticket = pickAt(tickets(doc), op.target)
        if (!ticket) break
        const patch =
          op.field === 'priority'
            ? { priority: PRIORITIES[op.value] ?? 'normal' }
            : { [op.field]: `${op.field} ${op.value} by ${op.r}` }
        updateTicket(doc, ticket.id, patch, ORIGIN, { now })
        break
      }
      case 'drop': {
        const all = tickets(doc).filter((t) => !t.archived)
        const active = pickAt(all, op.target)
        if (!active) break
        const { columns, keys } = board(doc)
        const overCard = pickAt(all, op.over)
        const over =
          op.onColumn || !overCard
            ? { type: 'column' as const, id: TICKET_STATUSES[op.over % TICKET_STATUSES.length] ?? 'new' }
            : { type: 'card' as const, id: overCard.id }
        const position = resolveDrop({ columns, keys, activeId: active.id, over, placement: op.placement })
        if (position) moveTicket(doc, active.id, position, ORIGIN, { now })
        break
      }
      case 'key': {
        const active = pickAt(
          tickets(doc).filter((t) => !t.archived),
          op.target,
        )
        if (!active) break
        const { columns, keys } = board(doc)
        const position = moveByKeyboard(columns, keys, active.id, op.dir)
        if (position) moveTicket(doc, active.id, position, ORIGIN, { now })
        break
      }
      case 'archive': {
        const ticket = pickAt(tickets(doc), op.target)
        if (ticket) archiveRecord(doc, TICKETS, ticket.id, ORIGIN, { now })
        break
      }
    }
  })
}

function assertConverged({ net, created }: RunResult): void {
  expect(convergenceReport(net.docs, [COLLECTION.tickets])).toEqual([])
  const expected = board(net.doc(0)).columns
  for (const doc of net.docs) {
    const read = readRecords(collectionMap(doc, TICKETS), Ticket)
    expect(read.invalid).toEqual([])
    expect(read.records.map((t) => t.id).sort()).toEqual([...created].sort())
    const view = board(doc).columns
    expect(view).toEqual(expected)
    const onBoard = Object.values(view).flat()
    expect(new Set(onBoard).size).toBe(onBoard.length)
    expect(onBoard.sort()).toEqual(
      read.records
        .filter((t) => !t.archived)
        .map((t) => t.id)
        .sort(),
    )
    for (const ticket of read.records) {
      const column = ticket.position.column
      expect(ticket.resolvedAt !== null, `${ticket.id} in ${column}: resolvedAt`).toBe(column === 'resolved')
      if (column !== 'new') expect(ticket.firstResponseAt, `${ticket.id}: firstResponseAt`).not.toBeNull()
    }
  }
}

describe('support board convergence', () => {
  it(
    `converges after random concurrent ticket commands (seed ${SEED}, ${NUM_RUNS} runs)`,
    () => {
      assertProperty(scenarioArb<Op>(opArb), (scenario) => assertConverged(run(scenario)))
    },
    PROPERTY_TIMEOUT,
  )

  it('two replicas move one ticket to resolved and to waiting at once: column and resolvedAt from one writer', () => {
    const net = new TestConnector(3, 13)
    createTicket(net.doc(0), { id: 't1', subject: 'x', status: 'open' }, ORIGIN, { now: 1 })
    net.flushAll()
    moveTicket(net.doc(1), 't1', { column: 'resolved', key: 'a0' }, ORIGIN, { now: 2 })
    moveTicket(net.doc(2), 't1', { column: 'waiting', key: 'a0' }, ORIGIN, { now: 3 })
    net.flushAll()
    assertConverged({ net, created: new Set(['t1']) })
  })

  it('archive on one replica while another edits the same ticket keeps both changes', () => {
    const net = new TestConnector(3, 17)
    createTicket(net.doc(0), { id: 't1', subject: 'x' }, ORIGIN, { now: 1 })
    net.flushAll()
    net.disconnect(1)
    archiveRecord(net.doc(0), TICKETS, 't1', ORIGIN, { now: 2 })
    updateTicket(net.doc(1), 't1', { description: 'typed offline' }, ORIGIN, { now: 3 })
    net.flushAll()
    assertConverged({ net, created: new Set(['t1']) })
    expect(tickets(net.doc(2))[0]).toMatchObject({ archived: true, description: 'typed offline' })
  })
})
