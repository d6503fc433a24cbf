import { numberOf } from './language';

/**
 * Numbers with a unit, and ranges of them, in catalog fields and in questions: so that "for a
 * 3 year old" finds "Ages 2 to 5", and "a dog of 30 kg" finds "for dogs 25–45 kg".
 */

/** A range of one unit, bounds included; an open end is ±Infinity. */
export interface Range {
  unit: string;
  min: number;
  max: number;
}

/** The units a range or a quantity can have, each with the ways it is written. */
const UNITS: { unit: string; pattern: string }[] = [
  { unit: 'year', pattern: 'years?(?:[ -]olds?)?|yrs?|y\\.?o\\.?' },
  { unit: 'month', pattern: 'months?(?:[ -]olds?)?|mos?' },
  { unit: 'kg', pattern: 'kg|kilos?|kilograms?' },
  { unit: 'lb', pattern: 'lbs?|pounds?' },
  { unit: 'cm', pattern: 'cm|centimet(?:er|re)s?' },
  { unit: 'inch', pattern: 'in\\.|inch(?:es)?|"' },
  { unit: 'litre', pattern: 'l|lit(?:er|re)s?' },
  { unit: 'people', pattern: 'people|persons?|players?|seats?|cups?' },
];
const UNIT = `(${UNITS.map(({ pattern }) => `(?:${pattern})`).join('|')})`;
/** A number not inside a longer one (bounded, so that no message makes a pattern slow). */
const NUMBER = '(?<![\\d.,])(\\d{1,6}(?:[.,]\\d{1,3})?)';
const DASH = '\\s{0,3}(?:to|-|–|—)\\s{0,3}';

/** "Ages 2 to 5", "age 3+", "ages 6 and up", "for 8 years and over": age ranges written with the word first. */
const AGES = new RegExp(`\\bages?\\s{0,3}${NUMBER}(?:${DASH}${NUMBER}|\\s{0,3}(\\+|and (?:up|over|older)))?`, 'gi');
/** "2–5 years", "25 to 45 kg", "3+ years", "up to 20 kg", "under 12 months". */
const SPANS = new RegExp(`(?:\\b(up to|under|max(?:imum)?|at most)\\s{0,3})?${NUMBER}(?:${DASH}${NUMBER}|\\s{0,3}(\\+))?\\s{0,3}${UNIT}(?![\\p{L}])`, 'giu');

function unitOf(written: string): string | undefined {
  return UNITS.find(({ pattern }) => new RegExp(`^(?:${pattern})$`, 'i').test(written.trim()))?.unit;
}

function number(text: string): number {
  return numberOf(text);
}

/** Ages in months are ages in years ("18 months" is 1.5 years), so "Ages 1 to 3" holds an 18 month old. */
function rangeInYears(range: Range): Range {
  return range.unit === 'month' ? { unit: 'year', min: range.min / 12, max: range.max / 12 } : range;
}

/** Ranges and quantities are read in the first part of a text: a question or a field, not a document. */
const READ_CHARACTERS = 500;

/** The ranges a catalog field states. A single quantity ("weighs 12 kg") is a range of one point. */
export function rangesIn(text: string): Range[] {
  return spansIn(text.slice(0, READ_CHARACTERS)).map(rangeInYears);
}

function spansIn(text: string): Range[] {
  const ranges: Range[] = [];
  for (const match of text.matchAll(AGES)) {
    const low = number(match[1]!);
    ranges.push({ unit: 'year', min: low, max: match[2] ? number(match[2]) : match[3] ? Number.POSITIVE_INFINITY : low });
  }
  for (const match of text.matchAll(SPANS)) {
    const unit = unitOf(match[5]!);
    if (!unit) continue;
    const low = number(match[2]!);
    if (match[1]) ranges.push({ unit, min: 0, max: low });
    else ranges.push({ unit, min: low, max: match[3] ? number(match[3]) : match[4] ? Number.POSITIVE_INFINITY : low });
  }
  return ranges;
}

/** The quantities a question names ("a 3 year old" → 3 year, "my 30kg dog" → 30 kg, "18 months" → 1.5 year). */
export function quantitiesIn(text: string): { unit: string; value: number }[] {
  return namedQuantities(text.slice(0, READ_CHARACTERS)).map((quantity) => (quantity.unit === 'month' ? { unit: 'year', value: quantity.value / 12 } : quantity));
}

function namedQuantities(text: string): { unit: string; value: number }[] {
  const quantities: { unit: string; value: number }[] = [];
  for (const match of text.matchAll(new RegExp(`${NUMBER}[\\s-]{0,3}${UNIT}(?![\\p{L}])`, 'giu'))) {
    const unit = unitOf(match[2]!);
    if (unit) quantities.push({ unit, value: number(match[1]!) });
  }
  for (const match of text.matchAll(/\b(?:aged?|age of)\s{0,3}(\d{1,3})\b/gi)) quantities.push({ unit: 'year', value: number(match[1]!) });
  return quantities;
}

/** Whether one of the quantities falls in one of the ranges of the same unit. */
export function fitsRange(quantities: { unit: string; value: number }[], ranges: Range[]): boolean {
  return quantities.some(({ unit, value }) => ranges.some((range) => range.unit === unit && value >= range.min && value <= range.max));
}
