import {
  appendActivity,
  COLLECTION,
  createAccount,
  createContact,
  createDeal,
  createTask,
  createTicket,
  DEFAULT_SLA,
  defaultPipelines,
  docName,
  endOfColumn,
  initWorkspace,
  moveTicket,
  NOTES_TEXT_FIELD,
  type Pipeline,
  TICKET_STATUSES,
  writeDocToText,
} from '@rapport/model'
import * as Y from 'yjs'
import { serverOrigin } from '../collab/directWrites.ts'

/** mulberry32: a small seeded PRNG (the demo data is identical for a given seed). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const DEMO_COUNTS = { accounts: 60, contacts: 200, deals: 120, tickets: 40 } as const

export interface DemoUsers {
  admin: string
  sales: string
  sales2: string
  support: string
  viewer: string
}

const PREFIX = [
  'Acme',
  'Globex',
  'Initech',
  'Umbrella',
  'Stark',
  'Wayne',
  'Hooli',
  'Vandelay',
  'Soylent',
  'Tyrell',
  'Cyberdyne',
  'Wonka',
  'Aperture',
  'Massive',
  'Pied',
  'Gringotts',
  'Oscorp',
  'Nakatomi',
  'Monarch',
  'Dunder',
]
const SUFFIX = [
  'Labs',
  'Systems',
  'Group',
  'Logistics',
  'Health',
  'Foods',
  'Energy',
  'Analytics',
  'Robotics',
  'Media',
]
const INDUSTRIES = [
  'Software',
  'Manufacturing',
  'Healthcare',
  'Retail',
  'Logistics',
  'Finance',
  'Energy',
  'Media',
]
const CITIES: Array<[string, string]> = [
  ['Berlin', 'DE'],
  ['Paris', 'FR'],
  ['London', 'GB'],
  ['Austin', 'US'],
  ['Toronto', 'CA'],
  ['Lisbon', 'PT'],
  ['Madrid', 'ES'],
  ['Boston', 'US'],
  ['Munich', 'DE'],
  ['Dublin', 'IE'],
]
const FIRST = [
  'Ada',
  'Grace',
  'Alan',
  'Linus',
  'Margaret',
  'Ken',
  'Barbara',
  'Dennis',
  'Frances',
  'Edsger',
  'Radia',
  'Tim',
  'Sophie',
  'John',
  'Hedy',
  'Donald',
  'Katherine',
  'Niklaus',
  'Anita',
  'Guido',
]
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Torvalds',
  'Hamilton',
  'Thompson',
  'Liskov',
  'Ritchie',
  'Allen',
  'Dijkstra',
  'Perlman',
  'Berners-Lee',
  'Wilson',
  'McCarthy',
  'Lamarr',
  'Knuth',
  'Johnson',
  'Wirth',
  'Borg',
  'Rossum',
]
const TITLES = [
  'CEO',
  'CTO',
  'VP Sales',
  'Head of Operations',
  'Procurement Lead',
  'IT Manager',
  'CFO',
  'Engineer',
]
const PRODUCTS = [
  'Platform licence',
  'Support plan',
  'Onboarding',
  'Analytics add-on',
  'Enterprise upgrade',
  'Renewal',
]
const ISSUES = [
  'Cannot log in',
  'Export fails',
  'Slow dashboard',
  'Invoice question',
  'Sync error',
  'SSO setup',
  'Missing data',
  'API rate limit',
  'Password reset',
  'Feature request',
]

/**
 * Builds the demo workspace's Yjs documents, deterministically from `seed` (timestamps relative to `now`):
 * settings with two pipelines, 60 accounts, 200 contacts, 120 deals, 40 tickets, and one room per account with
 * notes (Tiptap paragraphs), a timeline and tasks. Returns document name → full state (`encodeStateAsUpdate`).
 */
