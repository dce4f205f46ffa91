import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig, parseEnv, REPO_ROOT } from './config.ts'

describe('config', () => {
  it('has defaults: port 3000 on 127.0.0.1, data in the repo root data/ dir', () => {
    const config = parseEnv({}, '/somewhere/else')
    expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', logLevel: 'info', logFormat: 'pretty' })
    expect(config.dataDir).toBe(join(REPO_ROOT, 'data'))
  })

  it('resolves a relative DATA_DIR against the cwd and reads every variable', () => {
    const config = parseEnv(
      { PORT: '0', HOST: '0.0.0.0', DATA_DIR: 'd', LOG_LEVEL: 'debug', LOG_FORMAT: 'json' },
      '/srv',
    )
    expect(config).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      dataDir: '/srv/d',
      logLevel: 'debug',
      logFormat: 'json',
    })
  })

  it('STORE picks the document store: sqlite by default, lowdb on request, nothing else', () => {
    expect(parseEnv({}).store).toBe('sqlite')
    expect(parseEnv({ STORE: '' }).store).toBe('sqlite')
    expect(parseEnv({ STORE: 'lowdb' }).store).toBe('lowdb')
    expect(() => parseEnv({ STORE: 'mongo' })).toThrow(/STORE/)
  })

  it('opens the record index on SQLite by default, or PostgreSQL with INDEX=postgres', () => {
    expect(parseEnv({}).index).toEqual({ kind: 'sqlite', thread: 'all' })
    expect(
      parseEnv({
        INDEX: 'postgres',
        RAPPORT_PG_URL: 'postgres://u@db:5432/crm',
        INDEX_PG_SCHEMA: 'crm_index',
      }).index,
    ).toEqual({ kind: 'postgres', url: 'postgres://u@db:5432/crm', schema: 'crm_index', thread: 'all' })
    expect(parseEnv({ INDEX: 'postgres' }).index).toMatchObject({ kind: 'postgres', schema: 'rapport_index' })
    expect(parseEnv({ INDEX_THREAD: 'off' }).index).toEqual({ kind: 'sqlite', thread: 'off' })
    expect(parseEnv({ INDEX_THREAD: 'bulk' }).index).toEqual({ kind: 'sqlite', thread: 'bulk' })
    expect(() => parseEnv({ INDEX_THREAD: '1' })).toThrow(/INDEX_THREAD/)
    expect(() => parseEnv({ INDEX: 'mysql' })).toThrow(ConfigError)
    expect(() => parseEnv({ INDEX: 'postgres', INDEX_PG_SCHEMA: 'Drop Table' })).toThrow(ConfigError)
  })

  it('lists every bad value in one clear error', () => {
    const attempt = () => parseEnv({ PORT: 'eighty', LOG_LEVEL: 'loud', SESSION_SECRET: 'short' })
    expect(attempt).toThrow(ConfigError)
    try {
      attempt()
    } catch (error) {
      const message = (error as Error).message
      expect(message).toContain('PORT')
      expect(message).toContain('LOG_LEVEL')
      expect(message).toContain('SESSION_SECRET must be at least 32 characters')
    }
  })

  it('generates the session secret once and persists it in the data dir', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'rapport-config-'))
    const first = await loadConfig({ DATA_DIR: dataDir })
    const second = await loadConfig({ DATA_DIR: dataDir })
    expect(first.sessionSecret.length).toBeGreaterThanOrEqual(32)
    expect(second.sessionSecret).toBe(first.sessionSecret)
    expect((await readFile(join(dataDir, 'session-secret'), 'utf8')).trim()).toBe(first.sessionSecret)
    const explicit = await loadConfig({ DATA_DIR: dataDir, SESSION_SECRET: 'x'.repeat(40) })
    expect(explicit.sessionSecret).toBe('x'.repeat(40))
    await rm(dataDir, { recursive: true, force: true })
  })
})
