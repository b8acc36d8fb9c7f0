/**
 * Look-alike folding and tokenising of names, used only to *detect* production words.
 * Positive classification never folds: a look-alike `dev` is not development (environments.ts).
 */

/**
 * Characters that Unicode compatibility decomposition leaves alone but that read as an ASCII letter.
 * Case is kept, so camelCase boundaries survive folding (`РrodEU` → `ProdEU`).
 * Covers Cyrillic, Greek, Armenian, Latin small capitals and stroked letters, Cherokee and Lisu;
 * not every confusable in Unicode, only those that can spell the production words or their neighbours.
 */
// prettier-ignore
const LOOKALIKE_PAIRS: readonly (readonly [string, string])[] = [
  // Cyrillic
  ['а', 'a'], ['в', 'b'], ['е', 'e'], ['һ', 'h'], ['і', 'i'], ['ј', 'j'], ['к', 'k'], ['ӏ', 'l'],
  ['м', 'm'], ['н', 'h'], ['о', 'o'], ['р', 'p'], ['с', 'c'], ['ԁ', 'd'], ['ѕ', 's'], ['т', 't'],
  ['у', 'y'], ['ү', 'y'], ['х', 'x'], ['ԛ', 'q'], ['ԝ', 'w'], ['ѵ', 'v'], ['ь', 'b'],
  ['А', 'A'], ['В', 'B'], ['Е', 'E'], ['Ѕ', 'S'], ['І', 'I'], ['Ј', 'J'], ['К', 'K'], ['М', 'M'],
  ['Н', 'H'], ['О', 'O'], ['Р', 'P'], ['С', 'C'], ['Т', 'T'], ['Х', 'X'], ['У', 'Y'], ['Ү', 'Y'],
  ['Ԁ', 'D'], ['Ԛ', 'Q'], ['Ԝ', 'W'], ['Ѵ', 'V'], ['Ӏ', 'l'],
  // Greek
  ['α', 'a'], ['β', 'b'], ['γ', 'y'], ['ε', 'e'], ['η', 'n'], ['ι', 'i'], ['κ', 'k'], ['μ', 'u'],
  ['ν', 'v'], ['ο', 'o'], ['ρ', 'p'], ['ϱ', 'p'], ['τ', 't'], ['υ', 'u'], ['χ', 'x'], ['ϲ', 'c'],
  ['ϳ', 'j'], ['ω', 'w'],
  ['Α', 'A'], ['Β', 'B'], ['Ε', 'E'], ['Ζ', 'Z'], ['Η', 'H'], ['Ι', 'I'], ['Κ', 'K'], ['Μ', 'M'],
  ['Ν', 'N'], ['Ο', 'O'], ['Ρ', 'P'], ['Τ', 'T'], ['Υ', 'Y'], ['Χ', 'X'], ['Ϲ', 'C'], ['Ϳ', 'J'],
  // Armenian
  ['օ', 'o'], ['Օ', 'O'], ['ս', 'u'], ['ո', 'n'], ['հ', 'h'], ['ց', 'g'], ['զ', 'q'],
  // Latin letters that do not decompose to ASCII: small capitals, dotless, stroked, clicks
  ['ı', 'i'], ['ȷ', 'j'], ['ɑ', 'a'], ['ɡ', 'g'], ['ɩ', 'i'], ['ǀ', 'l'], ['ø', 'o'], ['Ø', 'O'],
  ['đ', 'd'], ['Đ', 'D'], ['ɗ', 'd'], ['ł', 'l'], ['Ł', 'L'], ['ƚ', 'l'], ['ɫ', 'l'], ['ħ', 'h'],
  ['Ħ', 'H'], ['ŧ', 't'], ['Ŧ', 'T'], ['ƀ', 'b'], ['ɵ', 'o'],
  ['ᴀ', 'a'], ['ʙ', 'b'], ['ᴄ', 'c'], ['ᴅ', 'd'], ['ᴇ', 'e'], ['ꜰ', 'f'], ['ɢ', 'g'], ['ʜ', 'h'],
  ['ɪ', 'i'], ['ᴊ', 'j'], ['ᴋ', 'k'], ['ʟ', 'l'], ['ᴍ', 'm'], ['ɴ', 'n'], ['ᴏ', 'o'], ['ᴘ', 'p'],
  ['ʀ', 'r'], ['ꜱ', 's'], ['ᴛ', 't'], ['ᴜ', 'u'], ['ᴠ', 'v'], ['ᴡ', 'w'], ['ʏ', 'y'], ['ᴢ', 'z'],
  // Cherokee capitals and their small forms (U+AB70 block)
  ['\u13A0', 'D'], ['\u13A2', 'T'], ['\u13AC', 'E'], ['\u13D2', 'R'], ['\u13D9', 'V'], ['\u13DE', 'L'],
  ['\u13DF', 'C'], ['\u13E2', 'P'], ['\uAB70', 'd'], ['\uAB72', 't'], ['\uAB7C', 'e'], ['\uABA2', 'r'],
  ['\uABA9', 'v'], ['\uABAE', 'l'], ['\uABAF', 'c'], ['\uABB2', 'p'],
  // Lisu
  ['\uA4D0', 'B'], ['\uA4D1', 'P'], ['\uA4D3', 'D'], ['\uA4D4', 'T'], ['\uA4D7', 'K'], ['\uA4DA', 'C'],
  ['\uA4DC', 'Z'], ['\uA4DD', 'F'], ['\uA4DF', 'M'], ['\uA4E0', 'N'], ['\uA4E1', 'L'], ['\uA4E2', 'S'],
  ['\uA4E3', 'R'], ['\uA4E6', 'V'], ['\uA4E7', 'H'], ['\uA4EA', 'W'], ['\uA4EB', 'X'], ['\uA4EC', 'Y'],
  ['\uA4EE', 'A'], ['\uA4F0', 'E'], ['\uA4F2', 'I'], ['\uA4F3', 'O'], ['\uA4F4', 'U'],
];

