import { spawn } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { newDataDir } from './helpers/startServer.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const cleanups: Array<() => Promise<unknown> | unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/**
 * The README's start, minus the web build: `pnpm --filter @rapport/server start` in its own process group, as a
 * terminal runs it. Ctrl-C sends SIGINT to the whole group (pnpm, the shell, tsx and the server): the server stores
 * its documents and everything exits with 0, with no pnpm ELIFECYCLE error and no colour codes in a log file.
 */
describe('Ctrl-C on pnpm start', () => {
  it('stores, closes and exits 0 with nothing alarming in the output', async () => {
    const dataDir = await newDataDir()
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }))
    const child = spawn('pnpm', ['--filter', '@rapport/server', 'start'], {
      cwd: ROOT,
      detached: true, // its own process group, like a shell job
      env: {
        ...process.env,
        NODE_ENV: 'development',
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        SESSION_SECRET: 'clean-exit-session-secret-0123456789-abcdefgh',
        LOG_LEVEL: 'info',
        LOG_FORMAT: 'pretty',
        SEED_DEMO: '0',
        WEB_DIST: join(dataDir, 'no-web-dist'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const group = child.pid as number
    cleanups.push(() => {
      if (child.exitCode === null && child.signalCode === null) process.kill(-group, 'SIGKILL')
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    const exited = new Promise<{ code: number | null; signal: string | null }>((done) =>
      child.once('exit', (code, signal) => done({ code, signal })),
    )
    await expect.poll(() => output, { timeout: 30_000, interval: 100 }).toContain('Rapport listening on')

    process.kill(-group, 'SIGINT')
    expect(await exited).toEqual({ code: 0, signal: null })
    expect(output).toContain('server closed')
    expect(output).not.toMatch(/ELIFECYCLE|ERR_PNPM|failed|error/i)
    expect(output).not.toContain('\u001b[')
  }, 60_000)
})
