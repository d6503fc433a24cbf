import type { Passage } from './knowledge-base';
import { oneEditApart } from './edits';
import { MATCH, matchOf, termOf, wordsOf } from './language';

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
/** Terms of this length or more, when the knowledge base does not have them, match words one letter apart. */
const FUZZY_FROM = 6;
/** How much a word counts where it is written: a page's title and a section's heading say what it is about. */
const FIELD_WEIGHTS = { title: 2, heading: 1.5, text: 1 };
/** BM25+ (as MiniSearch uses it): term-frequency saturation, length normalization, and the floor every match gets. */
const BM25 = { k1: 1.2, b: 0.7, d: 0.5 };
/** What a word found by its start ("deliv" in "deliveri") or one letter apart scores, beside the word itself. */
const VARIANT_SCORE = { prefix: 0.375, typo: 0.45 };
/** What it counts for in {@link Match.coverage}. */
const VARIANT_COVERAGE = { exact: MATCH.exact, prefix: MATCH.start, typo: MATCH.typo };

/** One term's passages (positions in the kind's list, ascending) and its weighed frequency in each. */
interface Postings {
  passages: Int32Array;
  frequencies: Float32Array;
}

/** The passages of one kind, with their BM25 statistics. */
class KindIndex {
  readonly passages: Passage[];
  readonly postings = new Map<string, Postings>();
  readonly #lengths: Float32Array;
  readonly #averageLength: number;

  constructor(passages: Passage[]) {
    this.passages = passages;
    this.#lengths = new Float32Array(passages.length);
    const building = new Map<string, { passages: number[]; frequencies: number[] }>();
    passages.forEach((passage, position) => {
      const frequencies = new Map<string, number>();
      let length = 0;
      for (const field of ['title', 'heading', 'text'] as const) {
        for (const word of wordsOf(passage[field])) {
          const term = termOf(word);
          if (term === null) continue;
          frequencies.set(term, (frequencies.get(term) ?? 0) + FIELD_WEIGHTS[field]);
          length += FIELD_WEIGHTS[field];
        }
      }
      this.#lengths[position] = length;
      for (const [term, frequency] of frequencies) {
        const list = building.get(term) ?? building.set(term, { passages: [], frequencies: [] }).get(term)!;
        list.passages.push(position);
        list.frequencies.push(frequency);
      }
    });
    for (const [term, list] of building) this.postings.set(term, { passages: Int32Array.from(list.passages), frequencies: Float32Array.from(list.frequencies) });
    this.#averageLength = passages.length ? this.#lengths.reduce((sum, length) => sum + length, 0) / passages.length : 1;
  }

  /**
   * The passages that hold the variants, ranked by BM25+, best `limit` first. Scores add up in one
   * array over the kind's passages: the work is one step per posting of the question's terms.
   */
  search(variants: Variant[], limit: number): { position: number; score: number }[] {
    if (limit <= 0) return [];
    const scores = new Float64Array(this.passages.length);
    const touched: number[] = [];
    const count = this.passages.length;
    for (const { term, factor } of variants) {
      const postings = this.postings.get(term);
      if (!postings) continue;
      const idf = Math.log(1 + (count - postings.passages.length + 0.5) / (postings.passages.length + 0.5));
      for (let entry = 0; entry < postings.passages.length; entry++) {
        const position = postings.passages[entry]!;
        const frequency = postings.frequencies[entry]!;
        const norm = BM25.k1 * (1 - BM25.b + (BM25.b * this.#lengths[position]!) / this.#averageLength);
        if (scores[position] === 0) touched.push(position);
        scores[position]! += factor * idf * (BM25.d + (frequency * (BM25.k1 + 1)) / (frequency + norm));
      }
    }
    // Asked for most of them (a catalog search), all are sorted once.
    if (limit >= touched.length / 4) {
      return touched
        .map((position) => ({ position, score: scores[position]! }))
        .sort((a, b) => b.score - a.score)
        .slice(0, limit);
    }
    // The best `limit`, kept sorted in a short array: a question's results are few beside the passages touched.
    const best: { position: number; score: number }[] = [];
    for (const position of touched) {
      const score = scores[position]!;
      if (best.length === limit && score <= best[best.length - 1]!.score) continue;
      let at = best.length;
      while (at > 0 && best[at - 1]!.score < score) at--;
      best.splice(at, 0, { position, score });
      if (best.length > limit) best.pop();
    }
    return best;
  }

  /** Whether the passage holds the term (a binary search in its postings). */
  holds(term: string, position: number): boolean {
    const postings = this.postings.get(term);
    if (!postings) return false;
    let low = 0;
    let high = postings.passages.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const at = postings.passages[middle]!;
      if (at === position) return true;
      if (at < position) low = middle + 1;
      else high = middle - 1;
    }
    return false;
  }
}

/** A term searched for one of the question's terms: itself, a longer word it starts, or one a letter apart. */
interface Variant {
  term: string;
  /** The question's term it stands for. */
  asked: string;
  factor: number;
  kind: keyof typeof VARIANT_COVERAGE;
}

/**
 * BM25 ranking over the knowledge base's passages, pages and catalog records apart (a question for
 * the pages is not skewed by the catalog). An inverted index of typed arrays: at 10,000 pages a
 * question's terms touch tens of thousands of postings, and each costs one addition.
 */
export class PassageIndex {
  readonly #kinds: Record<Passage['kind'], KindIndex>;
  /** In how many passages each term occurs. */
  readonly #passagesWith = new Map<string, number>();
  /** The vocabulary, sorted, to find the words a term starts. */
  readonly #vocabulary: string[];
  readonly #size: number;