export function buildDemoDocs(input: {
  workspaceId: string
  workspaceName: string
  users: DemoUsers
  seed: number
  now: number
}): Map<string, Uint8Array> {
  const rnd = seededRandom(input.seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T
  const int = (min: number, max: number): number => min + Math.floor(rnd() * (max - min + 1))
  let counter = 0
  const makeId = (prefix: string): string => `${prefix}_demo${(counter++).toString(36).padStart(4, '0')}`
  const origin = serverOrigin('seed')
  const { workspaceId, now, users } = input
  const day = 86_400_000
  const at = (): number => now - int(0, 60) * day - int(0, 86_399) * 1000
  const date = (offsetDays: number): string => new Date(now + offsetDays * day).toISOString().slice(0, 10)
  const owners = [users.sales, users.sales2, users.admin]
  const out = new Map<string, Uint8Array>()
  const save = (name: string, doc: Y.Doc): void => {
    out.set(name, Y.encodeStateAsUpdate(doc))
    doc.destroy()
  }

  const settings = new Y.Doc()
  const pipelines: Pipeline[] = defaultPipelines(makeId)
  initWorkspace(settings, { name: input.workspaceName, pipelines }, origin)
  save(docName({ workspaceId, kind: 'workspace' }), settings)

  // Each account in its room `W/account/A` (getMap('accounts'), the one entry A — issue #12), with its notes,
  // timeline and tasks.
  const rooms = new Map<string, Y.Doc>()
  const accounts = Array.from({ length: DEMO_COUNTS.accounts }, (_, i) => {
    const base = `${PREFIX[i % PREFIX.length]} ${SUFFIX[Math.floor(i / PREFIX.length) % SUFFIX.length]}`
    const [city, country] = pick(CITIES)
    const room = new Y.Doc()
    const account = createAccount(
      room,
      {
        id: makeId('acc'),
        name: base,
        domain: `${base.toLowerCase().replace(/[^a-z]+/g, '')}.example`,
        industry: pick(INDUSTRIES),
        size: pick(['1-10', '11-50', '51-200', '201-1000', '1000+'] as const),
        tier: pick(['strategic', 'growth', 'standard'] as const),
        ownerId: pick(owners),
        team: i % 4 === 0 ? 'success' : 'sales',
        city,
        country,
        website: `https://${base.toLowerCase().replace(/[^a-z]+/g, '')}.example`,
      },
      origin,
      { now: at() },
    )
    const notes = room.getText(NOTES_TEXT_FIELD)
    const paragraphs = [
      `${account.name} is a ${account.industry.toLowerCase()} company based in ${account.city}.`,
      `Main goal this quarter: ${pick(PRODUCTS).toLowerCase()} rollout. Budget owner is the ${pick(TITLES)}.`,
      `Risks: ${pick(ISSUES).toLowerCase()} came up in the last call; follow up within two weeks.`,
    ]
    room.transact(() => {
      writeDocToText(notes, {
        type: 'doc',
        content: [
          {
            type: 'heading',
            attrs: { level: 2 },
            content: [{ type: 'text', text: `${account.name} — account notes` }],
          },
          ...paragraphs.map((text) => ({ type: 'paragraph', content: [{ type: 'text', text }] })),
        ],
      })
    }, origin)
    for (let t = 0; t < int(1, 3); t++) {
      createTask(
        room,
        {
          id: makeId('tsk'),
          title: `${pick(['Call', 'Email', 'Send proposal to', 'Review'])} ${pick(FIRST)}`,
          done: rnd() < 0.3,
          assigneeId: pick(owners),
          dueDate: date(int(-5, 20)),
        },
        origin,
        { now: at() },
      )
    }
    for (let a = 0; a < int(1, 3); a++) {
      const type = pick(['call', 'email', 'meeting'] as const)
      appendActivity(
        room,
        {
          id: makeId('act'),
          type,
          at: at(),
          actorId: pick(owners),
          subject: { kind: 'account', id: account.id },
          text: `${type === 'call' ? 'Called' : type === 'email' ? 'Emailed' : 'Met'} ${pick(FIRST)} about ${pick(PRODUCTS).toLowerCase()}`,
        },
        origin,
        { now: at() },
      )
    }
    rooms.set(account.id, room)
    return account
  })

  // Each contact in its own document `W/contact/C` (issue #12).
  const contactIds = new Map<string, string[]>()
  const namesAt = new Map<string, Set<string>>()
  for (let i = 0; i < DEMO_COUNTS.contacts; i++) {
    const account = accounts[i % accounts.length]
    if (!account) continue
    // A person appears at most once per account (a few retries; the name lists are far longer than contacts per account).
    const taken = namesAt.get(account.id) ?? new Set<string>()
    namesAt.set(account.id, taken)
    let firstName = pick(FIRST)
    let lastName = pick(LAST)
    for (let retry = 0; retry < 20 && taken.has(`${firstName} ${lastName}`); retry++) {
      firstName = pick(FIRST)
      lastName = pick(LAST)
    }
    taken.add(`${firstName} ${lastName}`)
    const contactDoc = new Y.Doc()
    const contact = createContact(
      contactDoc,
      {
        id: makeId('con'),
        accountId: account.id,
        firstName,
        lastName,
        email: `${firstName}.${lastName}@${account.domain}`.toLowerCase().replace(/[^a-z.@-]/g, ''),
        title: pick(TITLES),
        leadStatus: pick(['new', 'contacted', 'qualified', 'unqualified', 'customer'] as const),
        source: pick(['web', 'referral', 'event', 'outbound', 'import', 'other'] as const),
        score: int(0, 100),
        ownerId: account.ownerId,
      },
      origin,
      { now: at() },
    )
    contactIds.set(account.id, [...(contactIds.get(account.id) ?? []), contact.id])
    save(docName({ workspaceId, kind: 'contact', contactId: contact.id }), contactDoc)
  }

  for (const [p, pipeline] of pipelines.entries()) {
    const doc = new Y.Doc()
    const count = p === 0 ? DEMO_COUNTS.deals - 30 : 30
    for (let i = 0; i < count; i++) {
      const account = pick(accounts)
      const stage = pick(pipeline.stages)
      createDeal(
        doc,
        {
          id: makeId('deal'),
          pipelineId: pipeline.id,
          title: `${account.name} — ${pick(PRODUCTS)}`,
          stageId: stage.id,
          accountId: account.id,
          contactIds: (contactIds.get(account.id) ?? []).slice(0, 2),
          amount: int(5, 250) * 1000,
          currency: pick(['USD', 'EUR', 'EUR', 'GBP']),
          ownerId: account.ownerId,
          expectedCloseDate: date(int(-10, 120)),
          lostReason: stage.outcome === 'lost' ? pick(['Budget', 'Chose competitor', 'No decision']) : null,
        },
        origin,
        { now: at(), stages: pipeline.stages },
      )
    }
    // Each deal in its own document `W/deal/D` (keys were given in board order above); boards are derived at start.
    const deals = doc.getMap<unknown>(COLLECTION.deals)
    for (const id of [...deals.keys()].sort()) {
      const own = new Y.Doc()
      own.transact(() => {
        const fields = new Y.Map<unknown>()
        own.getMap<unknown>(COLLECTION.deals).set(id, fields)
        for (const [key, value] of (deals.get(id) as Y.Map<unknown>).entries()) fields.set(key, value)
      }, origin)
      save(docName({ workspaceId, kind: 'deal', dealId: id }), own)
    }
    doc.destroy()
  }

  const support = new Y.Doc()
  for (let i = 0; i < DEMO_COUNTS.tickets; i++) {
    const account = pick(accounts)
    const created = at()
    const ticket = createTicket(
      support,
      {
        id: makeId('tkt'),
        subject: `${pick(ISSUES)} (${account.name})`,
        description: `Customer reports: ${pick(ISSUES).toLowerCase()}. Steps to reproduce attached.`,
        accountId: account.id,
        contactId: contactIds.get(account.id)?.[0] ?? null,
        priority: pick(['low', 'normal', 'normal', 'high', 'urgent'] as const),
        assigneeId: users.support,
      },
      origin,
      { now: created, sla: DEFAULT_SLA },
    )
    const status = TICKET_STATUSES[i % TICKET_STATUSES.length] ?? 'new'
    if (status !== 'new') {
      const position = endOfColumn(support.getMap(COLLECTION.tickets), status)
      moveTicket(support, ticket.id, position, origin, { now: created + 3_600_000 })
    }
  }
  // Each ticket in its own document `W/ticket/T` with its messages (keys were given in board order above).
  const ticketMap = support.getMap<unknown>(COLLECTION.tickets)
  const messageMap = support.getMap<unknown>(COLLECTION.ticketMessages)
  for (const id of [...ticketMap.keys()].sort()) {
    const own = new Y.Doc()
    own.transact(() => {
      const fields = new Y.Map<unknown>()
      own.getMap<unknown>(COLLECTION.tickets).set(id, fields)
      for (const [key, value] of (ticketMap.get(id) as Y.Map<unknown>).entries()) fields.set(key, value)
      for (const [messageId, message] of messageMap.entries()) {
        if (!(message instanceof Y.Map) || message.get('ticketId') !== id) continue
        const copy = new Y.Map<unknown>()
        own.getMap<unknown>(COLLECTION.ticketMessages).set(messageId, copy)
        for (const [key, value] of message.entries()) copy.set(key, value)
      }
    }, origin)
    save(docName({ workspaceId, kind: 'ticket', ticketId: id }), own)
  }
  support.destroy()

  for (const [accountId, room] of rooms) save(docName({ workspaceId, kind: 'account', accountId }), room)
  return out
}
