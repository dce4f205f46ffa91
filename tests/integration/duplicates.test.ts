import { rm } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { api, type SeededUser, seedMember, signIn } from './helpers/clients.ts'
import { type StartedServer, startServer } from './helpers/startServer.ts'

const WS = 'ws_dupes'
const OTHER = 'ws_dupes_other'

let started: StartedServer
const cookies: Record<string, string> = {}

beforeAll(async () => {
  started = await startServer()
  for (const [key, workspaceId, role] of [
    ['admin', WS, 'admin'],
    ['sales', WS, 'sales'],
    ['viewer', WS, 'viewer'],
    ['outsider', OTHER, 'admin'],
  ] as const) {
    const user: SeededUser = await seedMember(started.server, {
      workspaceId,
      email: `${key}@dupes.test`,
      role,
    })
    cookies[key] = (await signIn(started.url, user)).cookie
  }
})
let keptDir: string | null = null
afterAll(async () => {
  await started.stop()
  if (keptDir) await rm(keptDir, { recursive: true, force: true })
})

type Json = Record<string, unknown> & { id: string }
interface Match {
  id: string
  label: string
  evidence: string[]
  score: number
}
interface Pair {
  a: Json & { label: string }
  b: Json & { label: string }
  evidence: string[]
  score: number
}
const send = <T = Json>(path: string, who: string, body?: unknown, method?: string) =>
  api<T>(started.url, path, {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    cookie: cookies[who],
    body,
  })
const check = (kind: string, record: unknown, who = 'sales') =>
  send<{ matches: Match[]; error?: { code: string; message: string } }>('/api/duplicates/check', who, {
    kind,
    record,
  })

describe('duplicate check (create-time warning)', () => {
  it('names the existing contact with its evidence: same email, similar name, same phone, same domain', async () => {
    const ada = await send('/api/contacts', 'sales', {
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'Ada.Lovelace@Analytical.example',
      phone: '+44 20 7946 0958',
    })
    expect(ada.status).toBe(201)
    const byEmail = await check('contacts', {
      firstName: 'A.',
      lastName: 'L.',
      email: ' ada.lovelace@analytical.example ',
    })
    expect(byEmail.status).toBe(200)
    expect(byEmail.body.matches).toEqual([
      {
        id: ada.body.id,
        label: 'Ada Lovelace',
        evidence: ['same email', 'same domain'],
        score: expect.any(Number),
      },
    ])
    expect(byEmail.body.matches[0]?.score).toBeGreaterThanOrEqual(0.95)

    // Word order, case and accents do not matter for the name; a national phone number matches the international one.
    const byName = await check('contacts', { firstName: 'LOVELACE', lastName: 'Ádá', phone: '020 7946 0958' })
    expect(byName.body.matches.map((m) => [m.id, m.evidence])).toEqual([
      [ada.body.id, ['similar name', 'same phone']],
    ])
    // A colleague at the same company domain alone is no duplicate.
    const colleague = await check('contacts', {
      firstName: 'Charles',
      lastName: 'Babbage',
      email: 'cb@analytical.example',
    })
    expect(colleague.body.matches).toEqual([])
    // Editing the record itself: it is not its own duplicate.
    const self = await check('contacts', { id: ada.body.id, firstName: 'Ada', lastName: 'Lovelace' })
    expect(self.body.matches).toEqual([])
  })

  it('matches accounts by domain from the website or domain field and by a name without its legal form', async () => {
    const acme = await send('/api/accounts', 'sales', {
      name: 'Acme Rockets, Inc.',
      website: 'https://www.acme-rockets.example/about',
    })
    expect(acme.status).toBe(201)
    const byDomain = await check('accounts', { name: 'Something else', domain: 'ACME-rockets.example' })
    expect(byDomain.body.matches.map((m) => [m.id, m.label, m.evidence])).toEqual([
      [acme.body.id, 'Acme Rockets, Inc.', ['same domain']],
    ])
    const byName = await check('accounts', { name: 'acme rockets' })
    expect(byName.body.matches.map((m) => [m.id, m.evidence])).toEqual([[acme.body.id, ['similar name']]])
    expect((await check('accounts', { name: 'Acme Rocket Parts' })).body.matches).toEqual([])
  })

  it('forgets archived records, never looks into another workspace, and refuses bad input in words', async () => {
    const gone = await send('/api/contacts', 'sales', {
      firstName: 'Grace',
      lastName: 'Hopper',
      email: 'grace@navy.example',
    })
    expect((await check('contacts', { email: 'grace@navy.example' })).body.matches).toHaveLength(1)
    expect((await send(`/api/contacts/${gone.body.id}/archive`, 'sales', undefined, 'POST')).status).toBe(200)
    expect((await check('contacts', { email: 'grace@navy.example' })).body.matches).toEqual([])

    await send('/api/contacts', 'outsider', {
      firstName: 'Alan',
      lastName: 'Turing',
      email: 'alan@bletchley.example',
    })
    expect((await check('contacts', { email: 'alan@bletchley.example' })).body.matches).toEqual([])
    expect(
      (await check('contacts', { email: 'alan@bletchley.example' }, 'outsider')).body.matches,
    ).toHaveLength(1)

    const bad = await check('deals', { title: 'x' })
    expect(bad.status).toBe(400)
    expect(bad.body.error?.code).toBe('invalid_input')
    const long = await check('contacts', { email: 'x'.repeat(400) })
    expect(long.status).toBe(400)
    const anonymous = await api(started.url, '/api/duplicates/check', {
      body: { kind: 'contacts', record: {} },
    })
    expect(anonymous.status).toBe(401)
  })
})

