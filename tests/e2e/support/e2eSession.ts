import { afterAll, afterEach, beforeAll } from 'vitest'
import { type E2eEnv, type E2eUser, startE2e } from './e2eEnv.ts'

export interface E2eSession {
  /** The file's environment (server + browser); available from the first test on. */
  readonly env: E2eEnv
  /** Signs a demo user in a fresh browser context that is closed after the current test. */
  signIn(...args: Parameters<E2eEnv['signIn']>): Promise<E2eUser>
}

/** Registers the suite hooks of an e2e file: one server and browser per file, every test's contexts closed after it. */
export function e2eSession(): E2eSession {
  let env: E2eEnv | undefined
  const users: E2eUser[] = []
  beforeAll(async () => {
    env = await startE2e()
  })
  afterEach(async () => {
    for (const user of users.splice(0)) await user.context.close()
  })
  afterAll(async () => {
    await env?.close()
  })
  const session: E2eSession = {
    get env() {
      if (!env) throw new Error('the e2e environment is not started yet')
      return env
    },
    async signIn(...args) {
      const user = await session.env.signIn(...args)
      users.push(user)
      return user
    },
  }
  return session
}
