/**
 * Natural-sort keys, computed once when a track is written: better-sqlite3 cannot give SQLite a
 * collation of our own, so the database sorts these keys with its plain byte order and they carry
 * the rules. Case and accents are folded ("Émile" with "emile"), runs of white space are one space,
 * and each run of digits is padded with zeros to a fixed width, so "track2" comes before "track10".
 */

/** Numbers with up to this many digits sort by value; longer ones (catalogue numbers) by their digits. */
const DIGITS = 10;

export function sortKey(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/\d+/g, (run) => {
      const digits = run.replace(/^0+(?=\d)/, '');
      return digits.length >= DIGITS ? digits : digits.padStart(DIGITS, '0');
    });
}
