import { describe, expect, it } from 'vitest';
import type { Passage } from './knowledge-base';
import { PassageIndex } from './search';

const page = (id: string, title: string, text: string, heading = ''): Passage => ({ id, file: `${id}.md`, title, heading, text, kind: 'page' });
const product = (id: string, title: string, text: string): Passage => ({ id, file: 'catalog.json', title, heading: '', text, kind: 'product' });

const index = new PassageIndex([
  page('shipping', 'Shipping', 'Orders are delivered within 5 working days.', 'Delivery times'),
  page('returns', 'Returns', 'Unworn items can be returned within 30 days.'),
  page('payments', 'Paying', 'Split the cost into 4 interest-free instalments.'),
  product('lamp', 'Cedar Lamp', 'A lamp of cedar wood, delivered flat.'),
]);

describe('PassageIndex', () => {
  it('ranks the passage that holds the question first, with the share it holds', () => {
    const [best] = index.search('can unworn items be returned', 3);
    expect(best?.passage.id).toBe('returns');
    expect(best?.coverage).toBeGreaterThan(0.5);
  });

  it('finds the other forms of a word: "delivery" meets "delivered" by the start they share', () => {
    const matches = index.search('delivery', 5, { kind: 'page' });
    expect(matches.map((match) => match.passage.id)).toEqual(['shipping']);
    expect(matches[0]!.coverage).toBeLessThanOrEqual(1);
  });

  it('finds a word one letter apart only when the knowledge base lacks the word asked', () => {
    const [typo] = index.search('intrest', 3);
    expect(typo?.passage.id).toBe('payments');
    expect(typo?.coverage).toBe(0.5);
  });

  it('keeps pages and catalog records apart when asked', () => {
    expect(index.search('cedar lamp', 3, { kind: 'page' })).toEqual([]);
    expect(index.search('cedar lamp', 3, { kind: 'product' }).map((match) => match.passage.id)).toEqual(['lamp']);
    expect(index.search('delivered', 5).map((match) => match.passage.id).sort()).toEqual(['lamp', 'shipping']);
  });

  it('weighs a rare term above a common one, and knows its vocabulary', () => {
    expect(index.weight('cedar')).toBeGreaterThan(index.weight('within'));
    expect(index.knows('instal')).toBe(true);
    expect(index.knows('bitcoin')).toBe(false);
  });
});
