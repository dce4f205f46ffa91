export { DOC_KINDS, type DocKind, type DocRef, docName, parseDocName } from './docNames.ts'
export { ID_PATTERN, idString, newId } from './ids.ts'
export { type Access, accessFor, accessTo, canWrite, POLICY } from './policy.ts'
export { ROLES, Role, TEAMS, Team } from './roles.ts'
