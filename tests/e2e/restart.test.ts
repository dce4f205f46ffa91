import { afterAll, beforeAll, expect, it } from 'vitest'
import { e2eDescribe } from './support/e2eDescribe.ts'
import { type E2eEnv, type E2eUser, startE2e } from './support/e2eEnv.ts'
import { eventually } from './support/eventually.ts'

e2eDescribe('the server restarts under two live clients', () => {
  let env: E2eEnv
  let a: E2eUser
  let b: E2eUser
  let stages: string[] = []

  const firstCard = async (stageId: string | undefined): Promise<string> => {
    if (!stageId) throw new Error('missing stage')
    const [dealId] = await a.board.cardIds(stageId)
    if (!dealId) throw new Error(`no card in ${stageId}`)
    return dealId
  }

  /** A fresh context (no offline copy) reads what the server itself has. */
  const serverStageOf = async (dealId: string): Promise<string | null> => {
    const c = await env.signIn('admin')
    try {
      await c.board.open()
      return await c.board.cardStage(dealId)
    } finally {
      await c.context.close()
    }
  }

  const bothReconnected = async (): Promise<void> => {
    for (const user of [a, b]) await eventually(() => user.shell.status()).toBe('connected')
  }

  beforeAll(async () => {
    env = await startE2e()
    a = await env.signIn('sales')
    b = await env.signIn('sales2')
    await Promise.all([a.board.open(), b.board.open()])
    stages = await a.board.stageIds()
  })
  afterAll(async () => {
    await env?.close()
  })

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`${signal}: an edit made just before the restart survives and both clients carry on`, async () => {
      const offset = signal === 'SIGTERM' ? 0 : 2
      const [from, to] = [stages[offset], stages[offset + 1]]
      if (!from || !to) throw new Error('the demo pipeline needs four stages')
      const before = await firstCard(from)

      await a.board.dragCard(before, to)
      await eventually(() => b.board.cardStage(before)).toBe(to)
      await env.server.restart(signal)

      await bothReconnected()
      for (const user of [a, b]) expect(await user.board.cardStage(before)).toBe(to)
      expect(await serverStageOf(before)).toBe(to)

      // Live again in both directions after the restart.
      const after = await firstCard(from)
      await b.board.dragCard(after, to)
      await eventually(() => a.board.cardStage(after)).toBe(to)
      await eventually(() => a.board.count(to)).toBe(await b.board.count(to))
    })
  }
})
