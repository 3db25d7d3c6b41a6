import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { StateMachine } from 'aws-local-stepfunctions';
import type { AslObject } from './definition';

/**
 * Distributed Map states, read from the definition: the interpreter only knows inline Maps, so each
 * Distributed Map is lowered to a Task with a resource only this service answers (see map-runs.ts).
 * The Task keeps what the interpreter does the same way for both (InputPath, ResultSelector,
 * ResultPath, OutputPath, Retry, Catch, Next/End); everything about items stays with the service.
 */

/** The resource of a lowered Distributed Map state. */
export const DISTRIBUTED_MAP_RESOURCE = 'arn:aws:states:::localMap:distributed';

/** Fields a Map state shares with a Task: the interpreter applies them around the map run. */
const KEPT = ['Type', 'Comment', 'InputPath', 'OutputPath', 'ResultPath', 'ResultSelector', 'Retry', 'Catch', 'Next', 'End'];

/** The definition with every Distributed Map lowered, and the original Map states by name. */
export function lowerDistributedMaps(definition: AslObject): { definition: AslObject; maps: Map<string, AslObject> } {
  const lowered = structuredClone(definition);
  const maps = new Map<string, AslObject>();
  const visit = (machine: AslObject | undefined) => {
    const states = (machine?.States ?? {}) as Record<string, AslObject>;
    for (const [name, state] of Object.entries(states)) {
      if (isDistributed(state)) {
        checkDistributedMap(name, state);
        maps.set(name, state);
        const task: AslObject = { Resource: DISTRIBUTED_MAP_RESOURCE };
        for (const key of KEPT) if (key in state) task[key] = state[key];
        task.Type = 'Task';
        states[name] = task;
        // Its ItemProcessor is a state machine of its own (the child executions'), registered apart.
        continue;
      }
      visit(state.ItemProcessor ?? state.Iterator);
      for (const branch of (state.Branches ?? []) as AslObject[]) visit(branch);
    }
  };
  visit(lowered);
  return { definition: lowered, maps };
}

/**
 * What CreateStateMachine refuses in a Distributed Map, refused when the machine is registered rather
 * than when an execution reaches the state: counts that are not whole numbers (a `"${Placeholder}"`
 * substituted as text stays a string), a percentage outside 0-100, readers it does not have.
 */
function checkDistributedMap(name: string, state: AslObject): void {
  const fail = (message: string) => {
    throw new Error(`Distributed Map ${name}: ${message}`);
  };
  const whole = (owner: AslObject | undefined, field: string) => {
    const value = owner?.[field];
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
      fail(`${field} must be a whole number of 0 or more, not ${JSON.stringify(value)}`);
    }
  };
  whole(state, 'MaxConcurrency');
  whole(state, 'ToleratedFailureCount');
  whole(state.ItemBatcher, 'MaxItemsPerBatch');
  whole(state.ItemBatcher, 'MaxInputBytesPerBatch');
  whole(state.ItemReader?.ReaderConfig, 'MaxItems');
  const percentage = state.ToleratedFailurePercentage;
  if (percentage !== undefined && !(typeof percentage === 'number' && percentage >= 0 && percentage <= 100)) {
    fail(`ToleratedFailurePercentage must be a number from 0 to 100, not ${JSON.stringify(percentage)}`);
  }
  const reader = state.ItemReader as AslObject | undefined;
  if (reader && !/:s3:(getObject|listObjectsV2)$/.test(String(reader.Resource))) {
    fail(`ItemReader resource ${reader.Resource} is not supported locally`);
  }
  const config = (reader?.ReaderConfig ?? {}) as AslObject;
  if (config.InputType !== undefined && !['CSV', 'JSON', 'JSONL'].includes(config.InputType)) {
    fail(`ReaderConfig InputType ${config.InputType} is not supported locally`);
  }
  if (config.CSVHeaderLocation === 'GIVEN' && !Array.isArray(config.CSVHeaders)) fail('CSVHeaderLocation GIVEN needs CSVHeaders');
  if (state.QueryLanguage === 'JSONata') fail('JSONata is not supported locally');
}

export function isDistributed(state: AslObject): boolean {
  return state.Type === 'Map' && state.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED';
}

/** The child state machine a Distributed Map runs each item (or batch) with. */
export function childDefinition(map: AslObject): AslObject {
  const { ProcessorConfig: _, ...processor } = map.ItemProcessor as AslObject;
  return processor;
}

/** The context object members the Map state's paths can read. */
export type MapContext = Record<string, unknown>;

/** Evaluates a payload template (`key.$` paths, intrinsics, `$$.` context) as Step Functions does, with a Pass state. */
export async function evaluate(template: unknown, input: unknown, context: MapContext): Promise<unknown> {
  const pass = passFor(JSON.stringify({ Parameters: template }));
  return pass.run(input as never, { context: context as never }).result;
}

/** The value at a JSONPath of the input (a Pass state's InputPath). */
export async function pathValue(path: string, input: unknown, context: MapContext): Promise<unknown> {
  const pass = passFor(JSON.stringify({ InputPath: path }));
  return pass.run(input as never, { context: context as never }).result;
}

const passes = new Map<string, StateMachine>();

function passFor(key: string): StateMachine {
  let machine = passes.get(key);
  if (!machine) {
    const state = { Type: 'Pass', End: true, ...JSON.parse(key) };
    machine = new StateMachine({ StartAt: 'Evaluate', States: { Evaluate: state } } as never, {
      validationOptions: { noValidate: true },
    });
    passes.set(key, machine);
  }
  return machine;
}

