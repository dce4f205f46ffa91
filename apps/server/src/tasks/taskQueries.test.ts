import { ACCOUNTS, archiveRecord, createAccount, createTask, docName, restoreRecord } from '@rapport/model'
import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { silentLogger } from '../log/logger.ts'
import { Projection } from '../projection/Projection.ts'
import { reminderNotificationId } from './reminderId.ts'
import { queryTasks, TaskListQuery } from './taskQueries.ts'

const WS = 'ws_tasks_unit'

function setup() {
  const projection = new Projection(silentLogger())
  const accounts = new Y.Doc()
  projection.attach(docName({ workspaceId: WS, kind: 'accounts' }), accounts)
  const rooms = ['acc_a', 'acc_b'].map((id) => {
    createAccount(accounts, { id, name: `Account ${id}` }, null)
    const room = new Y.Doc()
    projection.attach(docName({ workspaceId: WS, kind: 'account', accountId: id }), room)
    return room
  })
  return { projection, accounts, rooms, ws: projection.workspace(WS) }
}

const query = (input: Record<string, string>) => TaskListQuery.parse(input)

describe('queryTasks', () => {
  it('lists my tasks across every account room by due time (legacy dates at the end of their UTC day, none last)', () => {
    const { rooms, ws } = setup()
    const [a, b] = rooms as [Y.Doc, Y.Doc]
    createTask(a, { title: 'no due', assigneeId: 'usr_me' }, null, { now: 1 })
    createTask(b, { title: 'legacy date', assigneeId: 'usr_me', dueDate: '2026-01-02' }, null, { now: 2 })
    createTask(a, { title: 'morning', assigneeId: 'usr_me', dueAt: Date.UTC(2026, 0, 2, 9) }, null, {
      now: 3,
    })
    createTask(b, { title: 'not mine', assigneeId: 'usr_other', dueAt: 5 }, null, { now: 4 })
    const { items, total } = queryTasks(ws, query({ assignee: 'me' }), 'usr_me')
    expect(total).toBe(3)
    expect(items.map((t) => [t.title, t.accountName])).toEqual([
      ['morning', 'Account acc_a'],
      ['legacy date', 'Account acc_b'],
      ['no due', 'Account acc_a'],
    ])
  })

  it('filters by status, done recently, due before, link and archived', () => {
    const { rooms, ws } = setup()
    const [a] = rooms as [Y.Doc]
    createTask(a, { title: 'old done', assigneeId: 'usr_me', done: true }, null, { now: 100 })
    createTask(a, { title: 'fresh done', assigneeId: 'usr_me', done: true }, null, { now: 5_000 })
    createTask(a, { title: 'open', assigneeId: 'usr_me', dueAt: 50, ticketId: 'tkt_1' }, null, { now: 100 })
    const titles = (input: Record<string, string>) =>
      queryTasks(ws, query(input), 'usr_me').items.map((t) => t.title)
    expect(titles({ assignee: 'me', doneSince: '1000' })).toEqual(['open', 'fresh done'])
    expect(titles({ status: 'open' })).toEqual(['open'])
    expect(titles({ dueBefore: '51' })).toEqual(['open'])
    expect(titles({ ticketId: 'tkt_1' })).toEqual(['open'])
    expect(titles({ archived: 'true' })).toEqual([])
  })

  it('leaves out the tasks of an archived account until it is restored', () => {
    const { accounts, rooms, ws } = setup()
    createTask(rooms[0] as Y.Doc, { title: 'of a', assigneeId: 'usr_me' }, null)
    createTask(rooms[1] as Y.Doc, { title: 'of b', assigneeId: 'usr_me' }, null)
    archiveRecord(accounts, ACCOUNTS, 'acc_a', null)
    const titles = () => queryTasks(ws, query({ assignee: 'me' }), 'usr_me').items.map((t) => t.title)
    expect(titles()).toEqual(['of b'])
    restoreRecord(accounts, ACCOUNTS, 'acc_a', null)
    expect(titles().sort()).toEqual(['of a', 'of b'])
  })
})

describe('reminderNotificationId', () => {
  it('is derived from task and due time, and stays a valid id for long task ids', () => {
    expect(reminderNotificationId('tsk_1', 36)).toBe('ntf_rem_tsk_1_10')
    expect(reminderNotificationId('tsk_1', 37)).not.toBe(reminderNotificationId('tsk_1', 36))
    const long = reminderNotificationId('t'.repeat(64), Date.UTC(2026, 0, 1))
    expect(long).toMatch(/^[A-Za-z0-9_-]{1,64}$/)
    expect(long).toBe(reminderNotificationId('t'.repeat(64), Date.UTC(2026, 0, 1)))
  })
})
