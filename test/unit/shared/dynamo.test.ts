import { describe, expect, it } from 'vitest';
import { conditionFailed, deleteItem, getItem, putItem, queryItems, updateItem } from '../../../functions/shared/dynamo';
import { useLocalDynamo } from '../local-dynamo';

/** The document layer against dynalite: what is written comes back as it was, conditions hold. */

const TABLE = 'dynamo-layer-test';
useLocalDynamo(TABLE);

describe('DynamoDB through the document layer', () => {
  it('reads back what it wrote: strings, numbers, booleans, null, lists, maps, sets and bytes; undefined dropped', async () => {
    const item = {
      pk: 'ONB#1',
      sk: 'RECORD',
      version: 3,
      ratio: 0.25,
      open: true,
      closed: null,
      timeline: [{ step: 'create', at: '2026-01-15T10:00:00.000Z' }],
      providerIds: { profileId: 'cp_1', nested: { deep: [1, 'two'] } },
      tags: new Set(['a', 'b']),
      blob: new Uint8Array([0, 1, 255]),
      retry: undefined,
    };
    await putItem({ TableName: TABLE, Item: item });
    const { Item } = await getItem({ TableName: TABLE, Key: { pk: 'ONB#1', sk: 'RECORD' }, ConsistentRead: true });
    const { retry: _retry, blob: _blob, ...rest } = item;
    expect(Item).toEqual({ ...rest, blob: expect.any(Uint8Array) });
    expect([...(Item?.blob as Uint8Array)]).toEqual([0, 1, 255]);
    expect(Item).not.toHaveProperty('retry');
  });

  it('answers no Item for a key that is not there', async () => {
    expect((await getItem({ TableName: TABLE, Key: { pk: 'nothing', sk: 'here' } })).Item).toBeUndefined();
  });

  it('refuses a write whose condition fails, as ConditionalCheckFailedException, and keeps the item', async () => {
    await putItem({ TableName: TABLE, Item: { pk: 'ONB#2', sk: 'RECORD', version: 1 } });
    const error = await putItem({
      TableName: TABLE,
      Item: { pk: 'ONB#2', sk: 'RECORD', version: 2 },
      ConditionExpression: '#version = :version',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':version': 0 },
    }).catch((e: unknown) => e);
    expect(conditionFailed(error)).toBe(true);
    expect((error as Error).name).toBe('ConditionalCheckFailedException');
    expect((await getItem({ TableName: TABLE, Key: { pk: 'ONB#2', sk: 'RECORD' } })).Item?.version).toBe(1);
  });

  it('updates with expression values and returns the new attributes', async () => {
    const { Attributes } = await updateItem({
      TableName: TABLE,
      Key: { pk: 'RATE#x', sk: 'DAY' },
      UpdateExpression: 'ADD #count :one SET expiresAt = if_not_exists(expiresAt, :expires)',
      ExpressionAttributeNames: { '#count': 'count' },
      ExpressionAttributeValues: { ':one': 1, ':expires': 1_768_471_200 },
      ReturnValues: 'ALL_NEW',
    });
    expect(Attributes).toEqual({ pk: 'RATE#x', sk: 'DAY', count: 1, expiresAt: 1_768_471_200 });
  });

  it('queries page by page, handing LastEvaluatedKey back as ExclusiveStartKey', async () => {
    for (const n of [1, 2, 3]) await putItem({ TableName: TABLE, Item: { pk: 'AUDIT#1', sk: `2026-01-0${n}`, n } });
    const seen: unknown[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    let pages = 0;
    do {
      const page = await queryItems({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'AUDIT#1' },
        Limit: 2,
        ExclusiveStartKey,
      });
      seen.push(...(page.Items ?? []).map((item) => item.n));
      ExclusiveStartKey = page.LastEvaluatedKey;
      pages++;
    } while (ExclusiveStartKey);
    expect(seen).toEqual([1, 2, 3]);
    expect(pages).toBeGreaterThan(1);
  });

  it('deletes an item', async () => {
    await putItem({ TableName: TABLE, Item: { pk: 'PACE#1', sk: 'SLOT', slot: 5 } });
    await deleteItem({ TableName: TABLE, Key: { pk: 'PACE#1', sk: 'SLOT' } });
    expect((await getItem({ TableName: TABLE, Key: { pk: 'PACE#1', sk: 'SLOT' }, ConsistentRead: true })).Item).toBeUndefined();
  });
});
