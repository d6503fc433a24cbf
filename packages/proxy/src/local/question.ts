import { numberOf } from './language';

/**
 * What kind of question a shopper asks, read from its form: the kind shapes the answer (a list of
 * products, a quoted sentence, a field of one product), but it never decides where the answer
 * comes from: the evidence does (see shop-assistant.ts).
 */

export type QuestionKind =
  | 'greeting'
  | 'thanks'
  | 'goodbye'
  /** "Do you sell / have / carry / offer X?": the catalog or the pages, and a "no" only when neither mentions X. */
  | 'sell'
  /** "Something for…", "I need…", "which … is best for…": products ranked for a need. */
  | 'recommend'
  /** "How much", "how long", "when": a sentence with an amount in it. */
  | 'quantity'
  /** "Is…", "can I…", "do you…": the sentence that says yes or no. */
  | 'yes-no'
  | 'other';

/** Small talk: the whole message is a greeting, thanks or goodbye, so nothing else is asked. */
const SMALL_TALK: { kind: QuestionKind; pattern: RegExp }[] = [
  { kind: 'greeting', pattern: /^(hi|hello|hey|hiya|yo|good (?:morning|afternoon|evening)|bonjour|hallo|hola)\b[\s!.,]*(there|team|all|everyone)?[\s!.:)]*$/i },
  { kind: 'thanks', pattern: /^(?:ok(?:ay)?[,! ]*|great[,! ]*|perfect[,! ]*|awesome[,! ]*|cool[,! ]*)?(thanks?|thank you|thx|ty|cheers)\b.{0,30}$/i },
  { kind: 'goodbye', pattern: /^(bye|goodbye|see you|see ya|cya|that'?s all|have a (?:good|nice) (?:day|one))\b.{0,30}$/i },
];

/** "Do you sell / have / offer…", "is there a…": what comes after it is the thing asked about. */
const SELL_FORM =
  /\b(?:do|does|can|could)\s+(?:you|u|ya|y'all|you guys|the (?:shop|store)|your (?:shop|store))\s+(?:also\s+)?(?:sell|have|carry|stock|offer|make|do|provide|supply)\b|\bis there (?:a|an|any)\b|\bare there any\b/i;

/** The forms of the other kinds, tried in order; the first that matches names the kind. */
const FORMS: { kind: QuestionKind; pattern: RegExp }[] = [
  { kind: 'sell', pattern: SELL_FORM },
  {
    kind: 'recommend',
    pattern:
      /\b(recommend\w*|suggest\w*|looking for|look(?:ing)? for|i (?:need|want|'?m after) (?!to\b|it\b|them\b|that\b|this\b|you\b)\w+|what (?:should|would|do you|can you) (?:i|you) (?:get|buy|recommend|suggest)|(?:something|anything) (?:in|for|to|that|good|nice|warm|cheap)|best (?:for|one)|good for|(?:gift )?ideas?|(?:a|as a) (?:gift|present)|(?:gift|present) for)\b|\bwhat (?:do you have|have you got|is there) for\b|\bwhich (?:one|is)\b/i,
  },
  { kind: 'quantity', pattern: /\bhow (?:much|long|many|soon|quickly|fast|far|big|heavy|old)\b|\bwhen\b|\bwhat(?:'s| is| are) the (?:cost|price|fee|charge|time)/i },
  { kind: 'yes-no', pattern: /^(?:so\s+)?(?:do|does|did|is|are|was|can|could|will|would|should|have|has|may|am)\b/i },
];

export function kindOf(question: string): QuestionKind {
  const text = question.trim();
  for (const { kind, pattern } of SMALL_TALK) if (pattern.test(text)) return kind;
  for (const { kind, pattern } of FORMS) if (pattern.test(text)) return kind;
  return 'other';
}

/** What a "do you sell X?" question asks about: the words after the verb. */
export function thingAsked(question: string): string {
  const form = SELL_FORM.exec(question);
  const rest = form ? question.slice(form.index + form[0].length) : question;
  const after = rest.trim().replace(/^(?:any|a|an|some)\s+/i, '').replace(/[?.!]+$/, '');
  return after.replace(/\b(?:here|online|in (?:the )?store|at all|too|as well|anymore)\b/gi, '').trim().replace(/[?.!]+$/, '');
}

/**
 * Whether a "do you ... X?" question asks about goods (sell, carry, stock, have) rather than a service
 * (offer, do, provide, make; or a thing that reads as an activity: "financing", "gift wrapping").
 * Only a question about goods may get "we don't sell X"; a service is for the pages.
 */
export function asksForGoods(question: string): boolean {
  const verb = SELL_FORM.exec(question)?.[0].split(/\s+/).at(-1)?.toLowerCase() ?? '';
  const thing = thingAsked(question);
  const activity = /\w+(?:ing|ion|ment|ance|ence)\b/i.test(thing);
  // "Do you sell my email?" is about the shopper's own, not the store's goods.
  const theirs = /^(?:my|our|your|his|her|their)\b/i.test(thing);
  return ['sell', 'carry', 'stock', 'have', 'supply'].includes(verb) && !activity && !theirs;
}

/** An amount, as written: "1,000", "49.99", "12,5". Bounded, so that no message makes the pattern slow. */
const AMOUNT = '(\\d{1,7}(?:,\\d{3}){0,2}(?:[.,]\\d{1,2})?)';
const CURRENCY = '(?:\\$|€|£|usd|eur|gbp)';
/** Not a price when a unit follows ("under 12 months", "within 2 days", "up to 20 kg"). */
const NOT_A_UNIT = '(?!\\s{0,3}(?:[-+]|years?|yrs?|months?|mos?|weeks?|days?|hours?|kg|lbs?|cm|mm|in\\b|inch|pieces?|people|players?|cups?|ml|l\\b|litres?|liters?|gb|mah|w\\b))';
/** "Under 50", "less than $40", "max 100", "a budget of 80": the highest price asked. */
const WHOLE = '(?![.,]?\\d)';
const MAX_PRICE = new RegExp(`\\b(?:under|below|less than|cheaper than|at most|max(?:imum)?|up to|no more than|budget(?: of| is)?)\\s{0,3}${CURRENCY}?\\s{0,3}${AMOUNT}${WHOLE}${NOT_A_UNIT}`, 'i');
/** "Over 150", "at least 100", "from $40": the lowest price asked ("from" and "within" only with a currency). */
const MIN_PRICE = new RegExp(`\\b(?:(?:over|above|more than|at least|pricier than)\\s{0,3}${CURRENCY}?|from\\s{0,3}${CURRENCY})\\s{0,3}${AMOUNT}${WHOLE}${NOT_A_UNIT}`, 'i');
/** Prices are read in the first part of a message only: a question, not a document. */
const READ_CHARACTERS = 500;

export function priceLimits(question: string): { max?: number; min?: number } {
  const text = question.slice(0, READ_CHARACTERS);
  const max = numberOf(MAX_PRICE.exec(text)?.[1] ?? '');
  const min = numberOf(MIN_PRICE.exec(text)?.[1] ?? '');
  return { ...(Number.isFinite(max) ? { max } : {}), ...(Number.isFinite(min) ? { min } : {}) };
}

/** A short question that leans on the turn before ("and in navy?", "how much is it?"). */
const FOLLOW_UP = /^(and|what about|how about|also|ok(?:ay)?,? (?:and|what)|in)\b|\b(it|its|it's|this one|that one|they|them|those|this|that)\b/i;
/** Words in a follow-up at most: a longer message is a question of its own. */
const FOLLOW_UP_WORDS = 9;

export function isFollowUp(question: string): boolean {
  return FOLLOW_UP.test(question.trim()) && question.trim().split(/\s+/).length <= FOLLOW_UP_WORDS;
}

/** "Where is my order?", "my order hasn't arrived"…: a question for the order lookup or the order pages. */
const ORDER = /\b(where(?:'s| is) my (?:order|package|parcel|delivery|stuff)|track\w* (?:my )?(?:order|package|parcel)|order (?:status|number)|status of (?:my|an) order|my order (?:is|was|has|hasn'?t|still|never|didn'?t)|(?:hasn'?t|has not|didn'?t|did not|never|still not|not yet) (?:arrived|come|shown up|here|been delivered))\b/i;

export function isOrderQuestion(question: string): boolean {
  return ORDER.test(question);
}

/** An amount: a number or "free". */
export const ANY_AMOUNT = /\d|\bfree\b/i;
/** A question about money, answered by a price or "free". */
export const COST = /\b(?:how much (?:is|are|does|do|will|would|for|to|it|money|extra)|cost\w*|prices?|fees?|charges?|pay)\b/i;
export const MONEY = /[$€£]\s?\d|\d\s?(?:usd|eur|gbp|dollars?|euros?|pounds?)\b|\bfree\b/i;
/** A question about time, answered by a duration. */
export const TIME = /\bhow (?:long|soon|quickly|fast)\b|\bwhen\b/i;
export const DURATION = /\d+\s*(?:[-–]\s*\d+\s*)?(?:business |working )?(?:days?|weeks?|hours?|months?|minutes?)\b|\b(?:same|next)[ -]day\b/i;
