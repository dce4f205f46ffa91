import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ColumnMapping, ImportField, PreviewRow } from './importApi.ts'
import {
  columnOf,
  defaultDuplicates,
  errorsByField,
  initialMapping,
  jobActions,
  mapColumn,
  mappingProblems,
  previewSummary,
  progress,
  undoWords,
} from './importWizard.ts'

const LONG = process.env.RAPPORT_LONG === '1'

const field = (key: string, label: string, required = false): ImportField => ({
  key,
  label,
  type: 'text',
  required,
})
const CONTACT_FIELDS = [
  field('firstName', 'First name'),
  field('lastName', 'Last name', true),
  field('email', 'Email'),
  field('accountName', 'Account name'),
  field('cf.f_tier', 'Tier'),
]

describe('initialMapping', () => {
  it('keeps the server’s suggestions for known fields and skips the rest', () => {
    const mapping = initialMapping(
      ['Surname', 'E-mail', 'Shoe size', 'Tier'],
      { Surname: 'lastName', 'E-mail': 'email', 'Shoe size': 'shoeSize', Tier: 'cf.f_tier' },
      CONTACT_FIELDS,
    )
    expect(mapping).toEqual({ Surname: 'lastName', 'E-mail': 'email', 'Shoe size': null, Tier: 'cf.f_tier' })
  })

  it('gives a field to the first column suggested for it only', () => {
    const mapping = initialMapping(
      ['Email', 'Email address'],
      { Email: 'email', 'Email address': 'email' },
      CONTACT_FIELDS,
    )
    expect(mapping).toEqual({ Email: 'email', 'Email address': null })
  })

  it('skips a column the suggestion does not name', () => {
    expect(initialMapping(['A'], {}, CONTACT_FIELDS)).toEqual({ A: null })
  })
})

describe('mapColumn', () => {
  it('moves a field from the column that had it to the chosen one', () => {
    const before: ColumnMapping = { Name: 'lastName', Surname: null, Mail: 'email' }
    const after = mapColumn(before, 'Surname', 'lastName')
    expect(after).toEqual({ Name: null, Surname: 'lastName', Mail: 'email' })
    expect(before.Name).toBe('lastName') // not mutated
  })

  it('skipping a column leaves the others as they were', () => {
    expect(mapColumn({ A: 'email', B: 'lastName' }, 'A', null)).toEqual({ A: null, B: 'lastName' })
  })

  it('never maps one field to two columns, whatever the sequence of corrections (seeded)', () => {
    const columns = ['c0', 'c1', 'c2', 'c3', 'c4']
    const keys = [null, ...CONTACT_FIELDS.map((f) => f.key)]
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...columns), fc.constantFrom(...keys)), { maxLength: 30 }),
        (steps) => {
          let mapping: ColumnMapping = Object.fromEntries(columns.map((c) => [c, null]))
          for (const [column, key] of steps) {
            mapping = mapColumn(mapping, column, key)
            expect(mapping[column]).toBe(key)
            if (key !== null) expect(columnOf(mapping, key)).toBe(column)
          }
          const used = Object.values(mapping).filter((v) => v !== null)
          expect(new Set(used).size).toBe(used.length)
          expect(Object.keys(mapping).sort()).toEqual(columns)
        },
      ),
      { seed: 20261205, numRuns: LONG ? 50_000 : 500 },
    )
  })
})

