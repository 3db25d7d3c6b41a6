import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type {
  DeleteCommandInput,
  DeleteCommandOutput,
  GetCommandInput,
  GetCommandOutput,
  PutCommandInput,
  PutCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  UpdateCommandInput,
  UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { marshall, type NativeAttributeValue, unmarshall } from '@aws-sdk/util-dynamodb';
import { AwsError, type AwsJsonService, callAws } from './aws-json';

/**
 * DynamoDB with plain JavaScript values, as the SDK's document client (lib-dynamodb) gives them: the same
 * inputs as its Get, Put, Update, Query and Delete commands and the same outputs, over aws-json.ts.
 * Values are converted with the SDK's own marshall/unmarshall (undefined values dropped, as the document
 * client was configured).
 */

export const DYNAMODB: AwsJsonService = {
  target: 'DynamoDB_20120810',
  jsonVersion: '1.0',
  signingName: 'dynamodb',
  envName: 'DYNAMODB',
  endpointPrefix: 'dynamodb',
  // Binary values arrive base64-encoded; unmarshall wants their bytes. (An attribute named B or BS holds
  // an object, never a string or a list of strings, so only the type tags match.)
  revive: (key, value) =>
    key === 'B' && typeof value === 'string'
      ? Buffer.from(value, 'base64')
      : key === 'BS' && Array.isArray(value)
        ? value.map((v: unknown) => (typeof v === 'string' ? Buffer.from(v, 'base64') : v))
        : value,
};

type Item = Record<string, NativeAttributeValue>;
type WireItem = Record<string, AttributeValue>;
/** An output without the SDK's response metadata, which this client does not make. */
type Answer<T> = Omit<T, '$metadata'>;

const toWire = (item: Item | undefined): WireItem | undefined =>
  item === undefined ? undefined : marshall(item, { removeUndefinedValues: true });
const fromWire = (item: WireItem | undefined): Item | undefined => (item === undefined ? undefined : unmarshall(item));

/** Marshals the fields of an input that hold values. */
function request<T extends object>(input: T): object {
  const fields = input as { Key?: Item; Item?: Item; ExpressionAttributeValues?: Item; ExclusiveStartKey?: Item };
  return {
    ...input,
    ...(fields.Key && { Key: toWire(fields.Key) }),
    ...(fields.Item && { Item: toWire(fields.Item) }),
    ...(fields.ExpressionAttributeValues && { ExpressionAttributeValues: toWire(fields.ExpressionAttributeValues) }),
    ...(fields.ExclusiveStartKey && { ExclusiveStartKey: toWire(fields.ExclusiveStartKey) }),
  };
}

/** Calls one operation and unmarshals the fields of its answer that hold values. */
async function send<Output>(operation: string, input: object): Promise<Output> {
  let answer: { Item?: WireItem; Items?: WireItem[]; Attributes?: WireItem; LastEvaluatedKey?: WireItem };
  try {
    answer = await callAws(DYNAMODB, operation, request(input));
  } catch (error) {
    if (error instanceof AwsError && error.item) {
      Object.defineProperty(error, 'item', { value: fromWire(error.item as WireItem) });
    }
    throw error;
  }
  return {
    ...answer,
    ...(answer.Item && { Item: fromWire(answer.Item) }),
    ...(answer.Items && { Items: answer.Items.map((item) => fromWire(item)!) }),
    ...(answer.Attributes && { Attributes: fromWire(answer.Attributes) }),
    ...(answer.LastEvaluatedKey && { LastEvaluatedKey: fromWire(answer.LastEvaluatedKey) }),
  } as Output;
}

/** GetItem. */
export const getItem = (input: GetCommandInput) => send<Answer<GetCommandOutput>>('GetItem', input);
/** PutItem. */
export const putItem = (input: PutCommandInput) => send<Answer<PutCommandOutput>>('PutItem', input);
/** UpdateItem. */
export const updateItem = (input: UpdateCommandInput) => send<Answer<UpdateCommandOutput>>('UpdateItem', input);
/** DeleteItem. */
export const deleteItem = (input: DeleteCommandInput) => send<Answer<DeleteCommandOutput>>('DeleteItem', input);
/** Query: one page. */
export const queryItems = (input: QueryCommandInput) => send<Answer<QueryCommandOutput>>('Query', input);

/** Whether a write was refused by its condition. */
export const conditionFailed = (error: unknown): error is AwsError =>
  error instanceof AwsError && error.code === 'ConditionalCheckFailedException';
