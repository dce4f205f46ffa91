import { docName } from '@rapport/model'
import type { RapportServer } from '@rapport/server'
import { type SeededUser, seedMember, signIn } from './clients.ts'

export const TEST_WORKSPACE = 'ws_persist'

export interface TestMember {
  user: SeededUser
  cookie: string
  /** A fresh collab token per call (providers call it again on every reconnect). */
  token: () => Promise<string>
}

/** An admin of TEST_WORKSPACE, signed in over HTTP (S2's helpers). */
export const testAdmin = async (
  server: RapportServer,
  url: string,
  email = 'admin@persist.test',
): Promise<TestMember> => {
  const user = await seedMember(server, { workspaceId: TEST_WORKSPACE, email, role: 'admin' })
  const { cookie, token } = await signIn(url, user)
  return { user, cookie, token }
}

/** The account room of an account in TEST_WORKSPACE: a document every member may write. */
export const roomName = (accountId = 'acc_persist'): string =>
  docName({ workspaceId: TEST_WORKSPACE, kind: 'account', accountId })
