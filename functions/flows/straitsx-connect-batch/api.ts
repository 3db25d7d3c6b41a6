import * as z from 'zod/mini';
import { requireEnv } from '../../shared/env';
import { presignPutUrl } from '../../shared/s3-objects';
import { toFieldErrors, ValidationFailed } from '../../shared/validation';
import { openBatch, takeManifest } from './intake';
import { uploadKey } from './store';

/** How long the presigned PUT for a manifest is valid. */
export const UPLOAD_URL_TTL_SECONDS = 900;

/**
 * `POST /migrations/connect/batches`: an empty body (or `{}`) opens a batch and answers a presigned PUT
 * for the manifest, taken when it lands; `{ "manifest": "<CSV or JSON Lines>" }` takes a small manifest
 * inline (the JSON body limit) and answers at once with the refused rows.
 */
export const batchRequestSchema = z.strictObject({
  manifest: z.optional(z.string().check(z.minLength(1, 'manifest must be the CSV or JSON Lines text of the batch'))),
});

export async function requestBatch(input: unknown) {
  // Not the text rules of a request's fields: a manifest is many lines, each row checked on its own later.
  const parsed = batchRequestSchema.safeParse(input ?? {});
  if (!parsed.success) throw new ValidationFailed(toFieldErrors(parsed.error));
  const { manifest } = parsed.data;
  const opened = await openBatch();
  if (manifest !== undefined) return { inline: true as const, state: await takeManifest(opened, manifest) };
  const uploadUrl = await presignPutUrl(requireEnv('BUCKET_NAME'), uploadKey(opened.batchId), UPLOAD_URL_TTL_SECONDS);
  return { inline: false as const, state: opened, uploadUrl };
}
