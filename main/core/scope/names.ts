/**
 * Name segments other than the environment: project, item and field names, store path segments.
 */
import { productionWordInName } from './production-words';
import { quoteName, refusal, type NameVerdict } from './verdict';

/**
 * Refuses (PRODUCTION_REFUSED, rule `name-production-word`) a name whose tokens include `prod`,
 * `production`, `prd` or `prod` followed only by digits — after folding case, look-alikes and
 * invisible characters, splitting on `-_./:` and spaces, camelCase and letter/digit boundaries.
 * Whole tokens only: `product-catalog`, `products`, `reproduce`, `live-chat` are fine. Says nothing
 * about whether the name is otherwise valid (the ref parser checks that). A whole store path may
 * be passed; `/` separates tokens like any other separator. A non-string is refused
 * (UNKNOWN_ENVIRONMENT, rule `name-not-text`).
 */
export function classifyNameSegment(segment: string): NameVerdict {
  if (typeof segment !== 'string') {
    // Callers outside TypeScript (the agent socket, config files) may pass anything: fail closed.
    return refusal(
      'UNKNOWN_ENVIRONMENT',
      'name-not-text',
      'A name segment is not text (rule name-not-text), so the scope cannot be checked; ' +
        'use plain names for project, item and field.',
    );
  }
  const word = productionWordInName(segment);
  if (word === undefined) return { ok: true };
  return refusal(
    'PRODUCTION_REFUSED',
    'name-production-word',
    `The name ${quoteName(segment)} contains the production word ${quoteName(word.toLowerCase())} ` +
      '(rule name-production-word), and Latchkey never holds production secrets; rename it, or keep ' +
      'production items out of the paths Latchkey reads.',
  );
}