const LOOKALIKES: ReadonlyMap<string, string> = new Map(LOOKALIKE_PAIRS);

// Combining marks, format characters (zero-width space/joiners, bidi controls, soft hyphen),
// other default-ignorables (variation selectors, fillers) and C0/C1 controls that are not
// whitespace: none of them is visible, so none may split or disguise a word.
const INVISIBLE = /[\p{M}\p{Cf}\p{Default_Ignorable_Code_Point}\x00-\x08\x0e-\x1f\x7f-\x9f]/gu;
const NON_ASCII = /[^\x00-\x7f]/gu;

/**
 * Folds `text` towards the ASCII it imitates: compatibility forms (fullwidth, mathematical
 * alphanumerics, circled, superscript, ligatures) decomposed, invisible characters and combining
 * marks removed, known look-alike letters mapped to ASCII. Case is preserved.
 */
export function foldLookalikes(text: string): string {
  return text
    .normalize('NFKD')
    .replace(INVISIBLE, '')
    .replace(NON_ASCII, (ch) => LOOKALIKES.get(ch) ?? ch);
}

/** Runs of letters and digits; every other character separates tokens. */
const WORD_RUN = /[\p{L}\p{N}]+/gu;
/** As WORD_RUN, but leet symbols (`pr0d`, `l!ve`, `l|ve`, `produc+ion`) stay inside tokens. */
const LEET_WORD_RUN = /[\p{L}\p{N}|!+@$]+/gu;

/** Splits folded text on separators (anything but letters and digits, and leet symbols if asked). */
export function separatorTokens(folded: string, keepLeetSymbols: boolean): string[] {
  return folded.match(keepLeetSymbols ? LEET_WORD_RUN : WORD_RUN) ?? [];
}

const CAMEL_BOUNDARY = /(?<=\p{Ll})(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})/u;
const CASE_CHANGE = /(?<=\p{Ll})(?=\p{Lu})|(?<=\p{Lu})(?=\p{Ll})/u;
const LETTER_DIGIT_BOUNDARY = /(?<=\p{L})(?=\p{N})|(?<=\p{N})(?=\p{L})/u;

/** camelCase and acronym boundaries: `prodEU` → `prod`, `EU`; `PRODDb` → `PROD`, `Db`. */
export function camelTokens(token: string): string[] {
  return token.split(CAMEL_BOUNDARY);
}

/** Every change of case is a boundary: `xxPRODyy` → `xx`, `PROD`, `yy`. */
export function caseChangeTokens(token: string): string[] {
  return token.split(CASE_CHANGE);
}

/** Letter/digit boundaries: `v2prod` → `v`, `2`, `prod`. */
export function letterDigitTokens(token: string): string[] {
  return token.split(LETTER_DIGIT_BOUNDARY);
}

const ANY_BOUNDARY = new RegExp(`${CAMEL_BOUNDARY.source}|${LETTER_DIGIT_BOUNDARY.source}`, 'u');

/** camelCase and letter/digit boundaries together: `v2ProdEu` → `v`, `2`, `Prod`, `Eu`. */
export function camelAndDigitTokens(token: string): string[] {
  return token.split(ANY_BOUNDARY);
}
