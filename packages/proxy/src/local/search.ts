import MiniSearch, { type SearchResult } from 'minisearch';
import type { Passage } from './knowledge-base';
import { termOf, wordsOf } from './language';

/** A word as an indexed term (see {@link termOf}): one function for pages, catalog records and questions. */
export const processTerm = termOf;

export interface Match {
  passage: Passage;
  score: number;
  /**
   * Share of the query's meaningful terms this passage contains, 0–1, each term weighed by how
   * rare it is in the knowledge base (a word on every page says little). A term found only as the
   * start of a longer word counts ¾, one found only by typo tolerance ½.
   */
  coverage: number;
}

export interface SearchOptions {
  /** Only pages, or only catalog records. */
  kind?: Passage['kind'];
}

/** Terms start matching longer words from this length ("deliv" finds "delivery"). */
const PREFIX_FROM = 4;
/** Terms of this length or more match with one typo in five letters. */
const FUZZY_FROM = 6;

/**
 * A question's word as search terms: its term, and for a stem the stemmer ended in "i" for a "y"
 * ("deliveri" of delivery), the start it shares with the word's other forms ("deliv" of delivered),
 * searched as a prefix.
 */
function queryTerms(word: string): string | string[] | null {
  const term = termOf(word);
  if (!term || term.length < 6 || !term.endsWith('i')) return term;
  return [term, term.replace(/(?:[ae]ri|i)$/, '')];
}

/** BM25 ranking (MiniSearch's BM25+) over the knowledge base's passages. */
export class PassageIndex {
  /** One index per kind: a question for the pages is not slowed, nor its scores skewed, by the catalog. */
  readonly #searches = new Map<Passage['kind'], MiniSearch<Passage>>();
  readonly #byId = new Map<string, Passage>();
  /** In how many passages each term occurs. */
  readonly #passagesWith = new Map<string, number>();
  /** The vocabulary, sorted, to find the words a term starts. */
  #vocabulary: string[] = [];

  constructor(passages: Passage[]) {
    for (const kind of ['page', 'product'] as const) {
      const search = new MiniSearch<Passage>({
        fields: ['title', 'heading', 'text'],
        processTerm,
        searchOptions: {
          processTerm: queryTerms,
          boost: { title: 2, heading: 1.5 },
          prefix: (term) => term.length >= PREFIX_FROM,
          // Typo tolerance only for a word the knowledge base does not have: a known word is not a typo,
          // and fuzzy matching over a large vocabulary is most of a search's time.
          fuzzy: (term) => (term.length >= FUZZY_FROM && !this.#passagesWith.has(term) ? 0.2 : false),
        },
      });
      search.addAll(passages.filter((passage) => passage.kind === kind));
      this.#searches.set(kind, search);
    }
    for (const passage of passages) {
      this.#byId.set(passage.id, passage);
      const seen = new Set<string>();
      for (const word of wordsOf(`${passage.title} ${passage.heading} ${passage.text}`)) {
        const term = termOf(word);
        if (term !== null && !seen.has(term)) {
          seen.add(term);
          this.#passagesWith.set(term, (this.#passagesWith.get(term) ?? 0) + 1);
        }
      }
    }
    this.#vocabulary = [...this.#passagesWith.keys()].sort();
  }

  /** How much a term tells apart: its inverse document frequency (an unseen term weighs the most). */
  weight(term: string): number {
    return Math.log(1 + this.#byId.size / ((this.#passagesWith.get(term) ?? 0) + 1));
  }

  /** In how many passages the term occurs. */
  passagesWith(term: string): number {
    return this.#passagesWith.get(term) ?? 0;
  }

  /** Whether some passage has the term, or a word it starts (the knowledge base's own vocabulary). */
  knows(term: string): boolean {
    if (this.#passagesWith.has(term)) return true;
    if (term.length < PREFIX_FROM) return false;
    // The first word not before the term, in sorted order, is the one it would start.
    let low = 0;
    let high = this.#vocabulary.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#vocabulary[middle]! < term) low = middle + 1;
      else high = middle;
    }
    return this.#vocabulary[low]?.startsWith(term) ?? false;
  }

  /** Passages ranked best first: of one kind, or of both (each ranked in its own index, then by score). */
  search(query: string, limit = 5, options: SearchOptions = {}): Match[] {
    const terms = new Set(wordsOf(query).map(termOf).filter((term): term is string => term !== null));
    if (!terms.size) return [];
    const kinds = options.kind ? [options.kind] : (['page', 'product'] as const);
    return kinds
      .flatMap((kind) => this.#searches.get(kind)!.search(query).slice(0, limit))
      .sort((a, b) => b.score - a.score)
      .slice(0, limit)
      .map((result: SearchResult) => ({
        passage: this.#byId.get(String(result.id))!,
        score: result.score,
        coverage: this.#coverage(terms, result),
      }));
  }

  #coverage(queryTerms: Set<string>, result: SearchResult): number {
    let found = 0;
    let total = 0;
    for (const term of queryTerms) {
      const weight = this.weight(term);
      total += weight;
      if (result.terms.includes(term)) found += weight;
      else if (result.terms.some((documentTerm) => documentTerm.startsWith(term))) found += 0.75 * weight;
      else if (result.queryTerms.includes(term)) found += 0.5 * weight;
    }
    return total ? found / total : 0;
  }
}
