import MiniSearch, { type SearchResult } from 'minisearch';
import type { Passage } from './knowledge-base';

const STOP_WORDS = new Set(
  `a about after all also am an and any are as at be been but by can could did do does doing for
  from get got had has have how i if in into is it its just me my no not of on or our out please
  so than that the their them then there these they this to too up us was we were what when where
  which who why will with would you your yours hi hello hey thanks thank tell know want need
  policy policies long take takes much many like work way sell buy offer carry stock should shall
  may might must`.split(/\s+/),
);

/** Lower-cases, drops stop words and folds simple plurals, for indexing and queries alike. */
export function processTerm(term: string): string | null {
  const word = term.toLowerCase();
  if (STOP_WORDS.has(word) || word.length < 2) return null;
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

export interface Match {
  passage: Passage;
  score: number;
  /**
   * Share of the query's meaningful terms this passage contains, 0–1. A term found only as
   * the start of a longer word counts ¾, one found only by typo tolerance ½.
   */
  coverage: number;
}

/** BM25 ranking (MiniSearch's BM25+) over the knowledge base's passages. */
export class PassageIndex {
  readonly #search: MiniSearch<Passage>;
  readonly #byId = new Map<string, Passage>();

  constructor(passages: Passage[]) {
    this.#search = new MiniSearch<Passage>({
      fields: ['title', 'heading', 'text'],
      processTerm,
      searchOptions: {
        boost: { title: 2, heading: 1.5 },
        prefix: (term) => term.length >= 4,
        fuzzy: (term) => (term.length >= 6 ? 0.2 : false),
      },
    });
    this.#search.addAll(passages);
    for (const passage of passages) this.#byId.set(passage.id, passage);
  }

  /** Passages ranked best first. */
  search(query: string, limit = 5): Match[] {
    const terms = new Set<string>(
      (MiniSearch.getDefault('tokenize') as (text: string) => string[])(query)
        .map((term: string) => processTerm(term))
        .filter((term: string | null): term is string => term !== null),
    );
    if (!terms.size) return [];
    return this.#search
      .search(query)
      .slice(0, limit)
      .map((result: SearchResult) => ({
        passage: this.#byId.get(String(result.id))!,
        score: result.score,
        coverage: coverage(terms, result),
      }));
  }
}

function coverage(queryTerms: Set<string>, result: SearchResult): number {
  let found = 0;
  for (const term of queryTerms) {
    if (result.terms.includes(term)) found += 1;
    else if (result.terms.some((documentTerm) => documentTerm.startsWith(term))) found += 0.75;
    else if (result.queryTerms.includes(term)) found += 0.5;
  }
  return found / queryTerms.size;
}
