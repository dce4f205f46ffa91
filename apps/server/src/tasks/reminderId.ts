/** FNV-1a 32-bit of `text`, base 36 (keeps a derived id short when the task id is long). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash.toString(36)
}

/**
 * The id of the reminder notification of task `taskId` due at `dueAt`: derived, so a reminder written before a crash
 * is found (not written again) when the scheduler retries it. Always a valid id (≤ 64 characters).
 */
export function reminderNotificationId(taskId: string, dueAt: number): string {
  const id = `ntf_rem_${taskId}_${dueAt.toString(36)}`
  return id.length <= 64 ? id : `ntf_rem_${fnv1a(taskId)}_${taskId.length}_${dueAt.toString(36)}`
}
