/*
 * Text as the index stores it, computed in JavaScript so both stores (SQLite, PostgreSQL) see exactly the same words
 * and the same sort order whatever their own tokenizer or collation does.
 */

/** Word separators: spaces, punctuation and control characters (line breaks). */
const SEPARATORS = /[\p{Z}\p{P}\p{Cc}]+/u

/** The words of `text`, lower-cased, as the index stores and searches them (both stores alike). */
export function words(text: string): string[] {
  const out: string[] = []
  for (const word of text.toLowerCase().split(SEPARATORS)) if (word) out.push(word)
  return out
}

/** At most this many distinct words of one searchable thing are indexed (a 1 MB note stays a bounded row). */
export const MAX_WORDS = 20_000

/** Distinct words of `text`, in first-seen order, at most MAX_WORDS. */
export function distinctWords(text: string): string[] {
  const seen = new Set<string>()
  for (const word of words(text)) {
    if (seen.size >= MAX_WORDS) break
    // A lexeme of PostgreSQL is at most 2 KB: longer "words" (a pasted blob) are not searchable anyway.
    if (word.length <= 200) seen.add(word)
  }
  return [...seen]
}

const DIGITS = /^[0-9]+$/

/**
 * A key whose binary (code point) order is the order of `compareValues` in projection/queryRecords.ts for text —
 * `Intl.Collator('en', { sensitivity: 'base', numeric: true })` — for the text records hold: case and accents are
 * ignored (é = e = E), digit runs compare by value ("a2" < "a10", leading zeros ignored), and spaces < punctuation <
 * digits < letters as in the Unicode collation. Letters without a decomposition (ø, ß, ł, …) and other scripts sort
 * by code point, where the collator may differ; equal keys are tied by id, as equal texts are.
 */
export function textSortKey(text: string): string {
  const folded = text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
  let key = ''
  for (const part of folded.match(/[0-9]+|[^0-9]/gu) ?? []) {
    if (DIGITS.test(part)) {
      const value = part.replace(/^0+(?=[0-9])/, '')
      key += `\u0003${String.fromCharCode(0x21 + value.length)}${value}`
    } else if (/\p{L}/u.test(part)) key += part
    else if (/\p{Z}|\s/u.test(part)) key += '\u0001'
    else key += `\u0002${part === '\u0000' ? '\u0001' : part}`
  }
  return key
}

/** `String(n) === text` for some number n: the number a custom-field filter text stands for, else null. */
export function numberText(text: string): number | null {
  const n = Number(text)
  return text !== '' && Number.isFinite(n) && String(n) === text ? n : null
}
