import {
  type DurableSandboxOptions,
  DurableSchedule,
  type FaultConfig,
  gatewayReply,
  KeyedRateLimiter,
  openState,
  type Reply,
  Router,
  resetTraffic,
  type SandboxDurability,
  type SandboxRequest,
  SandboxState,
  type SandboxTrafficControls,
  savingAfterEachCall,
  startHttpSandbox,
  trafficControls,
} from '../kit';
import { addAccountRoutes } from './accounts';
import { addBankAccountRoutes } from './bank-accounts';
import { addWebhookRoutes, CallbackSender, type SandboxCallbackControls, type SandboxCallbackOptions } from './callbacks';
import {
  addConnectRoutes,
  addConnectSimulationRoutes,
  connectControls,
  connectGuard,
  isConnectPath,
  type SandboxConnectControls,
} from './connect';
import { MAX_DOCUMENT_BYTES } from './documents';
import { addProfileRoutes, DEFAULT_DOCUMENT_CHECK } from './profiles';
import { errorList, flatError, invalid, ok } from './replies';
import { SandboxRequestSigning, type SandboxSigningControls, type SandboxSigningOptions } from './signing';
import {
  addSimulationRoutes,
  type SandboxSimulationControls,
  type SandboxSimulationOptions,
  SandboxSimulations,
} from './simulations';
import {
  type AccountStatus,
  type StoredAccount,
  type StoredBankAccount,
  type StoredProfile,
  StraitsxStore,
  type VerificationMode,
  type VerificationStatus,
} from './store';

export { bankAccountDocument, setBankAccountStatus } from './bank-accounts';
export type { CallbackDelivery, WebhookEvent } from './callbacks';
export type { ConnectUserSeed, SandboxConnectControls } from './connect';
export type { SandboxSigningConfig } from './signing';
export type {
  AccountStatus,
  BankAccountStatus,
  StoredAccount,
  StoredBankAccount,
  StoredProfile,
  VerificationMode,
  VerificationStatus,
} from './store';

export interface StraitsxSandboxOptions
  extends SandboxSigningOptions,
    SandboxCallbackOptions,
    SandboxSimulationOptions,
    DurableSandboxOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /** The value every request must carry in `X-XFERS-APP-API-KEY`. */
  apiKey: string;
  faults?: FaultConfig;
  /** Requests per second per API key; the provider's sandbox allows 5. 0 turns the limit off. */
  ratePerSecond?: number;
  /** How new profiles are verified; default `verified` at once, as for a basic profile. */
  verification?: VerificationMode;
  /** The clock behind createdAt and updatedAt. */
  clock?: () => Date;
  /** Monotonic milliseconds behind the rate limit; a test can hold it still to make the limit exact. */
  rateClock?: () => number;
  /** Fetch the documents a profile or bank account links, as the provider does (default true). */
  fetchDocuments?: boolean;
}

/** A running StraitsX sandbox, with helpers for tests that are not part of the provider's HTTP API. */
export interface StraitsxSandbox
  extends SandboxTrafficControls,
    SandboxSigningControls,
    SandboxCallbackControls,
    SandboxSimulationControls,
    SandboxConnectControls,
    SandboxDurability {
  /** The base URL including `/v1`, as the provider's base URL is written. */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  stop(): Promise<void>;
  /** Every stored profile, oldest first (copies). */
  profiles(): StoredProfile[];
  /** Every stored virtual bank account, oldest first (copies). */
  virtualAccounts(): StoredAccount[];
  /** Every stored customer profile bank account, oldest first (copies). */
  bankAccounts(): StoredBankAccount[];
  /** Clears profiles, accounts, Connect users, the request log, faults, rate buckets, the verification mode, webhooks and simulations. */
  reset(): void;
  /** Decides the verificationStatus of profiles created from now on (CP+ profiles start `pending`). */
  setVerificationMode(mode: VerificationMode): void;
  /** Changes a profile's verificationStatus, as the provider's sandbox endpoint does (callback included); false if unknown. */
  setProfileStatus(id: string, status: VerificationStatus): boolean;
  /** Enables or disables an account (USD accounts start pending), with its callback; false if unknown. */
  setVirtualAccountStatus(id: string, status: AccountStatus): boolean;
}

const API_KEY_HEADER = 'x-xfers-app-api-key';

// An injected 500 answers like the provider; 502-504 come from the gateway in front of it, as plain text.
function faultReply(kind: 'error5xx' | 'rateLimit429', status: number): Reply {
  if (kind === 'rateLimit429') return flatError(429, 'STXE-9000', 'Rate Limit reached for requests');
  if (status === 500) return flatError(500, 'STXE-8000', 'Required operation failed');
  return gatewayReply(status);
}

