import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { formatCounts, migrateConnectBatch } from './migrate-batch';
import type { Runtime } from './runtime';

/** The users of the demo batch: what each should end as. */
const USERS = [
  { expect: 'MIGRATED' },
  { expect: 'MIGRATED' },
  { expect: 'MIGRATED' },
  { expect: 'MISMATCH', breakMigration: true },
  { expect: 'NEEDS_ATTENTION', revoke: true },
] as const;

/**
 * The demo's batch: five legacy Connect users at the StraitsX sandbox (one whose account number does not
 * carry over, one whose token was revoked), migrated with one manifest as `migrate connect` does; prints
 * the report. True when every user ended as expected.
 */
export async function runBatchDemo(runtime: Runtime, print: (line: string) => void): Promise<boolean> {
  const dir = mkdtempSync(join(tmpdir(), 'batch-demo-'));
  try {
    const lines = ['merchant_ref,user_api_token,customer.registrationType,customer.customerName,customer.registrationId'];
    for (const [i, user] of USERS.entries()) {
      const merchantRef = `demo-batch-${Date.now().toString(36)}-${i}`;
      const userApiToken = `tok_${randomBytes(18).toString('base64url')}`;
      runtime.straitsx.addConnectUser({
        userApiToken,
        merchantRef,
        phoneNo: `+65 9${String(randomInt(0, 10_000_000)).padStart(7, '0')}`,
        breakMigration: 'breakMigration' in user,
      });
      if ('revoke' in user) runtime.straitsx.revokeConnectUser(userApiToken);
      lines.push(
        `${merchantRef},${userApiToken},personal,Demo User ${i + 1},S${String(randomInt(0, 10_000_000)).padStart(7, '0')}D`,
      );
    }
    const file = join(dir, 'users.csv');
    writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
    const final = await migrateConnectBatch(runtime.apiUrl, file, () => {}, 250);
    print('');
    print(`Connect migration batch ${final.batchId}: ${final.status}`);
    if (final.status !== 'COMPLETED') return false;
    const s3 = new S3Client({});
    const { Body } = await s3.send(
      new GetObjectCommand({ Bucket: runtime.env.BUCKET_NAME, Key: `migration-batches/${final.batchId}/report.csv` }),
    );
    const csv = (await Body!.transformToString()).trimEnd().split('\n');
    const cells = csv.map((line) => line.split(','));
    const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
    for (const row of cells)
      print(
        `  ${row
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd()}`,
      );
    print(formatCounts(final.counts));
    const outcomes = csv.slice(1).map((line) => line.split(',')[3]);
    return USERS.every((user, i) => outcomes[i] === user.expect);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
