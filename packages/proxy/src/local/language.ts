import lemmatizer from 'wink-lemmatizer';
import stem from 'wink-porter2-stemmer';
import { oneEditApart } from './edits';

/**
 * Words that carry no meaning of their own in a shopper's question or a store's page. Kept short on
 * purpose: "not", "no", "free", "off" and numbers stay, since they change what a sentence says.
 */
const STOP_WORDS = new Set(
  `a about after all also am an and any are as at be been but by can could did do does doing for
  from get got had has have how i if in into is it its just me my of on or our so than that the their
  them then there these they this to too up us was we were what when where which who why will with
  would you your yours hi hello hey thanks thank please tell know let like way should shall may might
  must i'm im i've ive i'd i'll you're youre we're they're whats wheres hows whos thats theres u ur pls plz`.split(/\s+/),
);

/** Splits text into lower-case words and numbers ("3-year-old" → 3, year, old; "£9.50" → 9.50). */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/\d+(?:[.,]\d+)?|[\p{L}]+(?:['’][\p{L}]+)?/gu) ?? [];
}

/**
 * Words already made terms: a knowledge base of 10,000 pages repeats the same few thousand words.
 * Shared by every index of the process; cleared whole when it reaches {@link MAX_CACHED_TERMS}, so
 * that words from shoppers' messages cannot grow it without bound.
 */
const terms = new Map<string, string | null>();
const MAX_CACHED_TERMS = 200_000;

/**
 * A word as a search term: `null` for a stop word; otherwise its lemma (WordNet's, through
 * wink-lemmatizer: "children" → child, "stolen" → steal, "batteries" → battery) reduced to its
 * Porter2 stem (wink-porter2-stemmer: "financing" and "finance" → financ), so that the forms of
 * a word a shopper and a page use meet. Numbers are kept as they are.
 */
export function termOf(word: string): string | null {
  const cached = terms.get(word);
  if (cached !== undefined) return cached;
  const lower = word.toLowerCase().replace(/’/g, "'").replace(/'s$/, '');
  let term: string | null;
  if (STOP_WORDS.has(lower) || (lower.length < 2 && !/\d/.test(lower))) term = null;
  else if (/^\d/.test(lower)) term = String(numberOf(lower));
  else term = stem(lemmaOf(lower));
  if (terms.size >= MAX_CACHED_TERMS) terms.clear();
  terms.set(word, term);
  return term;
}

/** The search terms of a text, in order, stop words left out. */
export function termsOf(text: string): string[] {
  const result: string[] = [];
  for (const word of wordsOf(text)) {
    const term = termOf(word);
    if (term !== null) result.push(term);
  }
  return result;
}

/** A noun's lemma when it has one of its own, else a verb's, else an adjective's ("older" → old). */
function lemmaOf(word: string): string {
  const noun = lemmatizer.noun(word);
  if (noun !== word) return noun;
  const verb = lemmatizer.verb(word);
  if (verb !== word) return verb;
  return lemmatizer.adjective(word);
}

/**
 * A number as shoppers and catalogs write it: "1,000" and "1,000.50" (thousands), "12,5" (a decimal
 * comma), "9.50". `NaN` for anything else.
 */
export function numberOf(text: string): number {
  const written = text.trim();
  if (/^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(written)) return Number(written.replace(/,/g, ''));
  if (/^\d+,\d{1,2}$/.test(written)) return Number(written.replace(',', '.'));
  return /^\d+(?:\.\d+)?$/.test(written) ? Number(written) : Number.NaN;
}

/** What a term found counts for: itself, as the start of another form of its word, or a letter apart. */
export const MATCH = { exact: 1, start: 0.75, typo: 0.5 } as const;
/** Two stems meet by their start when the shorter has at least this many letters ("deliv", "deliveri"). */
export const MIN_SHARED_START = 5;
/** A term of at least this length may match one a letter apart ("installment", "instalment"). */
export const MIN_TYPO_LENGTH = 6;

/**
 * How well a set of terms holds a term: 1 for the term itself, ¾ for a term that starts the other
 * (stems of one word differ at the end: "deliv", "deliveri"), ½ for one a letter apart, 0 for none.
 */
export function matchOf(terms: ReadonlySet<string | null>, term: string): number {
  if (terms.has(term)) return MATCH.exact;
  let best = 0;
  for (const other of terms) {
    if (!other) continue;
    const [short, long] = other.length < term.length ? [other, term] : [term, other];
    if (short.length >= MIN_SHARED_START && long.startsWith(short)) return MATCH.start;
    if (!best && term.length >= MIN_TYPO_LENGTH && other[0] === term[0] && oneEditApart(term, other)) best = MATCH.typo;
  }
  return best;
}
