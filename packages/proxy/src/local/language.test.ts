import { describe, expect, it } from 'vitest';
import { termOf, termsOf, wordsOf } from './language';

describe('language', () => {
  it('meets the forms of a word that shoppers and pages use', () => {
    expect(termOf('financing')).toBe(termOf('finance'));
    expect(termOf('children')).toBe(termOf('child'));
    expect(termOf('stolen')).toBe(termOf('steal'));
    expect(termOf('batteries')).toBe(termOf('battery'));
    expect(termOf('wrapped')).toBe(termOf('wrapping'));
    expect(termOf('kids')).toBe(termOf('kid'));
  });

  it('drops stop words but keeps negations and numbers', () => {
    expect(termsOf('Do you have it for a 3-year-old?')).toEqual(['3', termOf('year'), termOf('old')]);
    expect(termsOf('not free')).toEqual(['not', 'free']);
  });

  it('splits prices and contractions as words', () => {
    expect(wordsOf("£9.50 kids' toys don't")).toEqual(['9.50', 'kids', 'toys', "don't"]);
  });
});