describe('mappingProblems', () => {
  const dupes = defaultDuplicates('contacts')

  it('names a required field no column holds, in plain words', () => {
    expect(mappingProblems({ Mail: 'email' }, CONTACT_FIELDS, dupes)).toEqual([
      'Choose the column that holds “Last name” — every record needs it.',
    ])
  })

  it('asks for at least one mapped column', () => {
    expect(mappingProblems({ A: null }, [field('email', 'Email')], dupes)).toEqual([
      'Map at least one column to a field.',
    ])
  })

  it('a match on a chosen column needs that field mapped; "create anyway" needs no match', () => {
    const mapping = { Surname: 'lastName' }
    expect(mappingProblems(mapping, CONTACT_FIELDS, { policy: 'skip', matchOn: 'column' })).toEqual([
      'Choose the field to find duplicates by.',
    ])
    expect(
      mappingProblems(mapping, CONTACT_FIELDS, { policy: 'update', matchOn: 'column', column: 'cf.f_tier' }),
    ).toEqual(['No column is mapped to “Tier”, so duplicates cannot be found by it.'])
    expect(mappingProblems(mapping, CONTACT_FIELDS, { policy: 'create', matchOn: 'column' })).toEqual([])
    expect(
      mappingProblems({ ...mapping, T: 'cf.f_tier' }, CONTACT_FIELDS, {
        policy: 'skip',
        matchOn: 'column',
        column: 'cf.f_tier',
      }),
    ).toEqual([])
  })

  it('defaults: contacts match on email, accounts on domain, others on name; policy skip', () => {
    expect(defaultDuplicates('contacts')).toEqual({ policy: 'skip', matchOn: 'email' })
    expect(defaultDuplicates('accounts')).toEqual({ policy: 'skip', matchOn: 'domain' })
    expect(defaultDuplicates('deals')).toEqual({ policy: 'skip', matchOn: 'name' })
  })
})

describe('preview rows', () => {
  const row = (n: number, errors: PreviewRow['errors'], duplicate = false): PreviewRow => ({
    row: n,
    values: {},
    errors,
    duplicateOf: duplicate ? { id: 'c1', label: 'Ada' } : null,
  })

  it('puts each error beside its mapped field; others on the row', () => {
    const r = row(3, [
      { field: 'email', message: 'This is not an email address.' },
      { field: 'email', message: 'Too long.' },
      { field: 'row', message: 'The row has more values than the header.' },
    ])
    const byField = errorsByField(r, { Mail: 'email' })
    expect(byField.get('email')).toEqual(['This is not an email address.', 'Too long.'])
    expect(byField.get('')).toEqual(['The row has more values than the header.'])
  })

  it('counts rows with errors and duplicate rows', () => {
    expect(
      previewSummary([row(1, []), row(2, [{ field: 'email', message: 'x' }]), row(3, [], true)]),
    ).toEqual({
      invalid: 1,
      duplicates: 1,
    })
  })
})

describe('progress and actions', () => {
  it('shows processed of total, never past the end', () => {
    expect(progress({ processed: 250, total: 1000, status: 'running' })).toEqual({
      value: 250,
      max: 1000,
      text: '250 of 1,000 rows',
    })
    expect(progress({ processed: 1001, total: 1000, status: 'done' }).value).toBe(1000)
    expect(progress({ processed: 12, total: null, status: 'running' })).toEqual({
      value: 12,
      max: null,
      text: '12 rows',
    })
  })

  it('offers undo for a finished import that wrote something, resume for an interrupted one', () => {
    expect(jobActions({ status: 'done', created: 5, updated: 0 })).toEqual({ undo: true, resume: false })
    expect(jobActions({ status: 'done', created: 0, updated: 0 })).toEqual({ undo: false, resume: false })
    expect(jobActions({ status: 'running', created: 5, updated: 0 })).toEqual({ undo: false, resume: false })
    expect(jobActions({ status: 'undone', created: 5, updated: 0 })).toEqual({ undo: false, resume: false })
    expect(jobActions({ status: 'interrupted', created: 5, updated: 0 })).toEqual({
      undo: true,
      resume: true,
    })
    const undoing = { state: 'running' as const, archived: 1, reverted: 0, kept: 0 }
    expect(jobActions({ status: 'done', created: 5, updated: 0, undo: undoing })).toEqual({
      undo: false,
      resume: false,
    })
  })

  it('says what an undo did, and what it kept', () => {
    expect(undoWords({})).toBeNull()
    expect(undoWords({ undo: { state: 'done', archived: 970, reverted: 2, kept: 1 } })).toBe(
      '970 created records moved to the trash, 2 updates reverted, 1 updates kept because someone changed those fields since.',
    )
  })
})
