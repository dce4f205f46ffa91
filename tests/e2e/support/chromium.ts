import { existsSync } from 'node:fs'
import { type Browser, chromium } from 'playwright-core'

/** Debian's Chromium (`apt-get install -y chromium`); Playwright's own browser download does not work here. */
export const CHROMIUM_PATH = process.env.RAPPORT_CHROMIUM ?? '/usr/bin/chromium'

/** Why the e2e suite cannot run on this machine, or null when it can. */
export const chromiumMissing = (): string | null =>
  existsSync(CHROMIUM_PATH)
    ? null
    : `Debian package chromium not installed (no ${CHROMIUM_PATH}; run \`apt-get install -y chromium\`)`

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  })
