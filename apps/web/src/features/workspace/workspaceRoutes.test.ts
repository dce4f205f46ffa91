import { describe, expect, it } from 'vitest'
import { parseRoute, routeHref } from '../../app/route.ts'

describe('workspace routes', () => {
  it('parses the settings pages, sign-up and the invitation link', () => {
    expect(parseRoute('#/members')).toEqual({ name: 'members' })
    expect(parseRoute('#/tokens')).toEqual({ name: 'tokens' })
    expect(parseRoute('#/profile')).toEqual({ name: 'profile' })
    expect(parseRoute('#/signup')).toEqual({ name: 'signup' })
    const token = 'Ab3_-'.repeat(8).slice(0, 43)
    expect(parseRoute(`#/invite/${token}`)).toEqual({ name: 'invite', token })
    expect(routeHref({ name: 'invite', token })).toBe(`#/invite/${token}`)
    expect(parseRoute('#/invite').name).toBe('notFound')
    expect(parseRoute('#/invite/bad token').name).toBe('notFound')
    expect(parseRoute('#/members/x').name).toBe('notFound')
    expect(parseRoute('#/settings')).toEqual({ name: 'profile' })
  })
})
