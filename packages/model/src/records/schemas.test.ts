import { describe, expect, it } from 'vitest'
import { Account } from './account.ts'
import { Activity } from './activity.ts'
import { Contact } from './contact.ts'
import { Deal } from './deal.ts'
import { ChecklistItem, Handoff } from './handoff.ts'
import { colorForUser, Member } from './member.ts'
import { Notification } from './notification.ts'
import { Task } from './task.ts'
import { Ticket } from './ticket.ts'
import { CustomFieldDef, DEFAULT_SLA, defaultPipelines, Pipeline, SlaPolicy } from './workspaceSettings.ts'

const base = { id: 'r1', createdAt: 1, updatedAt: 2, archived: false }
const VALID = {
  account: {
    ...base,
    name: 'Acme',
    domain: '',
    industry: '',
    size: '11-50',
    tier: 'growth',
    ownerId: null,
    team: 'sales',
    phone: '',
    website: '',
    city: '',
    country: '',
    customFields: { f1: 3, f2: null },
  },
  contact: {
    ...base,
    accountId: null,
    firstName: 'Ada',
    lastName: '',
    email: '',
    phone: '',
    title: '',
    leadStatus: 'new',
    source: 'web',
    score: 50,
    ownerId: null,
  },
  deal: {
    ...base,
    pipelineId: 'p',
    title: 'Deal',
    accountId: null,
    contactIds: ['c1'],
    amount: 10,
    currency: 'EUR',
    ownerId: null,
    expectedCloseDate: '2025-06-30',
    status: 'open',
    lostReason: null,
    position: { column: 's1', key: 'a0' },
    stageEnteredAt: 1,
  },
  ticket: {
    ...base,
    subject: 'Help',
    description: '',
    accountId: null,
    contactId: null,
    priority: 'high',
    position: { column: 'waiting', key: 'a0' },
    assigneeId: null,
    slaDueAt: null,
    firstResponseAt: 5,
    resolvedAt: null,
    csat: 5,
  },
  task: { ...base, title: 'Do it', done: false, assigneeId: null, dueDate: null, dealId: null },
  activity: {
    ...base,
    type: 'stage_change',
    at: 3,
    actorId: null,
    subject: { kind: 'deal', id: 'd1' },
    text: '',
    changes: [{ field: 'stage', before: 'a', after: 'b' }],
  },
  handoff: {
    ...base,
    accountId: 'a',
    dealId: null,
    fromUserId: 'u1',
    toUserId: null,
    toTeam: 'support',
    status: 'draft',
    returnComment: null,
    sentAt: null,
    acceptedAt: null,
  },
  checklist: { ...base, handoffId: 'h1', text: 'Item', done: true, key: 'a0' },
  notification: {
    ...base,
    type: 'mention',
    at: 1,
    actorId: 'u2',
    text: 'hi',
    link: { accountId: 'a1' },
    read: false,
  },
}
const SCHEMAS = {
  account: Account,
  contact: Contact,
  deal: Deal,
  ticket: Ticket,
  task: Task,
  activity: Activity,
  handoff: Handoff,
  checklist: ChecklistItem,
  notification: Notification,
}

const INVALID: Array<[keyof typeof VALID, Record<string, unknown>]> = [
  ['account', { name: '' }],
  ['account', { size: '5' }],
  ['account', { customFields: { f: { nested: 1 } } }],
  ['contact', { score: 101 }],
  ['contact', { email: 'nope' }],
  ['deal', { currency: 'eur' }],
  ['deal', { amount: -1 }],
  ['deal', { position: { column: 's1' } }],
  ['ticket', { position: { column: 'closed', key: 'a0' } }],
  ['ticket', { csat: 6 }],
  ['task', { dueDate: '2025-1-1' }],
  ['activity', { subject: { kind: 'planet', id: 'x' } }],
  ['handoff', { status: 'done' }],
  ['checklist', { key: '' }],
  ['notification', { type: 'spam' }],
  ['account', { archived: 'no' }],
  ['deal', { id: 'has space' }],
]

describe('record schemas', () => {
  it.each(Object.keys(VALID) as Array<keyof typeof VALID>)('%s accepts a valid record', (name) => {
    expect(SCHEMAS[name].safeParse(VALID[name]).success).toBe(true)
  })
  it.each(INVALID)('%s rejects %j', (name, patch) => {
    expect(SCHEMAS[name].safeParse({ ...VALID[name], ...patch }).success).toBe(false)
  })
  it('workspace settings schemas', () => {
    for (const p of defaultPipelines()) expect(Pipeline.safeParse(p).success).toBe(true)
    expect(Pipeline.safeParse({ id: 'p', name: 'P', key: 'a0', stages: [] }).success).toBe(false)
    const stage = { id: 's', name: 'S', probability: 1.5, rotAfterDays: null, outcome: 'open' }
    expect(Pipeline.safeParse({ id: 'p', name: 'P', key: 'a0', stages: [stage] }).success).toBe(false)
    expect(SlaPolicy.safeParse(DEFAULT_SLA).success).toBe(true)
    expect(
      SlaPolicy.safeParse({ ...DEFAULT_SLA, urgent: { firstResponseMins: 0, resolutionMins: 1 } }).success,
    ).toBe(false)
    expect(
      CustomFieldDef.safeParse({ id: 'f', label: 'F', entity: 'deal', type: 'select', options: ['a'] })
        .success,
    ).toBe(true)
    expect(
      CustomFieldDef.safeParse({ id: 'f', label: 'F', entity: 'user', type: 'select', options: [] }).success,
    ).toBe(false)
  })
  it('member schema and colours', () => {
    const member = {
      userId: 'u1',
      workspaceId: 'w1',
      role: 'sales',
      name: 'Ada',
      email: 'ada@x.io',
      team: null,
      color: colorForUser('u1'),
    }
    expect(Member.safeParse(member).success).toBe(true)
    expect(Member.safeParse({ ...member, color: 'red' }).success).toBe(false)
    expect(Member.safeParse({ ...member, role: 'owner' }).success).toBe(false)
    expect(colorForUser('u1')).toBe(colorForUser('u1'))
  })
})
