// Reversible escaping of the NUL character, which PostgreSQL `text` cannot hold but program output and input can.

/**
 * The escape character: U+FDD0, a Unicode noncharacter (reserved for a program's internal use, valid UTF-8 that
 * PostgreSQL stores as is). Real text almost never contains it, so escaping nearly never changes what is stored.
 */
const ESCAPE = '\uFDD0';
/** What follows ESCAPE for a NUL; ESCAPE followed by ESCAPE stands for ESCAPE itself. */
const NUL_MARK = '0';

// NUL is exactly the character to match here, so the control-character lint does not apply.
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\u0000\uFDD0]/;
// eslint-disable-next-line no-control-regex
const ESCAPABLE = /[\u0000\uFDD0]/g;
const ESCAPED = /\uFDD0([\s\S]?)/g;

/** Text as PostgreSQL stores it: NUL and the escape character itself written as two-character sequences. */
export function escapeNul(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(ESCAPABLE, (char) => (char === '\u0000' ? ESCAPE + NUL_MARK : ESCAPE + ESCAPE));
}

/**
 * The original text of {@link escapeNul}'s output. A text cut in the middle of a sequence (a `substr` preview) keeps its
 * lone escape character rather than failing, as does anything that was not written through the escape.
 */
export function unescapeNul(stored: string): string {
  if (!stored.includes(ESCAPE)) return stored;
  return stored.replace(ESCAPED, (sequence, next: string) => {
    if (next === NUL_MARK) return '\u0000';
    if (next === ESCAPE) return ESCAPE;
    return sequence;
  });
}