  constructor(passages: Passage[]) {
    this.#kinds = { page: new KindIndex(passages.filter((passage) => passage.kind === 'page')), product: new KindIndex(passages.filter((passage) => passage.kind === 'product')) };
    for (const kind of Object.values(this.#kinds)) {
      for (const [term, postings] of kind.postings) this.#passagesWith.set(term, (this.#passagesWith.get(term) ?? 0) + postings.passages.length);
    }
    this.#vocabulary = [...this.#passagesWith.keys()].sort();
    this.#size = passages.length;
  }

  /** How much a term tells apart: its inverse document frequency (an unseen term weighs the most). */
  weight(term: string): number {
    return Math.log(1 + this.#size / ((this.#passagesWith.get(term) ?? 0) + 1));
  }

  /** The weight of the terms a set holds ({@link matchOf}), each by its rarity. */
  heldWeight(terms: readonly string[], held: ReadonlySet<string | null>): number {
    let sum = 0;
    for (const term of terms) sum += matchOf(held, term) * this.weight(term);
    return sum;
  }

  /** The weighed share of the terms a set holds, 0–1: how much of a question a sentence, a field or a heading answers. */
  heldShare(terms: readonly string[], held: ReadonlySet<string | null>): number {
    const total = terms.reduce((sum, term) => sum + this.weight(term), 0);
    return total ? this.heldWeight(terms, held) / total : 0;
  }

  /** In how many passages the term occurs. */
  passagesWith(term: string): number {
    return this.#passagesWith.get(term) ?? 0;
  }

  /** Whether some passage has the term, or a word it starts (the knowledge base's own vocabulary). */
  knows(term: string): boolean {
    if (this.#passagesWith.has(term)) return true;
    return term.length >= PREFIX_FROM && (this.#vocabulary[this.#firstFrom(term)]?.startsWith(term) ?? false);
  }

  /** Passages ranked best first: of one kind, or of both (each ranked in its own index, then by score). */
  search(query: string, limit = 5, options: SearchOptions = {}): Match[] {
    const asked = [...new Set(wordsOf(query).map(termOf).filter((term): term is string => term !== null))];
    if (!asked.length) return [];
    const variants = asked.flatMap((term) => this.#variants(term));
    const kinds = options.kind ? [options.kind] : (['page', 'product'] as const);
    return kinds
      .flatMap((kind) => {
        const index = this.#kinds[kind];
        return index.search(variants, limit).map(({ position, score }) => ({ passage: index.passages[position]!, score, coverage: this.#coverage(asked, variants, index, position) }));
      })
      .sort((a, b) => b.score - a.score)
      .slice(0, limit);
  }

  /** The terms searched for a question's term: itself; the longer words it starts, where there are any; words a letter apart when it is unknown. */
  #variants(term: string): Variant[] {
    const variants: Variant[] = [{ term, asked: term, factor: 1, kind: 'exact' }];
    // A stem the stemmer ended in "i" for a "y" ("deliveri") also stands for the start it shares with its other forms ("deliv").
    const start = term.length >= 6 && term.endsWith('i') ? term.replace(/(?:[ae]ri|i)$/, '') : term;
    if (start.length >= PREFIX_FROM) {
      for (let position = this.#firstFrom(start); this.#vocabulary[position]?.startsWith(start); position++) {
        const word = this.#vocabulary[position]!;
        if (word !== term) variants.push({ term: word, asked: term, factor: VARIANT_SCORE.prefix, kind: 'prefix' });
      }
    }
    if (term.length >= FUZZY_FROM && !this.#passagesWith.has(term)) {
      // A typo keeps the first letter, mostly: the words of that letter are checked.
      for (let position = this.#firstFrom(term[0]!); this.#vocabulary[position]?.startsWith(term[0]!); position++) {
        const word = this.#vocabulary[position]!;
        if (!word.startsWith(start) && oneEditApart(term, word)) variants.push({ term: word, asked: term, factor: VARIANT_SCORE.typo, kind: 'typo' });
      }
    }
    return variants;
  }

  #coverage(asked: string[], variants: Variant[], index: KindIndex, position: number): number {
    let found = 0;
    let total = 0;
    for (const term of asked) {
      const weight = this.weight(term);
      total += weight;
      let best = 0;
      for (const variant of variants) {
        if (variant.asked === term && VARIANT_COVERAGE[variant.kind] > best && index.holds(variant.term, position)) best = VARIANT_COVERAGE[variant.kind];
      }
      found += best * weight;
    }
    return total ? found / total : 0;
  }

  /** The position of the first word of the sorted vocabulary that is not before `text`. */
  #firstFrom(text: string): number {
    let low = 0;
    let high = this.#vocabulary.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#vocabulary[middle]! < text) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
