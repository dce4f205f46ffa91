import { describe, expect, it } from 'vitest'
import { NAV_ITEMS } from '../../app/route.ts'
import { hitToItem, matchCommands, moveSelection, paletteItems } from './paletteItems.ts'

describe('hitToItem', () => {
  it('opens the record itself', () => {
    expect(hitToItem({ kind: 'accounts', id: 'acc_1', title: 'Acme' })?.href).toBe('#/accounts/acc_1')
    expect(hitToItem({ kind: 'contacts', id: 'con_1', title: 'Ann', accountId: 'acc_2' })?.href).toBe(
      '#/contacts/con_1',
    )
    expect(hitToItem({ kind: 'contacts', id: 'con_2', title: 'Bob', accountId: null })?.href).toBe(
      '#/contacts/con_2',
    )
    expect(hitToItem({ kind: 'deals', id: 'deal_1', title: 'Renewal', accountId: 'acc_3' })?.href).toBe(
      '#/deals/deal_1',
    )
    expect(hitToItem({ kind: 'deals', id: 'deal_2', title: 'New logo' })?.href).toBe('#/deals/deal_2')
    expect(hitToItem({ kind: 'tickets', id: 'tkt_1', title: 'Login broken', accountId: 'acc_1' })?.href).toBe(
      '#/support/tkt_1',
    )
    expect(hitToItem({ kind: 'notes', id: 'acc_4', title: 'Notes — X', accountId: 'acc_4' })?.href).toBe(
      '#/accounts/acc_4',
    )
  })

  it('uses singular kinds for testids and drops unknown kinds', () => {
    expect(hitToItem({ kind: 'accounts', id: 'acc_1', title: 'Acme', subtitle: null })).toEqual({
      kind: 'account',
      id: 'acc_1',
      title: 'Acme',
      subtitle: '',
      href: '#/accounts/acc_1',
    })
    expect(hitToItem({ kind: 'secrets', id: 'x', title: 'x' })).toBeNull()
  })
})

describe('matchCommands / paletteItems', () => {
  it('lists every navigation command for an empty query and filters by words', () => {
    expect(matchCommands('').map((c) => c.id)).toEqual(NAV_ITEMS.map((item) => item.name))
    expect(matchCommands('go acc').map((c) => c.id)).toEqual(['accounts'])
    expect(matchCommands('zzz')).toEqual([])
  })

  it('puts hits before commands and ignores stale hits for an empty query', () => {
    const hits = [{ kind: 'accounts', id: 'acc_1', title: 'Support Corp' }]
    expect(paletteItems('support', hits).map((i) => `${i.kind}-${i.id}`)).toEqual([
      'account-acc_1',
      'command-support',
    ])
    expect(paletteItems('  ', hits).every((i) => i.kind === 'command')).toBe(true)
  })
})

describe('moveSelection', () => {
  it('wraps around and handles empty lists', () => {
    expect(moveSelection(0, 1, 3)).toBe(1)
    expect(moveSelection(2, 1, 3)).toBe(0)
    expect(moveSelection(0, -1, 3)).toBe(2)
    expect(moveSelection(-1, 1, 3)).toBe(0)
    expect(moveSelection(-1, -1, 3)).toBe(2)
    expect(moveSelection(1, 1, 0)).toBe(-1)
  })
})
