export type { AccessChange, AuthServices, LoginResult, Profile } from './auth/authServices.ts'
export {
  type CollabContext,
  isCollabContext,
  isSystemContext,
  type SystemContext,
} from './auth/collabContext.ts'
export type { SessionInfo } from './auth/sessionInfo.ts'
export { RECHECK_MARGIN_MS } from './automation/WonDealReconciler.ts'
export { AccessChanged, createAuthExtension } from './collab/authExtension.ts'
export { createLimitsExtension, LIMIT_CLOSE, type LimitsExtension } from './collab/limitsExtension.ts'
export {
  createPersistenceExtension,
  type PersistenceExtension,
  type PersistenceOptions,
  type PersistenceStats,
} from './collab/persistenceExtension.ts'
export { DocumentRetired, isRetiredDoc, RETIRED_KINDS } from './collab/retiredDocuments.ts'
export { type Config, ConfigError, loadConfig, parseEnv } from './config.ts'
export { COLLAB_PATH, createServer, type RapportServer, type ServerDeps } from './createServer.ts'
export { AppError, badRequest, conflict, forbidden, notFound, unauthorized } from './errors.ts'
export type { AppEnv } from './http/app.ts'
export type { HealthReport, IndexHealth } from './http/health.ts'
export { createLogger, type Logger, type LogLevel, silentLogger } from './log/logger.ts'
export { IndexWorker } from './recordIndex/IndexWorker.ts'
export { type IndexConfig, openRecordIndex } from './recordIndex/openRecordIndex.ts'
export { dropPostgresIndexSchema } from './recordIndex/postgresRecordIndex.ts'
export type { RecordIndex } from './recordIndex/RecordIndex.ts'
export type { DocumentStore } from './storage/DocumentStore.ts'
export {
  CURRENT_FORMAT,
  FormatError,
  LOWDB_FORMAT,
  type MigrationResult,
  migrateDataDir,
  readFormat,
  writeFormat,
} from './storage/format.ts'
export { lowdbStore } from './storage/lowdbStore.ts'
export { memoryStore } from './storage/memoryStore.ts'
export { STORE_KINDS, type StoreKind } from './storage/openDataDirStore.ts'
export { SQLITE_DOCUMENTS_FILE, sqliteStore } from './storage/sqliteStore.ts'
