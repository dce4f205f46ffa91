import { useState } from 'react'

/** A secret or link shown once, with a Copy button (the text stays selectable when the clipboard is refused). */
export function CopyField({ value, testId }: { value: string; testId: string }) {
  const [copied, setCopied] = useState(false)
  return (
    <div className="secret">
      <code data-testid={testId}>{value}</code>
      <button
        type="button"
        className="btn"
        onClick={() =>
          navigator.clipboard?.writeText(value).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  )
}
