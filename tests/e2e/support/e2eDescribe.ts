import { afterEach, describe } from 'vitest'
import { chromiumMissing } from './chromium.ts'
import { assertNoPageErrors } from './e2eEnv.ts'

const missing = chromiumMissing()
if (missing) console.warn(`[e2e] skipping the browser suite: ${missing}`)

/**
 * `describe` for a browser suite: skipped, with the missing system dependency in its name, when Chromium is absent.
 * Every test fails when one of its pages threw an uncaught error (printed with the page's console errors).
 */
export const e2eDescribe = (name: string, body: () => void): void => {
  if (missing) describe.skip(`${name} — skipped: ${missing}`, body)
  else
    describe(name, () => {
      afterEach(assertNoPageErrors)
      body()
    })
}
