import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RecordIndex } from '../recordIndex/RecordIndex.ts'
import { account, contact, up } from '../recordIndex/recordIndex.contract.ts'
import { openSqliteRecordIndex } from '../recordIndex/sqliteRecordIndex.ts'
import { ImportLinks, type KeyLookup } from './importLinks.ts'

const W = 'wsA'

describe('import links through the index', () => {
  let dir: string
  let index: RecordIndex
  let lookups: Array<{ kind: string; rule: string; keys: readonly string[] }>
  let links: (mapped: Array<string | null>) => ImportLinks
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rapport-links-'))
    index = await openSqliteRecordIndex(join(dir, 'index.sqlite'))
    lookups = []
    const lookup: KeyLookup = (kind, rule, keys) => {
      lookups.push({ kind, rule, keys })
      return index.importMatches(W, kind, { on: rule }, keys)
    }
    links = (mapped) => new ImportLinks(mapped, lookup, 2, async () => {})
  })
  afterEach(async () => {
    await index.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it("asks only the batch's distinct keys, per mapped field, a few at a time", async () => {
    await index.apply({
      records: [
        up('accounts', account('a1', 'Acme', { domain: 'acme.example' })),
        up('accounts', account('a2', 'Globex')),
        up('accounts', account('a3', 'Initech')),
        up('contacts', contact('c1', 'Ada', 'Lovelace', { email: 'ada@acme.example' })),
      ],
    })
    const l = links(['firstName', 'accountName', 'accountDomain', null])
    await l.prefetch([
      { accountName: 'ACME ', accountDomain: 'https://www.acme.example/x' },
      { accountName: 'globex' },
      { accountName: 'Acme' },
      { accountName: 'Nobody' },
      { contactEmail: 'ada@acme.example' },
    ])
    // Domain first (it wins over a name), then names: acme, globex, nobody in lookups of at most 2 keys.
    expect(lookups.map(({ rule, keys }) => `${rule}:${keys.join('|')}`)).toEqual([
      'domain:acme.example',
      'name:acme|globex',
      'name:nobody',
    ])
    expect(l.idOf('accountDomain', 'ACME.example')).toBe('a1')
    expect(l.idOf('accountName', ' Globex')).toBe('a2')
    expect(l.idOf('accountName', 'Nobody')).toBeUndefined()
    // Not mapped: never asked, never found.
    expect(l.idOf('contactEmail', 'ada@acme.example')).toBeUndefined()
    // An account of the workspace that no row names was not looked up.
    expect(lookups.flatMap((x) => x.keys)).not.toContain('initech')
  })

  it('each batch asks afresh: an account created or archived during the import counts from the next batch', async () => {
    const l = links(['accountName'])
    await l.prefetch([{ accountName: 'Late Co' }, { accountName: 'Gone Co' }])
    expect(l.idOf('accountName', 'Late Co')).toBeUndefined()
    await index.apply({
      records: [up('accounts', account('a9', 'Late Co')), up('accounts', account('a8', 'Gone Co'))],
    })
    await l.prefetch([{ accountName: 'Late Co' }, { accountName: 'Gone Co' }])
    expect(l.idOf('accountName', 'late co')).toBe('a9')
    expect(l.idOf('accountName', 'Gone Co')).toBe('a8')
    await index.apply({ records: [up('accounts', account('a8', 'Gone Co', { archived: true }))] })
    await l.prefetch([{ accountName: 'Gone Co' }])
    expect(l.idOf('accountName', 'Gone Co')).toBeUndefined()
    // The previous batch's answers are gone too.
    expect(l.idOf('accountName', 'Late Co')).toBeUndefined()
  })

  it('of several accounts with one name, links the one of smallest id', async () => {
    await index.apply({
      records: [up('accounts', account('b2', 'Twin')), up('accounts', account('b1', 'twin '))],
    })
    const l = links(['accountName'])
    await l.prefetch([{ accountName: 'TWIN' }])
    expect(l.idOf('accountName', 'twin')).toBe('b1')
  })
})
