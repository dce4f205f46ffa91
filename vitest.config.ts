import { defineConfig } from 'vitest/config'

/**
 * One Vitest run covers every package. Projects:
 * - model: pure unit and property tests of the shared model
 * - server: unit tests next to server code (stores, auth, projection)
 * - web: unit tests of pure web logic (no browser) and of the web app's build plugins
 * - integration: the real server on port 0 with real providers (tests/integration)
 * - e2e: real Chromium driven by playwright-core against the real server (tests/e2e)
 */
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'model', include: ['packages/model/src/**/*.test.ts'] } },
      { test: { name: 'server', include: ['apps/server/src/**/*.test.ts'], testTimeout: 20_000 } },
      {
        test: { name: 'web', include: ['apps/web/src/**/*.test.{ts,tsx}', 'apps/web/plugins/**/*.test.ts'] },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
