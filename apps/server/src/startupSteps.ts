const cpuNow = (): number => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

/**
 * Wall time and CPU time (ms, rounded) of each start-up step, logged once the server is built: where a slow start
 * goes. CPU time (the process's, background work included) tells a slow step from a busy machine.
 */
export const startupSteps = () => {
  const wall: Record<string, number> = {}
  const cpu: Record<string, number> = {}
  const first = { wall: performance.now(), cpu: cpuNow() }
  const last = { ...first }
  return {
    /** Ends the step running since the previous mark (or since creation). */
    mark(step: string): void {
      const now = { wall: performance.now(), cpu: cpuNow() }
      wall[step] = Math.round(now.wall - last.wall)
      cpu[step] = Math.round(now.cpu - last.cpu)
      Object.assign(last, now)
    },
    /** Every step so far, and their total. */
    done(): { wallMs: Record<string, number>; cpuMs: Record<string, number> } {
      return {
        wallMs: { ...wall, total: Math.round(last.wall - first.wall) },
        cpuMs: { ...cpu, total: Math.round(last.cpu - first.cpu) },
      }
    },
  }
}