describe('duplicate pairs and dismissals', () => {
  it('lists likely pairs best first with both records and their evidence; a dismissed pair stays away', async () => {
    const a = await send('/api/contacts', 'admin', {
      firstName: 'Mary',
      lastName: 'Somerville',
      email: 'mary@soc.example',
    })
    const b = await send('/api/contacts', 'admin', {
      firstName: 'Mary',
      lastName: 'Somerville',
      email: 'MARY@soc.example',
      phone: '555 123 4567',
    })
    const c = await send('/api/contacts', 'admin', {
      firstName: 'mary',
      lastName: 'somerville',
      phone: '(555) 123-4567',
    })
    const list = await send<{ pairs: Pair[]; total: number; nextOffset: number | null }>(
      '/api/duplicates?kind=contacts&limit=200',
      'viewer',
    )
    expect(list.status).toBe(200)
    const mine = list.body.pairs.filter((p) => [a, b, c].some((r) => r.body.id === p.a.id))
    const ids = (p: Pair) => [p.a.id, p.b.id].sort().join(' ')
    const key = (x: Json, y: Json) => [x.id, y.id].sort().join(' ')
    expect(mine.map((p) => [ids(p), p.evidence])).toEqual(
      expect.arrayContaining([
        [key(a.body, b.body), ['same email', 'same domain', 'similar name']],
        [key(b.body, c.body), ['similar name', 'same phone']],
        [key(a.body, c.body), ['similar name']],
      ]),
    )
    const scores = list.body.pairs.map((p) => p.score)
    expect(scores).toEqual([...scores].sort((x, y) => y - x))
    expect(mine.find((p) => ids(p) === key(a.body, b.body))?.a.label).toBe('Mary Somerville')

    // Paging: one pair per page walks every pair once.
    const seen: string[] = []
    for (let offset: number | null = 0; offset !== null; ) {
      const page: { body: { pairs: Pair[]; nextOffset: number | null } } = await send(
        `/api/duplicates?kind=contacts&limit=1&offset=${offset}`,
        'admin',
      )
      seen.push(...page.body.pairs.map(ids))
      offset = page.body.nextOffset
    }
    expect(seen).toEqual(list.body.pairs.map(ids))

    expect(
      (await send('/api/duplicates/dismiss', 'viewer', { kind: 'contacts', a: a.body.id, b: c.body.id }))
        .status,
    ).toBe(403)
    const dismissed = await send('/api/duplicates/dismiss', 'sales', {
      kind: 'contacts',
      a: c.body.id,
      b: a.body.id,
    })
    expect(dismissed.status).toBe(200)
    const after = await send<{ pairs: Pair[] }>('/api/duplicates?kind=contacts&limit=200', 'admin')
    expect(after.body.pairs.map(ids)).not.toContain(key(a.body, c.body))
    expect(after.body.pairs.map(ids)).toContain(key(a.body, b.body))

    const unknown = await send('/api/duplicates/dismiss', 'sales', {
      kind: 'contacts',
      a: a.body.id,
      b: 'con_nope',
    })
    expect(unknown.status).toBe(404)
    const other = await send<{ pairs: Pair[] }>('/api/duplicates?kind=contacts', 'outsider')
    expect(other.body.pairs).toEqual([])
  })

  it('remembers a dismissal across a restart', async () => {
    const x = await send('/api/accounts', 'admin', { name: 'Twin Peaks Ltd' })
    const y = await send('/api/accounts', 'admin', { name: 'Twin Peaks' })
    expect(
      (await send('/api/duplicates/dismiss', 'admin', { kind: 'accounts', a: x.body.id, b: y.body.id }))
        .status,
    ).toBe(200)
    const dataDir = started.dataDir
    keptDir = dataDir
    await started.stop({ keep: true })
    started = await startServer({ dataDir })
    for (const key of Object.keys(cookies)) {
      const user = { id: '', email: `${key}@dupes.test`, password: 'test-password-123' }
      cookies[key] = (await signIn(started.url, user)).cookie
    }
    const pairs = await send<{ pairs: Pair[] }>('/api/duplicates?kind=accounts', 'admin')
    expect(pairs.status).toBe(200)
    expect(pairs.body.pairs.filter((p) => [p.a.id, p.b.id].includes(x.body.id))).toEqual([])
  })
})
