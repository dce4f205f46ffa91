import * as Y from 'yjs'
import { keyAfterAll, type Position, positionSchema } from '../board/position.ts'
import type { RecordMap } from './recordMap.ts'

/** The keys of the non-archived records of `column`, read straight from the position fields (tolerant). */
export function columnKeys(map: RecordMap, column: string, exceptId?: string): string[] {
  const keys: string[] = []
  for (const [id, fields] of map.entries()) {
    if (id === exceptId || !(fields instanceof Y.Map) || fields.get('archived') === true) continue
    const position = positionSchema.safeParse(fields.get('position'))
    if (position.success && position.data.column === column) keys.push(position.data.key)
  }
  return keys
}

/** A position at the end of `column`. */
export function endOfColumn(map: RecordMap, column: string): Position {
  return { column, key: keyAfterAll(columnKeys(map, column)) }
}
