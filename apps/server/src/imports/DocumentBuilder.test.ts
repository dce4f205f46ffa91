import { docName } from '@rapport/model'
import { afterEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import { type BuildOutcome, type BuildRequest, buildRequested } from './bulkCreate.ts'
import { DocumentBuilder } from './DocumentBuilder.ts'

// The thread compiles the model's and the projection's modules (tsx): seconds on a loaded machine.
vi.setConfig({ testTimeout: 60_000 })

/*
 * The bulk path's documents built in a worker thread (DocumentBuilder.ts): a real thread loading the TypeScript
 * through tsx, compared with the same function run on the main thread.
 */

const WS = 'ws_build_thread'
const ACTOR = { userId: 'usr_build', name: 'Build Thread' }
const AT = 1_767_000_000_000

function contact(i: number, input: Record<string, unknown> = {}): BuildRequest {
  const id = `con_build_${i}`
  return {
    kind: 'contacts',
    name: docName({ workspaceId: WS, kind: 'contact', contactId: id }),
    id,
    input: { id, firstName: 'Built', lastName: `N${i}`, email: `n${i}@build.test`, ...input },
    at: AT,
  }
}

function account(i: number): BuildRequest {
  const id = `acc_build_${i}`
  return {
    kind: 'accounts',
    name: docName({ workspaceId: WS, kind: 'account', accountId: id }),
    id,
    input: { id, name: `Built Account ${i}`, domain: `a${i}.build.test` },
    at: AT,
  }
}

/**
 * `value` with what differs per build masked: the creation and update times (`Date.now()` of the thread that built
 * it) and timeline entry ids (random).
 */
function perBuildMasked(value: unknown): unknown {
  if (typeof value === 'string') return value.startsWith('act_') ? 'act_*' : value
  if (Array.isArray(value)) return value.map(perBuildMasked)
  if (typeof value !== 'object' || value === null) return value
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      key.startsWith('act_') ? 'act_*' : key,
      key === 'createdAt' || key === 'updatedAt' ? typeof v : perBuildMasked(v),
    ]),
  )
}

/**
 * An outcome as content: the document's JSON (client ids are random per document), the record, the failure; times
 * masked.
 */
function contentOf(outcome: BuildOutcome) {
  if (!outcome.ok) return { failed: outcome.message, model: outcome.model }
  const doc = new Y.Doc()
  Y.applyUpdate(doc, outcome.built.state)
  const content = {
    name: outcome.built.name,
    id: outcome.built.id,
    kind: outcome.built.kind,
    record: outcome.built.record,
    doc: Object.fromEntries([...doc.share.keys()].map((key) => [key, doc.getMap(key).toJSON()])),
    vectorMatches:
      Buffer.compare(Buffer.from(Y.encodeStateVector(doc)), Buffer.from(outcome.built.stateVector)) === 0,
  }
  doc.destroy()
  return perBuildMasked(content) as typeof content
}

let builder: DocumentBuilder | null = null
afterEach(async () => {
  await builder?.close()
  builder = null
})

describe('DocumentBuilder', () => {
  it('builds in its thread what the main thread builds: documents, records, state vectors, model refusals', async () => {
    builder = new DocumentBuilder()
    const requests = [
      ...Array.from({ length: 120 }, (_, i) => contact(i)),
      // A row the model refuses (no name): a ModelError's message, as on the main thread.
      contact(500, { firstName: '', lastName: '' }),
      account(1),
      account(2),
    ]
    const outcomes = await builder.build(ACTOR, requests)
    expect(builder.builtInThread).toBe(requests.length)
    const here = requests.map((r) => buildRequested(ACTOR, r))
    expect(outcomes.map(contentOf)).toEqual(here.map(contentOf))
    expect(outcomes[120]).toMatchObject({ ok: false, model: true })
    expect(outcomes.filter((o) => o.ok)).toHaveLength(122)
    for (const o of outcomes) if (o.ok) expect(contentOf(o)).toMatchObject({ vectorMatches: true })
  })

  it('builds on the main thread what a thread that died held, with the same outcomes', async () => {
    builder = new DocumentBuilder()
    const requests = Array.from({ length: 60 }, (_, i) => contact(i))
    await builder.build(ACTOR, requests.slice(0, 1))
    builder.crashForTest()
    const outcomes = await builder.build(ACTOR, requests)
    expect(builder.crashes).toBe(1)
    expect(outcomes.map(contentOf)).toEqual(requests.map((r) => contentOf(buildRequested(ACTOR, r))))
    // The next build starts a new thread.
    const before = builder.builtInThread
    await builder.build(ACTOR, requests.slice(0, 5))
    expect(builder.builtInThread).toBe(before + 5)
  })

  it('without a thread builds everything on the main thread', async () => {
    builder = new DocumentBuilder(false)
    const requests = [contact(1), account(1)]
    const outcomes = await builder.build(ACTOR, requests)
    expect(builder.builtInThread).toBe(0)
    expect(outcomes.map(contentOf)).toEqual(requests.map((r) => contentOf(buildRequested(ACTOR, r))))
  })
})
