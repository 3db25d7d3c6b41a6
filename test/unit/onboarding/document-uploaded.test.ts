import type { S3Event } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/handlers/document-uploaded';
import { lambdaContext } from '../../../local/api';

const event = (key: string) => ({ Records: [{ eventName: 'ObjectCreated:Put', s3: { object: { key } } }] }) as unknown as S3Event;

describe('document-uploaded handler', () => {
  it('skips an object key whose encoding is malformed instead of failing the notification', async () => {
    await expect(handler(event('documents/%E0%A4%A'), lambdaContext('document-uploaded'))).resolves.toBeUndefined();
  });
});
