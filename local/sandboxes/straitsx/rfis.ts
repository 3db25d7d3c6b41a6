import { randomUUID } from 'node:crypto';
import { isoSeconds } from './store';

/**
 * Requests for information (RFI) on a customer profile, as the sandbox's "Simulate RFI Questions"
 * endpoint creates them: status `sent`, questions numbered from 1 and pending, and a progress summary.
 */

export type RfiStatus = 'sent' | 'received' | 'completed' | 'expired';
type ReplyType = 'TEXT' | 'DOC' | 'CHECKBOX';

interface RfiQuestion {
  id: number;
  question: string;
  optional: boolean;
  replyType: ReplyType;
  questionStatus: 'pending' | 'submitted' | 'accepted' | 'rejected';
  requiresAction: boolean;
  checkboxOptions?: string[];
}

export interface StoredRfi {
  id: string;
  profileId: string;
  status: RfiStatus;
  createdAt: Date;
  expiresAt: Date;
  questions: RfiQuestion[];
}

const DAY_MS = 86_400_000;
/** Used when the request names no expiryDays; the reference gives no default, its callback sample shows 14. */
const DEFAULT_EXPIRY_DAYS = 14;
const REPLY_TYPES: readonly string[] = ['TEXT', 'DOC', 'CHECKBOX'];

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

const isText = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/** Reads `data.attributes` of the simulate request into an RFI; a string is the validation error. */
export function readRfiRequest(body: unknown, profileId: string, now: Date): StoredRfi | string {
  const attributes = record(record(record(body)?.data)?.attributes);
  if (!attributes) return 'data.attributes is missing';
  const { questions, expiryDays = DEFAULT_EXPIRY_DAYS } = attributes;
  if (!Array.isArray(questions) || questions.length === 0) return 'questions must be a non-empty array';
  if (typeof expiryDays !== 'number' || !Number.isInteger(expiryDays) || expiryDays < 1) {
    return 'expiryDays must be a positive integer';
  }
  const read: RfiQuestion[] = [];
  for (const [index, raw] of questions.entries()) {
    const at = `questions[${index}]`;
    const q = record(raw);
    if (!q) return `${at} must be an object`;
    if (!isText(q.text)) return `${at}.text is missing`;
    if (typeof q.type !== 'string' || !REPLY_TYPES.includes(q.type)) return `${at}.type must be TEXT, DOC or CHECKBOX`;
    if (typeof q.required !== 'boolean') return `${at}.required must be true or false`;
    const options = q.options;
    if (q.type === 'CHECKBOX' && (!Array.isArray(options) || options.length === 0 || !options.every(isText))) {
      return `${at}.options must list the choices of a CHECKBOX question`;
    }
    read.push({
      id: index + 1,
      question: q.text,
      optional: !q.required,
      replyType: q.type as ReplyType,
      questionStatus: 'pending',
      // The reference's example marks optional questions as needing action too.
      requiresAction: true,
      ...(q.type === 'CHECKBOX' ? { checkboxOptions: options as string[] } : {}),
    });
  }
  return {
    id: `rfi_request_${randomUUID()}`,
    profileId,
    status: 'sent',
    createdAt: now,
    expiresAt: new Date(now.getTime() + expiryDays * DAY_MS),
    questions: read,
  };
}

/** The RFI in the provider's envelope (the same shape as the cpRfiStatusUpdated callback). */
export function rfiDocument(rfi: StoredRfi, now: Date) {
  const left = rfi.expiresAt.getTime() - now.getTime();
  const count = (status: RfiQuestion['questionStatus']) => rfi.questions.filter((q) => q.questionStatus === status).length;
  const accepted = count('accepted');
  return {
    data: {
      id: rfi.id,
      type: 'rfiRequest',
      attributes: {
        customerProfileId: rfi.profileId,
        activeRfiRequest: {
          createdAt: isoSeconds(rfi.createdAt),
          status: rfi.status,
          rfiQuestions: rfi.questions.map((q) => ({ ...q })),
        },
        rfiProgressSummary: {
          expiryDate: isoSeconds(rfi.expiresAt),
          daysUntilExpiry: Math.max(0, Math.ceil(left / DAY_MS)),
          daysExpired: Math.max(0, Math.floor(-left / DAY_MS)),
          completionPercentage: Math.floor((accepted / rfi.questions.length) * 100),
          totalQuestions: rfi.questions.length,
          acceptedQuestions: accepted,
          pendingQuestions: count('pending'),
          rejectedQuestions: count('rejected'),
        },
      },
    },
  };
}
