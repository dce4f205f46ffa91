export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean)
  const first = parts[0]?.[0] ?? '?'
  const last = parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : ''
  return (first + last).toUpperCase()
}

export function Avatar({ name, color, size = 'md' }: { name: string; color: string; size?: 'sm' | 'md' }) {
  return (
    <span
      className={`avatar avatar--${size}`}
      style={{ backgroundColor: color }}
      title={name}
      role="img"
      aria-label={name}
    >
      {initials(name)}
    </span>
  )
}
