import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type AwsJsonService, AwsServiceError } from './aws-json-server';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './constants';

interface Secret {
  name: string;
  arn: string;
  value: string;
  versionId: string;
  createdDate: Date;
  lastChangedDate: Date;
}

export interface LocalSecretsManagerOptions {
  region?: string;
  accountId?: string;
}

/** Reads a secrets file: `{ "<secret ARN or name>": "<secret string>" }`. */
export function loadSecretsFile(path: string): Record<string, string> {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(parsed).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]),
  );
}

/**
 * Secrets Manager on one machine, from memory: GetSecretValue (what the functions' secrets reader sends:
 * `SecretId` only), DescribeSecret, PutSecretValue and CreateSecret. A secret is found by name, full
 * ARN or partial ARN (without the random suffix), as on AWS.
 */
export class LocalSecretsManager {
  private readonly secrets: Secret[] = [];
  readonly region: string;
  readonly accountId: string;

  /** `secrets` maps a secret's ARN or name to its secret string. */
  constructor(secrets: Record<string, string> = {}, options: LocalSecretsManagerOptions = {}) {
    this.region = options.region ?? LOCAL_REGION;
    this.accountId = options.accountId ?? LOCAL_ACCOUNT_ID;
    for (const [key, value] of Object.entries(secrets)) this.add(key, value);
  }

  /** GetSecretValue (AWSCURRENT only: no version history is kept). */
  getSecretValue(input: { SecretId: string; VersionId?: string; VersionStage?: string }) {
    const secret = this.find(input.SecretId);
    if (
      (input.VersionId && input.VersionId !== secret.versionId) ||
      (input.VersionStage && input.VersionStage !== 'AWSCURRENT')
    ) {
      throw new AwsServiceError(
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret value for the version",
      );
    }
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: secret.versionId,
      SecretString: secret.value,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: secret.lastChangedDate,
    };
  }

  /** DescribeSecret. */
  describeSecret(input: { SecretId: string }) {
    const secret = this.find(input.SecretId);
    return {
      ARN: secret.arn,
      Name: secret.name,
      CreatedDate: secret.createdDate,
      LastChangedDate: secret.lastChangedDate,
      VersionIdsToStages: { [secret.versionId]: ['AWSCURRENT'] },
    };
  }

  /** PutSecretValue: replaces the current value. */
  putSecretValue(input: { SecretId: string; SecretString?: string; ClientRequestToken?: string }) {
    if (input.SecretString === undefined) throw new AwsServiceError('InvalidParameterException', 'SecretString is required');
    const secret = this.find(input.SecretId);
    Object.assign(secret, {
      value: input.SecretString,
      versionId: input.ClientRequestToken ?? randomUUID(),
      lastChangedDate: new Date(),
    });
    return { ARN: secret.arn, Name: secret.name, VersionId: secret.versionId, VersionStages: ['AWSCURRENT'] };
  }

  /** CreateSecret. */
  createSecret(input: { Name: string; SecretString?: string }) {
    if (this.lookup(input.Name)) throw new AwsServiceError('ResourceExistsException', `The secret ${input.Name} already exists.`);
    const secret = this.add(input.Name, input.SecretString ?? '');
    return { ARN: secret.arn, Name: secret.name, VersionId: secret.versionId };
  }

  /** The Secrets Manager API (target prefix `secretsmanager`) for the JSON-protocol server. */
  apiOperations(): AwsJsonService {
    return {
      GetSecretValue: (i) => this.getSecretValue(i),
      DescribeSecret: (i) => this.describeSecret(i),
      PutSecretValue: (i) => this.putSecretValue(i),
      CreateSecret: (i) => this.createSecret(i),
    };
  }

  private add(key: string, value: string): Secret {
    const isArn = key.startsWith('arn:');
    const name = isArn ? nameFromArn(key) : key;
    // A stable suffix, so a secret keeps its ARN across restarts.
    const suffix = createHash('sha256').update(name).digest('base64url').replace(/[-_]/g, 'x').slice(0, 6);
    const arn = isArn ? key : `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:${name}-${suffix}`;
    const now = new Date();
    const secret: Secret = { name, arn, value, versionId: randomUUID(), createdDate: now, lastChangedDate: now };
    this.secrets.push(secret);
    return secret;
  }

  private lookup(secretId: string): Secret | undefined {
    return (
      this.secrets.find((s) => s.arn === secretId || s.name === secretId) ??
      // A partial ARN: the full ARN without its random suffix.
      (secretId.startsWith('arn:') ? this.secrets.find((s) => s.name === nameFromArn(secretId)) : undefined)
    );
  }

  private find(secretId: string | undefined): Secret {
    const secret = secretId ? this.lookup(secretId) : undefined;
    if (!secret) throw new AwsServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  }
}

/** The secret's name in its ARN, without the `-XXXXXX` suffix AWS appends when there is one. */
function nameFromArn(arn: string): string {
  const name = arn.slice(arn.indexOf(':secret:') + ':secret:'.length);
  return name.replace(/-[A-Za-z0-9]{6}$/, '');
}
