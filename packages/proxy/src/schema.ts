import { LIMITS, type FeedbackRequest, type HandoffRequest, type SendMessageRequest } from '@concierge/core';
import { z } from 'zod';
import { HttpError } from './http-error';

/** Thread ids are opaque: letters, digits and `._:-`, up to 128 characters. */
export const threadIdSchema = z
  .string({ error: 'must be a string' })
  .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1–128 letters, digits, ".", "_", ":" or "-"');

const metadataValue = z.union([z.string().max(1000), z.number(), z.boolean(), z.null()], {
  error: 'values must be strings (up to 1,000 characters), numbers, booleans or null',
});

export const sendMessageSchema = z.strictObject(
  {
    message: z
      .string({ error: 'is required and must be a string' })
      .trim()
      .min(1, 'cannot be empty')
      .max(LIMITS.messageMaxLength, `can be at most ${LIMITS.messageMaxLength} characters`),
    threadId: threadIdSchema.optional(),
    locale: z
      .string({ error: 'must be a string' })
      .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as "en" or "fr-CA"')
      .max(35, 'must be a language tag such as "en" or "fr-CA"')
      .optional(),
    pageUrl: z
      .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
      .max(2048, 'can be at most 2,048 characters')
      .optional(),
    metadata: z
      .record(z.string().max(100, 'keys can be at most 100 characters'), metadataValue, {
        error: 'must be an object',
      })
      .refine((value) => Object.keys(value).length <= 32, 'can have at most 32 keys')
      .refine(
        (value) => new TextEncoder().encode(JSON.stringify(value)).length <= LIMITS.metadataMaxBytes,
        `can be at most ${LIMITS.metadataMaxBytes} bytes as JSON`,
      )
      .optional(),
    stream: z.boolean({ error: 'must be true or false' }).optional(),
    faqId: z.number({ error: 'must be a number' }).int('must be a whole number').positive('must be positive').optional(),
    externalUserId: z
      .string({ error: 'must be a string' })
      .regex(/^[\w.@:+-]{1,128}$/, 'must be 1–128 letters, digits or "_.@:+-"')
      .optional(),
    newConversation: z.boolean({ error: 'must be true or false' }).optional(),
    agentMode: z.boolean({ error: 'must be true or false' }).optional(),
    channel: z.enum(['api', 'sms', 'whatsapp'], { error: 'must be one of api, sms, whatsapp' }).optional(),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? undefined : 'must be a JSON object') },
);

const pageUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
  .max(2048, 'can be at most 2,048 characters');
const jsonObject = { error: (issue: { code: string }) => (issue.code === 'unrecognized_keys' ? undefined : 'must be a JSON object') };

export const feedbackSchema = z.strictObject(
  {
    threadId: z.string({ error: 'is required' }).pipe(threadIdSchema),
    messageId: z.string({ error: 'is required' }).pipe(threadIdSchema),
    rating: z.enum(['up', 'down'], { error: 'must be "up" or "down"' }),
    comment: z.string({ error: 'must be a string' }).trim().max(1000, 'can be at most 1,000 characters').optional(),
  },
  jsonObject,
);

export const handoffSchema = z.strictObject(
  {
    threadId: threadIdSchema.optional(),
    email: z
      .string({ error: 'is required' })
      .trim()
      .max(254, 'can be at most 254 characters')
      .pipe(z.email({ error: 'must be an email address such as name@example.com' })),
    note: z.string({ error: 'must be a string' }).trim().max(2000, 'can be at most 2,000 characters').optional(),
    pageUrl: pageUrl.optional(),
  },
  jsonObject,
);

/**
 * Validates a parsed body; throws a 400 {@link HttpError} naming the first bad field.
 */
export function parseSendMessage(body: unknown): SendMessageRequest {
  return parseBody(sendMessageSchema, body);
}

export function parseFeedback(body: unknown): FeedbackRequest {
  const feedback = parseBody(feedbackSchema, body);
  // An empty comment is no comment.
  if (!feedback.comment) delete feedback.comment;
  return feedback;
}

export function parseHandoff(body: unknown): HandoffRequest {
  const handoff = parseBody(handoffSchema, body);
  if (!handoff.note) delete handoff.note;
  return handoff;
}

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const field = issue.keys[0]!;
    return fail(field, `Unknown field "${field}".`);
  }
  const field = issue.path.map(String).join('.') || 'body';
  return fail(field, `${field} ${issue.message}.`);
}

function fail(field: string, message: string): never {
  throw new HttpError(400, 'invalid_request', message, { field });
}

/** Query of `GET /product-faqs`, with the vendor's parameter names. */
export const productFaqsQuerySchema = z.object({
  page_url: z
    .url({ protocol: /^https?$/, error: 'is required and must be an http or https URL' })
    .max(2048, 'can be at most 2,048 characters'),
  locale: z
    .string()
    .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'must be a language tag such as "en" or "fr-CA"')
    .max(35, 'must be a language tag such as "en" or "fr-CA"')
    .default('en'),
  count: z
    .string()
    .regex(/^\d{1,2}$/, 'must be a whole number from 1 to 10')
    .transform(Number)
    .refine((count) => count >= 1 && count <= 10, 'must be a whole number from 1 to 10')
    .default(5),
});

/** Validates the product-FAQs query string; throws a 400 {@link HttpError} naming the parameter. */
export function parseProductFaqsQuery(search: URLSearchParams): { pageUrl: string; locale: string; count: number } {
  const raw = Object.fromEntries([...search].filter(([key]) => ['page_url', 'locale', 'count'].includes(key)));
  const result = productFaqsQuerySchema.safeParse(raw);
  if (result.success) return { pageUrl: result.data.page_url, locale: result.data.locale, count: result.data.count };
  const issue = result.error.issues[0]!;
  const field = issue.path.map(String).join('.') || 'query';
  return fail(field, `${field} ${issue.message}.`);
}
