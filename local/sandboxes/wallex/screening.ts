import type { DurableSchedule, Reply, Router, SandboxRequest } from '../kit';
import type { NotificationSender } from './notifications';
import { message, notFound, ok } from './replies';
import { missingFields, type StoredUser, type UserStatus, type WallexStore } from './store';

/**
 * KYC screening as the newer docs describe it: `POST /v2/users/:userId/screen` moves the user to
 * `pending_approval`, compliance reviews, and the outcome arrives by the user notification. The sandbox
 * decides after `delayMs`, by `outcome(user)`; by default from the last name, so a demo can steer it:
 * one starting with "Reject" is rejected, "Resubmit" asked for documents again, "Pending" never decided
 * (for timeouts); anyone else approved.
 */

/** What a screening can end in; `pending_approval` means it stays undecided. */
export type ScreeningOutcome =
  | 'approved'
  | 'rejected'
  | 'document_needs_resubmission'
  | 'withdrawn'
  | 'terminated'
  | 'closed'
  | 'pending_approval';

export interface ScreeningOptions {
  outcome?: (user: Readonly<Pick<StoredUser, 'id' | 'email' | 'firstName' | 'lastName' | 'screenings'>>) => ScreeningOutcome;
  /** Milliseconds from the screening call to the verdict. Default 30. */
  delayMs?: number;
}

/** The default rule: by the start of the last name. */
export function outcomeByLastName(user: Pick<StoredUser, 'lastName'>): ScreeningOutcome {
  const name = user.lastName.toLowerCase();
  if (name.startsWith('reject')) return 'rejected';
  if (name.startsWith('resubmit')) return 'document_needs_resubmission';
  if (name.startsWith('pending')) return 'pending_approval';
  return 'approved';
}

const REMARKS: Partial<Record<string, string>> = {
  rejected: 'The application did not pass screening.',
  document_needs_resubmission: 'Please upload a clearer copy of the identity document.',
};

// A user can be (re)screened from these; pending_approval answers as before, anything else is final.
const SCREENABLE = new Set<UserStatus>(['pending', 'document_needs_resubmission']);

/** The scheduled task that gives a screening's verdict. */
const VERDICT = 'wallex.screening-verdict';

/** Screening state: verdicts on a durable schedule, cancelled on reset and stop. */
export class Screening {
  constructor(
    private readonly store: WallexStore,
    private readonly notifications: NotificationSender,
    private readonly schedule: DurableSchedule,
    private readonly options: ScreeningOptions = {},
  ) {
    schedule.on<{ userId: string; outcome: ScreeningOutcome }>(VERDICT, ({ userId, outcome }) => {
      // Only a user still under review gets the verdict (an operator may have decided meanwhile).
      if (this.store.users.get(userId)?.status === 'pending_approval') this.setStatus(userId, outcome);
    });
  }

  /** Sets a user's status as Wallex's compliance team would, and notifies; false for an unknown user. */
  setStatus(userId: string, status: UserStatus): boolean {
    const user = this.store.users.get(userId);
    if (!user) return false;
    user.status = status;
    const remarks = REMARKS[status];
    if (remarks) user.remarks = remarks;
    else delete user.remarks;
    this.notifications.send({ resource: 'user', resourceId: user.id, status });
    return true;
  }

  private screen(request: SandboxRequest): Reply {
    const user = this.store.users.get(request.params.userId ?? '');
    if (!user) return notFound();
    if (user.status === 'pending_approval') return ok({ userId: user.id, status: user.status });
    if (!SCREENABLE.has(user.status)) return message(400, 'user has already been screened');
    const missing = missingFields(user.detail);
    if (missing.length > 0) return message(400, 'user detail is incomplete', { missing_fields: missing });
    if (!this.store.documentsOf(user.id).some((doc) => doc.body !== undefined))
      return message(400, 'no document has been uploaded');

    user.screenings += 1;
    this.setStatus(user.id, 'pending_approval');
    const outcome = (this.options.outcome ?? outcomeByLastName)(user);
    if (outcome !== 'pending_approval') this.schedule.after(VERDICT, { userId: user.id, outcome }, this.options.delayMs ?? 30);
    return ok({ userId: user.id, status: 'pending_approval' });
  }

  /** Adds `POST /v2/users/:userId/screen`. */
  addRoutes(router: Router): void {
    router.add('POST', '/v2/users/:userId/screen', (request) => this.screen(request));
  }

  /** Cancels every verdict not yet given. */
  cancel(): void {
    this.schedule.cancel();
  }
}
