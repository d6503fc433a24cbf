import type { Passage } from './knowledge-base';
import { termOf, wordsOf } from './language';
import type { Match, PassageIndex } from './search';

/** A passage with the sentences of it that answer the question, best first. */
export interface Evidence {
  match: Match;
  /** The passage's sentences (or list items) that hold the question's words, in the page's order. */
  quote: string[];
  /** The weighed share of the question's terms the quoted sentences hold, 0–1. */
  strength: number;
}

/** Quoted sentences stop adding up at about this many characters: a chat answer, not the page. */
const QUOTE_CHARACTERS = 420;
/** A sentence with what the question asks for ("how much": an amount) weighs this much more. */
const PREFERRED = 1.25;
/** A list a sentence leads into may run the quote to this multiple of its length: a list is read whole. */
const LIST_ALLOWANCE = 1.5;
/** A heading that holds this share of the question makes its section the answer. */
const HEADING_SHARE = 0.5;
/** A sentence joins the quote when it holds at least this share of what the best one holds. */
const JOIN_SHARE = 0.5;

/**
 * The question's terms, without the words that frame a question rather than say what it is
 * about ("how long does delivery take" is about delivery).
 */
const FRAMING = new Set(
  `much many long take takes sell sells offer offers carry stock buy need want get someone something anything
  anyone possible able okay ok yes way thing things policy policies info information detail details question
  wondering wonder curious work works working really quite super just actually basically whenever anytime
  maybe ever even very though`
    .split(/\s+/)
    .map((word) => termOf(word))
    .filter((term): term is string => term !== null),
);

export function questionTerms(question: string): string[] {
  return [...new Set(wordsOf(question).map(termOf))].filter((term): term is string => term !== null && !FRAMING.has(term));
}

/** The question's words without its framing, as a search query. */
export function questionQuery(question: string): string {
  return wordsOf(question)
    .filter((word) => {
      const term = termOf(word);
      return term !== null && !FRAMING.has(term);
    })
    .join(' ');
}

/** A passage's text as sentences and list items; soft-wrapped lines of a paragraph are joined first. */
export function sentencesOf(text: string): string[] {
  const units: string[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    // Lines of a list or a table stay lines; other lines run on as one paragraph.
    const lines: string[] = [];
    for (const line of block.split('\n')) {
      const trimmed = line.trim();
      if (!trimmed || /^\|?\s*:?-{3,}/.test(trimmed)) continue;
      if (LIST_ITEM.test(trimmed) || !lines.length) lines.push(trimmed);
      else lines[lines.length - 1] += ` ${trimmed}`;
    }
    // A table row reads as its cells named by the header's ("Zone: EU; Time: 2-4 days").
    const header = lines[0]?.startsWith('|') ? cellsOf(lines[0]) : undefined;
    for (const [position, line] of lines.entries()) {
      if (line.startsWith('|')) {
        if (position === 0 && header) continue;
        const cells = cellsOf(line);
        units.push(header ? cells.map((cell, column) => (header[column] ? `${header[column]}: ${cell}` : cell)).join('; ') : cells.join('; '));
      } else if (LIST_ITEM.test(line)) units.push(line);
      else units.push(...line.split(/(?<=[.!?])\s+(?=[A-Z0-9"“(*])/));
    }
  }
  return units;
}

const LIST_ITEM = /^([-*+]|\d+\.)\s/;

function cellsOf(row: string): string[] {
  return row.replace(/^\||\|$/g, '').split('|').map((cell) => cell.trim());
}

/**
 * Ranks the sentences of a passage by the question's terms (each weighed by its rarity in the
 * knowledge base) and keeps the best with those close to it, in the page's order. A sentence
 * that leads into a list ("We accept:") brings the list.
 */
export function quoteFrom(match: Match, terms: string[], index: PassageIndex, prefer?: RegExp): Evidence {
  const units = sentencesOf(match.passage.text);
  const total = terms.reduce((sum, term) => sum + index.weight(term), 0) || 1;
  const scores = units.map((unit) => {
    let score = index.heldWeight(terms, new Set(wordsOf(unit).map(termOf)));
    // A "how much" or "how long" question is answered by a sentence with an amount in it.
    if (prefer && score > 0 && prefer.test(unit)) score *= PREFERRED;
    return score;
  });
  const best = scores.reduce((top, score, position) => (score > scores[top]! ? position : top), 0);
  const chosen = new Set<number>();
  // A section whose heading asks the question ("Accepted payment methods") answers it from its start.
  const headingTerms = new Set(wordsOf(match.passage.heading).map(termOf));
  const headed = index.heldShare(terms, headingTerms) >= HEADING_SHARE;
  if (scores[best]! > 0 && !(headed && scores[best]! < total * HEADING_SHARE)) {
    chosen.add(best);
    let length = units[best]!.length;
    // Under a heading that asks the question, the section's first sentence says its main thing.
    if (headed && units[0] && length + units[0].length <= QUOTE_CHARACTERS) {
      chosen.add(0);
      length += best === 0 ? 0 : units[0].length;
    }
    const byScore = scores.map((score, position) => ({ score, position })).sort((a, b) => b.score - a.score);
    for (const { score, position } of byScore.slice(1)) {
      if (score < scores[best]! * JOIN_SHARE || length + units[position]!.length > QUOTE_CHARACTERS) continue;
      chosen.add(position);
      length += units[position]!.length;
    }
    // The list a chosen sentence introduces.
    for (const position of [...chosen]) {
      if (!units[position]!.trimEnd().endsWith(':')) continue;
      for (let next = position + 1; next < units.length && LIST_ITEM.test(units[next]!) && length < QUOTE_CHARACTERS * LIST_ALLOWANCE; next++) {
        chosen.add(next);
        length += units[next]!.length;
      }
    }
  } else {
    // Nothing of the question in any one sentence (it matched on the title): the passage's lead.
    let length = 0;
    for (let position = 0; position < units.length && length < QUOTE_CHARACTERS / 2; position++) {
      chosen.add(position);
      length += units[position]!.length;
    }
  }
  const quote = [...chosen].sort((a, b) => a - b).map((position) => units[position]!);
  // The page's title and the section's heading say what the quote is about ("Returns" answers "return policy").
  const { title, heading } = match.passage;
  const held = new Set(wordsOf(`${title} ${heading} ${quote.join(' ')}`).map(termOf));
  const strength = index.heldShare(terms, held);
  return { match, quote, strength };
}

/** How a page's quote reads in an answer: list items on their own lines, sentences run together. */
export function joinQuote(quote: string[]): string {
  let text = '';
  for (const unit of quote) {
    const listLike = LIST_ITEM.test(unit);
    text += text ? (listLike || text.endsWith(':') ? '\n' : ' ') : '';
    text += unit;
  }
  return text;
}

/** The title a source is cited by: the page and its section, or the product. */
export function sourceTitle(passage: Passage): string {
  return passage.heading && passage.kind === 'page' ? `${passage.title}: ${passage.heading}` : passage.title;
}
