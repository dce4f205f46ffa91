import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { z } from 'zod'
import { REPO_ROOT } from '../../integration/helpers/startServer.ts'
import { AccountRoomPage } from './AccountRoomPage.ts'
import { BoardPage } from './BoardPage.ts'
import { launchChromium } from './chromium.ts'
import { ARTIFACTS_DIR, type E2eServer, startE2eServer } from './e2eServer.ts'
import { LoginPage } from './LoginPage.ts'
import { NetworkSwitch } from './NetworkSwitch.ts'
import { Shell } from './Shell.ts'

export const DEMO_PASSWORD = 'rapport-demo'
export const DEMO = {
  admin: { email: 'admin@rapport.dev', name: 'Avery Admin' },
  sales: { email: 'sales@rapport.dev', name: 'Sam Sales' },
  sales2: { email: 'sales2@rapport.dev', name: 'Sasha Sales' },
  support: { email: 'support@rapport.dev', name: 'Riley Support' },
  viewer: { email: 'viewer@rapport.dev', name: 'Vic Viewer' },
} as const
export type DemoUser = keyof typeof DEMO
type StorageState = Awaited<ReturnType<BrowserContext['storageState']>>
const VIEWPORT = { width: 1440, height: 900 }

/** One signed-in browser context with its page objects. */
export interface E2eUser {
  readonly who: DemoUser
  readonly context: BrowserContext
  readonly page: Page
  readonly shell: Shell
  readonly board: BoardPage
  readonly room: AccountRoomPage
  /** Present when signed in with `{ network: true }`: takes this context offline and back. */
  readonly network: NetworkSwitch | null
  /** Another tab of this user's context (its own socket and documents, same session), for multi-tab flows. */
  openTab(): Promise<E2eUser>
  /** GET an API path with this user's session cookie and parse the JSON body. */
  api<T>(path: string, schema: z.ZodType<T>): Promise<T>
}

const RecordList = z.object({ items: z.array(z.object({ id: z.string() }).loose()) })

/** Ids of the first `limit` accounts by name, read through the REST API as `user`. */
export const accountIds = async (user: E2eUser, limit: number): Promise<string[]> =>
  (await user.api(`/api/accounts?sort=name&limit=${limit}`, RecordList)).items.map((a) => a.id)

export interface E2eEnv {
  readonly server: E2eServer
  readonly browser: Browser
  /**
   * A fresh browser context signed in as a demo user: through the login form the first time, then with the saved
   * session cookie. The page starts blank unless the form was used; open a page object to navigate.
   */
  signIn(who: DemoUser, options?: { network?: boolean }): Promise<E2eUser>
  /** Saves a screenshot to tests/artifacts/<name>.png (git-ignored). */
  screenshot(page: Page, name: string): Promise<void>
  /** Saves a screenshot committed with the docs: docs/screenshots/<name>.png. */
  docScreenshot(page: Page, name: string): Promise<void>
  /**
   * Uncaught page errors (`pageerror`) seen in any page of this environment since the last call, each with the
   * console errors of its page; clears the list.
   */
  takePageErrors(): string[]
  close(): Promise<void>
}

const liveEnvs = new Set<E2eEnv>()

/**
 * Throws when a page of any running environment threw an uncaught error since the last check, printing those
 * errors and the pages' console errors. `e2eDescribe` runs it after every test.
 */
export const assertNoPageErrors = (): void => {
  const errors = [...liveEnvs].flatMap((env) => env.takePageErrors())
  if (errors.length > 0) throw new Error(`uncaught error in a page:\n${errors.join('\n\n')}`)
}

/** Records uncaught errors and console errors of a page (and of every page its context opens later). */
const watchPages = (context: BrowserContext, onError: (report: string) => void): void => {
  const watch = (page: Page) => {
    const consoleErrors: string[] = []
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(`  console.error: ${message.text()}`)
    })
    page.on('pageerror', (error) => {
      const where = `page ${page.url()}`
      const logged = consoleErrors.length > 0 ? `\n${consoleErrors.join('\n')}` : ''
      onError(`${where}: ${error.stack ?? error.message}${logged}`)
    })
  }
  for (const page of context.pages()) watch(page)
  context.on('page', watch)
}

/** The real server in a child process and one Chromium; every test signs in its own contexts. */
export const startE2e = async (): Promise<E2eEnv> => {
  const server = await startE2eServer()
  let browser: Browser
  try {
    browser = await launchChromium()
  } catch (error) {
    await server.stop()
    throw error
  }
  const contexts = new Set<BrowserContext>()
  const sessions = new Map<DemoUser, StorageState>()
  let pageErrors: string[] = []
  const env: E2eEnv = {
    server,
    browser,
    async signIn(who, options = {}) {
      // The login set-up step runs once per user through the UI; later contexts reuse its session cookie.
      const storageState = sessions.get(who)
      const context = await browser.newContext({
        viewport: VIEWPORT,
        ...(storageState ? { storageState } : {}),
      })
      contexts.add(context)
      context.on('close', () => contexts.delete(context))
      watchPages(context, (report) => pageErrors.push(report))
      const network = options.network ? await NetworkSwitch.install(context) : null
      const page = await context.newPage()
      if (!storageState) {
        const login = new LoginPage(page, server.url)
        await login.open()
        await login.signIn(DEMO[who].email, DEMO_PASSWORD)
        sessions.set(who, await context.storageState())
      }
      const user = (tabPage: Page): E2eUser => ({
        who,
        context,
        page: tabPage,
        shell: new Shell(tabPage),
        board: new BoardPage(tabPage, server.url),
        room: new AccountRoomPage(tabPage, server.url),
        network,
        openTab: async () => user(await context.newPage()),
        async api(path, schema) {
          const res = await tabPage.request.get(`${server.url}${path}`)
          if (!res.ok()) throw new Error(`GET ${path} failed: ${res.status()} ${await res.text()}`)
          return schema.parse(await res.json())
        },
      })
      return user(page)
    },
    async screenshot(page, name) {
      await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`) })
    },
    async docScreenshot(page, name) {
      // The README's screenshots are tracked files: refresh them only when asked (RAPPORT_UPDATE_SCREENSHOTS=1),
      // so a test run never dirties the work tree; every run still saves its own copy under tests/artifacts.
      const dir = join(
        REPO_ROOT,
        process.env.RAPPORT_UPDATE_SCREENSHOTS === '1' ? 'docs/screenshots' : 'tests/artifacts',
      )
      await mkdir(dir, { recursive: true })
      await page.mouse.move(1, 1) // no hover state in the docs
      await page.screenshot({ path: join(dir, `${name}.png`) })
    },
    takePageErrors() {
      const taken = pageErrors
      pageErrors = []
      return taken
    },
    async close() {
      liveEnvs.delete(env)
      for (const context of contexts) await context.close().catch(() => undefined)
      await browser.close().catch(() => undefined)
      await server.stop()
      const left = env.takePageErrors()
      if (left.length > 0) throw new Error(`uncaught error in a page:\n${left.join('\n\n')}`)
    },
  }
  liveEnvs.add(env)
  return env
}