/** A number given either directly or by a path into the state's input (`MaxConcurrency` / `MaxConcurrencyPath`). */
export async function numberField(
  state: AslObject | undefined,
  field: string,
  input: unknown,
  context: MapContext,
): Promise<number | undefined> {
  if (!state) return undefined;
  if (typeof state[field] === 'number') return state[field];
  const path = state[`${field}Path`];
  if (typeof path !== 'string') return undefined;
  const value = await pathValue(path, input, context);
  if (typeof value !== 'number') throw runtimeError(`${field}Path ${path} does not point at a number`);
  return value;
}

/** The items of a Distributed Map: from its ItemReader in S3, or at ItemsPath in its input. */
export async function readItems(map: AslObject, input: unknown, context: MapContext, s3: () => S3Client): Promise<unknown[]> {
  const reader = map.ItemReader as AslObject | undefined;
  let items: unknown[];
  if (!reader) {
    const value = await pathValue(String(map.ItemsPath ?? '$'), input, context);
    if (!Array.isArray(value)) throw runtimeError(`ItemsPath ${map.ItemsPath ?? '$'} does not point at an array`);
    items = value;
  } else {
    const params = (await evaluate(reader.Parameters ?? {}, input, context)) as AslObject;
    items = await readFromS3(String(reader.Resource), params, (reader.ReaderConfig ?? {}) as AslObject, s3());
  }
  const max = await numberField(reader?.ReaderConfig, 'MaxItems', input, context);
  return max && max > 0 ? items.slice(0, max) : items;
}

async function readFromS3(resource: string, params: AslObject, config: AslObject, s3: S3Client): Promise<unknown[]> {
  if (/:s3:listObjectsV2$/.test(resource)) {
    const items: unknown[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ ...params, ContinuationToken: token } as never));
      for (const { Key, ETag, LastModified, Size, StorageClass } of page.Contents ?? []) {
        items.push({ Etag: ETag, Key, LastModified: LastModified?.toISOString(), Size, StorageClass });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return items;
  }
  if (!/:s3:getObject$/.test(resource)) throw runtimeError(`ItemReader resource ${resource} is not supported locally`);
  let text: string;
  try {
    const { Body } = await s3.send(new GetObjectCommand({ Bucket: params.Bucket, Key: params.Key, VersionId: params.VersionId }));
    text = (await Body?.transformToString('utf8')) ?? '';
  } catch (error) {
    throw Object.assign(new Error(`Reading s3://${params.Bucket}/${params.Key}: ${(error as Error).message}`), {
      name: 'States.ItemReaderFailed',
    });
  }
  switch (config.InputType ?? 'JSON') {
    case 'JSON': {
      const parsed = JSON.parse(text);
      if (!Array.isArray(parsed)) throw itemReaderError('the JSON object is not an array');
      return parsed;
    }
    case 'JSONL':
      return text
        .split(/\r?\n/)
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line));
    case 'CSV':
      return csvItems(text, config);
    default:
      throw itemReaderError(`InputType ${config.InputType} is not supported locally`);
  }
}

/** CSV rows as objects keyed by the header (the first row, or CSVHeaders); every value a string, as on AWS. */
function csvItems(text: string, config: AslObject): Record<string, string>[] {
  const delimiter =
    { COMMA: ',', PIPE: '|', SEMICOLON: ';', SPACE: ' ', TAB: '\t' }[String(config.CSVDelimiter ?? 'COMMA')] ?? ',';
  const rows = parseCsv(text, delimiter);
  const headers = config.CSVHeaderLocation === 'GIVEN' ? (config.CSVHeaders as string[]) : rows.shift();
  if (!headers?.length) throw itemReaderError('the CSV file has no header');
  return rows.map((row) => Object.fromEntries(headers.map((header, i) => [header, row[i] ?? ''])));
}

/** RFC 4180: quoted fields may hold the delimiter, line breaks and doubled quotes; empty lines are skipped. */
export function parseCsv(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endRow = () => {
    row.push(field);
    if (row.length > 1 || row[0] !== '') rows.push(row);
    row = [];
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
    } else field += c;
  }
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

/** Groups child inputs into batches by ItemBatcher's limits: `{ Items, BatchInput }` each. */
export function batches(items: unknown[], maxItems: number | undefined, maxBytes: number | undefined, batchInput: unknown) {
  const groups: unknown[][] = [];
  let current: unknown[] = [];
  const size = (group: unknown[]) => Buffer.byteLength(JSON.stringify({ Items: group, BatchInput: batchInput }));
  for (const item of items) {
    const full =
      current.length > 0 &&
      ((maxItems !== undefined && current.length >= maxItems) || (maxBytes !== undefined && size([...current, item]) > maxBytes));
    if (full) {
      groups.push(current);
      current = [];
    }
    current.push(item);
  }
  if (current.length > 0) groups.push(current);
  return groups.map((group) => ({ Items: group, ...(batchInput === undefined ? {} : { BatchInput: batchInput }) }));
}

function itemReaderError(message: string): Error {
  return Object.assign(new Error(message), { name: 'States.ItemReaderFailed' });
}

function runtimeError(message: string): Error {
  return Object.assign(new Error(message), { name: 'States.Runtime' });
}
