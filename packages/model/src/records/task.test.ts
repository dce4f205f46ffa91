import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { ModelError } from '../errors.ts'
import { collectionMap, readRecords } from './recordMap.ts'
import { createTask, TASKS, Task, taskDueAt, updateTask } from './task.ts'
import { bucketTasks, taskBucket } from './taskBuckets.ts'

const ORIGIN = 'test'
const NOW = Date.UTC(2026, 11, 4, 12, 0)
const END_OF_TODAY = Date.UTC(2026, 11, 5, 0, 0)
const clock = { now: NOW, endOfToday: END_OF_TODAY }

describe('task', () => {
  it('stores a due time and links to a deal, contact or ticket', () => {
    const doc = new Y.Doc()
    const task = createTask(
      doc,
      { title: 'Send the quote', dueAt: NOW + 60_000, contactId: 'con_1', ticketId: 'tkt_1' },
      ORIGIN,
      { now: NOW },
    )
    expect(task).toMatchObject({ dueAt: NOW + 60_000, contactId: 'con_1', ticketId: 'tkt_1', dealId: null })
    expect(updateTask(doc, task.id, { dueAt: null, dealId: 'deal_1' }, ORIGIN)).toMatchObject({
      dueAt: null,
      dealId: 'deal_1',
    })
  })

  it('reads a task written before dueAt, contactId and ticketId existed', () => {
    const doc = new Y.Doc()
    const map = collectionMap(doc, TASKS)
    const old = new Y.Map<unknown>()
    const fields = { id: 'tsk_old', createdAt: 1, updatedAt: 1, archived: false, title: 'Old', done: false }
    for (const [k, v] of Object.entries({ ...fields, assigneeId: null, dueDate: '2026-12-01', dealId: null }))
      old.set(k, v)
    map.set('tsk_old', old)
    const { records, invalid } = readRecords(map, Task)
    expect(invalid).toEqual([])
    expect(records[0]).toMatchObject({ dueAt: null, contactId: null, ticketId: null })
    expect(taskDueAt(records[0] as Task)).toBe(Date.UTC(2026, 11, 1, 23, 59, 59, 999))
  })

  it('refuses an empty title with a plain message', () => {
    const doc = new Y.Doc()
    try {
      createTask(doc, { title: '   ' }, ORIGIN)
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(ModelError)
      expect((error as ModelError).issues.join(' ')).toContain('Give the task a title')
    }
  })
})

describe('taskBucket / bucketTasks', () => {
  const doc = new Y.Doc()
  const make = (title: string, dueAt: number | null, done = false) =>
    createTask(doc, { title, dueAt, done }, ORIGIN, { now: NOW })

  it('puts a task due a minute ago in overdue, later today in today, tomorrow in upcoming', () => {
    expect(taskBucket(make('a', NOW - 60_000), clock)).toBe('overdue')
    expect(taskBucket(make('b', NOW + 60_000), clock)).toBe('today')
    expect(taskBucket(make('c', END_OF_TODAY), clock)).toBe('upcoming')
    expect(taskBucket(make('d', null), clock)).toBe('someday')
    expect(taskBucket(make('e', NOW - 60_000, true), clock)).toBe('done')
  })

  it('sorts each group by due time and leaves archived tasks out', () => {
    const later = make('later', NOW - 1_000)
    const earlier = make('earlier', NOW - 5_000)
    const archived = { ...make('gone', NOW - 9_000), archived: true }
    const groups = bucketTasks([later, archived, earlier], clock)
    expect(groups.overdue.map((t) => t.title)).toEqual(['earlier', 'later'])
  })
})