/** Starts a StraitsX sandbox on 127.0.0.1 answering as the provider documents its API. */
export async function startStraitsxSandbox(options: StraitsxSandboxOptions): Promise<StraitsxSandbox> {
  const store = new StraitsxStore(options.clock);
  if (options.verification) store.verification = options.verification;
  // "5 TPS" (providers.md A.1): never more than 5 requests in any one second, bursts included.
  const limiter = new KeyedRateLimiter(options.ratePerSecond ?? 5, options.rateClock, 'window');
  const router = new Router().add('GET', '/v1/authorize/hello', () => ok({ msg: 'Hello world' }));
  const documentCheck = { ...DEFAULT_DOCUMENT_CHECK, fetchDocuments: options.fetchDocuments ?? true };
  addProfileRoutes(router, store, documentCheck);
  addAccountRoutes(router, store);
  addBankAccountRoutes(router, store, documentCheck);
  addConnectRoutes(router, store);
  const signing = new SandboxRequestSigning(options.clock ?? (() => new Date()), options.signing);
  const state = new SandboxState(options.dataDir);
  const callbacks = new CallbackSender(options);
  const schedule = new DurableSchedule(() => state.touch());
  callbacks.onChange = () => state.touch();
  const simulations = new SandboxSimulations(store, callbacks, schedule, options.clock, options);
  addWebhookRoutes(router, callbacks);
  addSimulationRoutes(router, simulations);
  addConnectSimulationRoutes(router, store);
  state.add('store', store).add('callbacks', callbacks).add('simulations', simulations).add('schedule', schedule);

  const guard = (request: SandboxRequest): Reply | undefined => {
    // The legacy Connect host authenticates the user's token instead (see connect.ts).
    if (isConnectPath(request.path)) return connectGuard(store, request, limiter);
    const key = request.headers[API_KEY_HEADER];
    if (typeof key !== 'string' || key === '') return flatError(401, 'STXE-1000', 'Missing API Key in Header');
    if (key !== options.apiKey) return flatError(401, 'STXE-1000', 'Invalid API Key');
    const unsigned = signing.check(request);
    if (unsigned) return unsigned;
    if (!limiter.tryTake(key)) return flatError(429, 'STXE-9000', 'Rate Limit reached for requests');
    if (request.bodyInvalid) return invalid('Request body is not valid JSON');
    return undefined;
  };

  const server = await startHttpSandbox({
    port: options.port,
    router,
    guard,
    faults: options.faults,
    faultReply,
    // The provider takes files inline (bank account proofs) up to its per-request limit.
    maxBodyBytes: MAX_DOCUMENT_BYTES,
    notFound: () => errorList(404, 'STXE-5000', 'Record Not Found'),
    onError: () => flatError(500, 'STXE-8000', 'Required operation failed'),
    afterChange: () => state.save(),
  });

  // Loaded once the server is up, so restored work never starts for a sandbox that failed to start.
  const durability = openState(state, options, [callbacks, schedule]);

  const sandbox: StraitsxSandbox = {
    url: `${server.origin}/v1`,
    origin: server.origin,
    port: server.port,
    stop: () => {
      // The last state is written before the pending work is cancelled, so a restart picks it up.
      state.close();
      callbacks.stop();
      schedule.cancel();
      return server.stop();
    },
    profiles: () => [...store.profiles.values()].map((p) => structuredClone(p)),
    virtualAccounts: () => [...store.accounts.values()].map((a) => ({ ...a })),
    bankAccounts: () => [...store.bankAccounts.values()].map((a) => ({ ...a })),
    reset: () => {
      store.reset();
      if (options.verification) store.verification = options.verification;
      resetTraffic(server, limiter);
      signing.reset();
      callbacks.reset();
      simulations.reset();
    },
    ...trafficControls(server, limiter),
    setVerificationMode: (mode) => {
      store.verification = mode;
    },
    setProfileStatus: (id, status) => simulations.setProfileStatus(id, status) !== undefined,
    setVirtualAccountStatus: (id, status) => simulations.setAccountStatus(id, status) !== undefined,
    ...signing.controls(),
    ...callbacks.controls(),
    ...simulations.controls(),
    ...connectControls(store, server.origin),
    ...durability,
  };
  // What a test changes through these controls is saved as a request's change would be.
  return savingAfterEachCall(sandbox, state, [
    'requests',
    'profiles',
    'virtualAccounts',
    'bankAccounts',
    'callbackDeliveries',
    'callbacksSettled',
    'stop',
  ]);
}
