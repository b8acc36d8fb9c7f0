/**
 * A small, honest estimate of how hard a master password is to guess: bits from length and the
 * kinds of characters used, minus what an attacker's first guesses cover (common passwords and
 * words, sequences, repeats, keyboard runs). Not zxcvbn; enough to steer people away from
 * "Password1!" and towards a few unrelated words.
 */

export type StrengthScore = 0 | 1 | 2 | 3 | 4;

export interface Strength {
  readonly score: StrengthScore;
  readonly label: string;
  /** Estimated guessing entropy in bits. */
  readonly bits: number;
  /** One sentence on how to do better (or that it is fine). */
  readonly hint: string;
  /** Whether the vault may be created with it. */
  readonly acceptable: boolean;
}

export const MIN_LENGTH = 10;
const LABELS = ['Very weak', 'Weak', 'Fair', 'Good', 'Strong'] as const;

// The top of every leaked-password list, and words people reach for in a secrets tool.
const COMMON_PASSWORDS = new Set(
  (
    'password passw0rd passwort motdepasse contraseña 123456 12345678 123456789 1234567890 qwerty ' +
    'qwertyuiop asdfgh asdfghjkl zxcvbnm abc123 111111 000000 iloveyou admin administrator welcome ' +
    'letmein monkey dragon football baseball soccer hockey master shadow sunshine princess superman ' +
    'batman trustno1 whatever freedom starwars pokemon computer internet secret secrets changeme ' +
    'default login access hello charlie donald michael jennifer jordan hunter ranger buster thomas ' +
    'summer winter spring autumn flower cookie cheese killer pepper ginger maggie ashley bailey ' +
    'latchkey vault keychain keepass bitwarden lastpass onepassword github gitlab developer ' +
    'staging development production test testing qazwsx 1q2w3e4r zaq12wsx azerty'
  ).split(' '),
);
const COMMON_WORDS = [...COMMON_PASSWORDS].filter((w) => w.length >= 4 && /^[a-z]+$/.test(w));

const KEYBOARD_ROWS = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', 'azertyuiop', 'qwertzuiop'];
const LEET: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'l',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
  '!': 'i',
};

function poolSize(password: string): number {
  let pool = 0;
  if (/[a-z]/.test(password)) pool += 26;
  if (/[A-Z]/.test(password)) pool += 26;
  if (/[0-9]/.test(password)) pool += 10;
  if (/[\x20-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]/.test(password)) pool += 33;
  if (/[^\x00-\x7e]/.test(password)) pool += 100;
  return Math.max(pool, 10);
}

function isKeyboardStep(a: string, b: string): boolean {
  return KEYBOARD_ROWS.some((row) => {
    const i = row.indexOf(a);
    return i >= 0 && (row[i + 1] === b || row[i - 1] === b);
  });
}

/**
 * How many characters carry real choice: a character that repeats the previous one, or continues
 * an alphabetic, numeric or keyboard run, counts for a fifth.
 */
function effectiveLength(chars: readonly string[]): { length: number; patterned: boolean } {
  let length = 0;
  let patternedChars = 0;
  for (let i = 0; i < chars.length; i++) {
    const c = (chars[i] ?? '').toLowerCase();
    const p = (chars[i - 1] ?? '').toLowerCase();
    const step = (c.codePointAt(0) ?? 0) - (p.codePointAt(0) ?? -10);
    const predictable = i > 0 && (c === p || Math.abs(step) === 1 || isKeyboardStep(p, c));
    if (predictable) patternedChars++;
    length += predictable ? 0.2 : 1;
  }
  return { length, patterned: patternedChars >= 3 && patternedChars >= chars.length / 3 };
}

function deLeet(text: string): string {
  return [...text].map((c) => LEET[c] ?? c).join('');
}

/** Estimates `password`'s strength. Pure; runs on every pause in typing. */
export function estimateStrength(password: string): Strength {
  const chars = [...password];
  if (chars.length === 0) {
    return {
      score: 0,
      label: '',
      bits: 0,
      hint: `Use at least ${MIN_LENGTH} characters; a few unrelated words work well.`,
      acceptable: false,
    };
  }
  const pool = poolSize(password);
  const perChar = Math.log2(pool);
  const { length, patterned } = effectiveLength(chars);
  let bits = length * perChar;

  const lower = password.toLowerCase();
  // "P@ssw0rd123!" is "password" with decorations: strip them and undo the usual substitutions.
  const core = deLeet(lower.replace(/^[^a-z]+/, '').replace(/[^a-z]+$/, ''));
  let common = COMMON_PASSWORDS.has(lower) || COMMON_PASSWORDS.has(core);
  if (common) {
    // A known password plus a few decorations: a dictionary attack finds it in seconds.
    const extra = Math.max(0, chars.length - [...core].length);
    bits = Math.min(bits, 12 + extra * 3);
  } else {
    const plain = deLeet(lower);
    for (const word of COMMON_WORDS) {
      if (word.length < 5 || !plain.includes(word)) continue;
      // The word is one guess among a few thousand, not word.length independent characters.
      bits -= Math.max(0, (word.length - 1) * perChar - 12);
      common = true;
    }
  }
  bits = Math.max(0, Math.round(bits));

  let score: StrengthScore = bits < 28 ? 0 : bits < 40 ? 1 : bits < 60 ? 2 : bits < 80 ? 3 : 4;
  if (chars.length < MIN_LENGTH && score > 1) score = 1;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;

  let hint: string;
  if (common) hint = 'It contains a common password or word — those are guessed first.';
  else if (chars.length < MIN_LENGTH)
    hint = `Longer is stronger: use at least ${MIN_LENGTH} characters, or four or more random words.`;
  else if (patterned) hint = 'Avoid sequences and repeats like 1234, abcd, qwerty or aaaa.';
  else if (score < 3 && classes < 2) hint = 'Add more words, or mix in digits and symbols.';
  else if (score < 3) hint = 'Getting there: a few more characters or another word will help.';
  else if (score === 3) hint = 'A good password. One more word makes it strong.';
  else hint = 'A strong password. Keep it somewhere safe: it cannot be recovered.';

  return { score, label: LABELS[score], bits, hint, acceptable: chars.length >= MIN_LENGTH && score >= 2 };
}
