import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { resetAwsClients } from '../../functions/shared/aws';
import { type AwsJsonService, AwsServiceError, startAwsJsonServer } from '../../local/cloud/aws-json-server';

/**
 * AWS's JSON-protocol services as a test scripts them, on loopback: the functions' own client signs,
 * sends and parses for real, and a test says what each operation answers and reads what was asked.
 * DynamoDB's values are unmarshalled on the way in and marshalled on the way out, so a test reads and
 * writes plain values, as the functions do.
 */

// Inputs and answers are each operation's own shapes; each handler names the fields it reads.
type Input = Record<string, any>;
type Handler = (input: any) => unknown;

interface Rule {
  match?: Record<string, unknown>;
  once: Handler[];
  handler?: Handler;
}

/** What an operation answers: chained like aws-sdk-client-mock's behaviours. */
export interface Behaviour {
  resolves(output: unknown): Behaviour;
  resolvesOnce(output: unknown): Behaviour;
  /** An AWS error answer: `code` is the `__type`, as AWS names it (`ExecutionDoesNotExist`, ...). */
  rejects(code: string, message?: string, status?: number): Behaviour;
  callsFake(handler: Handler): Behaviour;
  /** Scripts another operation (or another match) of the same service. */
  on(operation: string, match?: Record<string, unknown>): Behaviour;
}

const matches = (input: Record<string, unknown>, match: Record<string, unknown>) =>
  Object.entries(match).every(([key, value]) => JSON.stringify(input[key]) === JSON.stringify(value));

/** One service's scripted operations and the calls it received. */
export class FakeService {
  private readonly rules = new Map<string, Rule[]>();
  private readonly received: { operation: string; input: Record<string, unknown> }[] = [];

  constructor(private readonly codec: { in: Handler; out: Handler } = { in: (i) => i, out: (o) => o }) {}

  /** Scripts an operation; with `match`, only for inputs whose named fields are equal to it (and before the rest). */
  on(operation: string, match?: Record<string, unknown>): Behaviour {
    const rules = this.rules.get(operation) ?? [];
    this.rules.set(operation, rules);
    const key = JSON.stringify(match);
    let rule = rules.find((r) => JSON.stringify(r.match) === key);
    if (!rule) {
      rule = { match, once: [] };
      rules.push(rule);
    }
    const current = rule;
    const behaviour: Behaviour = {
      resolves: (output) => behaviour.callsFake(() => structuredClone(output)),
      resolvesOnce: (output) => {
        current.once.push(() => structuredClone(output));
        return behaviour;
      },
      rejects: (code, message = code, status = 400) =>
        behaviour.callsFake(() => {
          throw new AwsServiceError(code, message, status);
        }),
      callsFake: (handler) => {
        current.handler = handler;
        return behaviour;
      },
      on: (next, nextMatch) => this.on(next, nextMatch),
    };
    return behaviour;
  }

  /** The inputs received, in order, of one operation or of all. */
  calls(operation?: string): Input[] {
    return this.received.filter((call) => operation === undefined || call.operation === operation).map((call) => call.input);
  }

  /** Forgets the script and the calls. */
  reset(): void {
    this.rules.clear();
    this.received.length = 0;
  }

  async handle(operation: string, wire: Record<string, unknown>): Promise<unknown> {
    const input = this.codec.in(wire) as Record<string, unknown>;
    this.received.push({ operation, input: structuredClone(input) });
    const rules = this.rules.get(operation) ?? [];
    const rule =
      rules.findLast((r) => r.match !== undefined && matches(input, r.match)) ?? rules.find((r) => r.match === undefined);
    const handler = rule?.once.shift() ?? rule?.handler;
    // Unscripted operations answer an empty body, as a client mock answers undefined.
    return this.codec.out((await handler?.(input)) ?? {});
  }
}

const VALUE_FIELDS = ['Key', 'Item', 'ExpressionAttributeValues', 'ExclusiveStartKey', 'Attributes', 'LastEvaluatedKey'];

/** DynamoDB's wire values, converted both ways. */
const dynamoCodec = {
  in: (wire: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(wire).map(([key, value]) => [key, VALUE_FIELDS.includes(key) ? unmarshall(value as never) : value]),
    ),
  out: (output: Record<string, unknown>) =>
    Object.fromEntries(
      Object.entries(output).map(([key, value]) => [
        key,
        key === 'Items'
          ? (value as Record<string, unknown>[]).map((item) => marshall(item, { removeUndefinedValues: true }))
          : VALUE_FIELDS.includes(key) && value !== undefined
            ? marshall(value as Record<string, unknown>, { removeUndefinedValues: true })
            : value,
      ]),
    ),
};

export interface AwsFake {
  readonly dynamo: FakeService;
  readonly sfn: FakeService;
  readonly events: FakeService;
  readonly secrets: FakeService;
  /** Clears every script and call. */
  reset(): void;
  stop(): Promise<void>;
}

const ENDPOINT_VARIABLES = ['DYNAMODB', 'SFN', 'EVENTBRIDGE', 'SECRETS_MANAGER'].map((name) => `AWS_ENDPOINT_URL_${name}`);

/** Starts the fake and points the functions' AWS endpoints (and stand-in credentials) at it. */
export async function startAwsFake(): Promise<AwsFake> {
  const dynamo = new FakeService(dynamoCodec);
  const sfn = new FakeService();
  const events = new FakeService();
  const secrets = new FakeService();
  const serviceOf = (fake: FakeService): AwsJsonService =>
    new Proxy({}, { get: (_, operation) => (input: Record<string, unknown>) => fake.handle(String(operation), input) });
  const server = await startAwsJsonServer({
    services: {
      DynamoDB_20120810: serviceOf(dynamo),
      AWSStepFunctions: serviceOf(sfn),
      AWSEvents: serviceOf(events),
      secretsmanager: serviceOf(secrets),
    },
    onError: (error) => console.error('aws fake:', error),
  });
  const saved = Object.fromEntries(
    [...ENDPOINT_VARIABLES, 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'].map((name) => [name, process.env[name]]),
  );
  for (const name of ENDPOINT_VARIABLES) process.env[name] = server.endpoint;
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    AWS_REGION: 'ap-southeast-1',
  });
  resetAwsClients();
  return {
    dynamo,
    sfn,
    events,
    secrets,
    reset() {
      for (const fake of [dynamo, sfn, events, secrets]) fake.reset();
    },
    async stop() {
      await server.stop();
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      resetAwsClients();
    },
  };
}
