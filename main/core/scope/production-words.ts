/**
 * The production words and where they count. One list, used by environment names, name segments
 * and metadata values, so every layer refuses the same spellings.
 */
import {
  camelAndDigitTokens,
  camelTokens,
  caseChangeTokens,
  foldLookalikes,
  letterDigitTokens,
  separatorTokens,
} from './normalize';

/** Words that mark production in an environment name. */
export const ENVIRONMENT_PRODUCTION_WORDS = ['prod', 'production', 'prd', 'live'] as const;

/**
 * Words that mark production in any other name (project, item, field, store path, host).
 * `live` is left out on purpose: `live-chat` and `liveness` are ordinary names.
 */
export const NAME_PRODUCTION_WORDS = ['prod', 'production', 'prd'] as const;

// Digits and symbols people use for letters. Applied to the word patterns rather than to the input,
// so a trailing digit (`prod1`) stays a digit while an inner one (`pr0d`) reads as a letter.
const LEET: Readonly<Record<string, string>> = {
  o: '[o0]',
  i: '[i1!|]',
  l: '[l1!|]',
  e: '[e3]',
  t: '[t7+]',
  a: '[a4@]',
  s: '[s5$]',
};

function leetPattern(word: string): string {
  return [...word].map((letter) => LEET[letter] ?? letter).join('');
}

function alternation(words: readonly string[]): string {
  // Longest first, so `production` is tried before its prefix `prod`.
  return [...words]
    .sort((a, b) => b.length - a.length)
    .map(leetPattern)
    .join('|');
}

const ENV_WORDS = alternation(ENVIRONMENT_PRODUCTION_WORDS);
const NAME_WORDS = alternation(NAME_PRODUCTION_WORDS);

/** A token that starts with a production word (`prod`, `prodeu`, `production2`, `pr0d`). */
const ENV_PREFIX = new RegExp(`^(?:${ENV_WORDS})`);
/** A token that ends with a production word, perhaps numbered (`euprod`, `eu-prod1`). */
const ENV_SUFFIX = new RegExp(`(?:${ENV_WORDS})\\d*$`);
/** A name token that is a production word, perhaps numbered (`prod`, `prod1`, `PRD`, `pr0d`). */
const NAME_TOKEN = new RegExp(`^(?:${NAME_WORDS})\\d*$`);
/** A whole value that is a production word (`production`, ` LIVE `, `prod2`). */
const EXACT_WORD = new RegExp(`^(?:${ENV_WORDS})\\d*$`);

function hasProductionAffix(token: string): boolean {
  const lower = token.toLowerCase();
  return ENV_PREFIX.test(lower) || ENV_SUFFIX.test(lower);
}

/**
 * True when an environment name carries a production word as a segment or an affix, in any case,
 * spacing, look-alike or leet spelling: `prod`, ` Prod `, `prod-eu`, `eu-prod`, `prodEU`, `pr0d`,
 * `рrod` (Cyrillic р), `ｐｒｏｄ`, `p\u200Brod`, `p r o d`, `l1ve`. Errs towards production: such a
 * name is refused anyway, the only question is which sentence the user reads.
 */
export function looksLikeProductionEnvironment(name: string): boolean {
  const folded = foldLookalikes(name);
  const tokens = separatorTokens(folded, true);
  if (hasProductionAffix(tokens.join(''))) return true;
  for (const token of tokens) {
    if (hasProductionAffix(token)) return true;
    if (camelTokens(token).some(hasProductionAffix)) return true;
    if (caseChangeTokens(token).some(hasProductionAffix)) return true;
  }
  return false;
}

/**
 * The first token of a name segment that is a production word (`prod`, `production`, `prd`, or
 * `prod` followed only by digits), after folding look-alikes; undefined when there is none.
 * Tokens split on separators, camelCase and letter/digit boundaries. Whole tokens only, so
 * `product-catalog`, `products` and `reproduce` pass.
 */
export function productionWordInName(segment: string): string | undefined {
  const folded = foldLookalikes(segment);
  for (const token of separatorTokens(folded, false)) {
    const candidates = [
      token,
      ...camelTokens(token),
      ...letterDigitTokens(token),
      ...camelAndDigitTokens(token),
    ];
    for (const candidate of candidates) {
      if (NAME_TOKEN.test(candidate.toLowerCase())) return candidate;
    }
  }
  return undefined;
}

/**
 * True when a whole value, after trimming and folding look-alikes, is exactly a production word
 * (`production`, ` PROD `, `live`, `prd`, `prod2`); free text that mentions one is not.
 */
export function isExactProductionWord(value: string): boolean {
  const folded = foldLookalikes(value).trim();
  return EXACT_WORD.test(folded.toLowerCase());
}
