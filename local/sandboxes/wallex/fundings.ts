import type { Reply, Router, SandboxRequest } from '../kit';
import type { NotificationSender } from './notifications';
import { invalid, notFound, ok } from './replies';
import type { FundingStatus, StoredFunding, StoredRefund, WallexStore } from './store';

/**
 * Fundings and refunds: read endpoints as the page documents them, and sandbox helpers that create one
 * or change its status and send its notification (`{fundingId, resource: 'funding', status}`,
 * `{refundId, resource: 'simple_payment', status}`), as Wallex does when money moves.
 */

const fundingView = ({ seq: _seq, ...funding }: StoredFunding) => funding;
// The page's refund object has no status; the sandbox keeps one for its notifications only.
const refundView = ({ status: _status, ...refund }: StoredRefund) => refund;

function listFundings(store: WallexStore, request: SandboxRequest): Reply {
  const status = request.query.status;
  if (status !== undefined && status !== 'completed' && status !== 'pending')
    return invalid('status must be completed or pending');
  const page = Number(request.query['pagination[page]'] ?? 1);
  if (!Number.isInteger(page) || page < 1) return invalid('pagination[page] must be a positive integer');
  const list = [...store.fundings.values()]
    .filter((f) => status === undefined || f.status === status)
    .sort((a, b) => b.seq - a.seq);
  return ok({ value: list.slice((page - 1) * 50, page * 50).map(fundingView) });
}

/** Test controls for fundings and refunds. */
export interface SandboxFundingControls {
  /** Creates a funding (default `pending`) and sends its notification. */
  createFunding(
    fields?: Partial<Pick<StoredFunding, 'currency' | 'amount' | 'reference' | 'status' | 'accountId'>>,
  ): StoredFunding;
  /** Changes a funding's status and sends its notification; false for an unknown id. */
  setFundingStatus(id: string, status: FundingStatus): boolean;
  /** Creates a refund (default `completed`) and sends its notification. */
  createRefund(fields?: Partial<Pick<StoredRefund, 'resourceId' | 'currency' | 'amount' | 'status'>>): StoredRefund;
  /** Every funding (copies). */
  fundings(): StoredFunding[];
}

/** Adds the funding and refund read routes and returns the helpers. */
export function addFundingRoutes(router: Router, store: WallexStore, notifications: NotificationSender): SandboxFundingControls {
  router
    .add('GET', '/v2/fundings', (request) => listFundings(store, request))
    .add('GET', '/v2/fundings/:fundingId', (request) => {
      const funding = store.fundings.get(request.params.fundingId ?? '');
      return funding ? ok(fundingView(funding)) : notFound();
    })
    .add('GET', '/v2/refunds', () => ok({ value: [...store.refunds.values()].map(refundView) }))
    .add('GET', '/v2/refunds/:refundId', (request) => {
      const refund = store.refunds.get(request.params.refundId ?? '');
      return refund ? ok(refundView(refund)) : notFound();
    });

  const notifyFunding = (funding: StoredFunding) =>
    notifications.send({ fundingId: funding.id, resource: 'funding', status: funding.status });

  return {
    createFunding: (fields = {}) => {
      const funding = store.addFunding(fields);
      notifyFunding(funding);
      return { ...funding };
    },
    setFundingStatus: (id, status) => {
      const funding = store.fundings.get(id);
      if (!funding) return false;
      funding.status = status;
      notifyFunding(funding);
      return true;
    },
    createRefund: (fields = {}) => {
      const refund = store.addRefund(fields);
      notifications.send({ refundId: refund.id, resource: 'simple_payment', status: refund.status });
      return { ...refund };
    },
    fundings: () => [...store.fundings.values()].map((f) => ({ ...f })),
  };
}
