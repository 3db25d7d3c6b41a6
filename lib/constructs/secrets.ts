import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { descriptorOf, PROVIDERS, type ProviderName } from '../../functions/providers/registry';

/** Providers whose credentials the stack keeps, one secret each: every provider in the registry. */
export const SECRET_PROVIDERS = PROVIDERS;
export type SecretProvider = ProviderName;

/** Props of {@link ProviderSecrets}. */
export interface ProviderSecretsProps {
  /** Prefix of the secret names, normally the stack name: `<prefix>/providers/straitsx`. */
  readonly namePrefix: string;
  /** The customer-managed key the secrets are encrypted with. */
  readonly key: IKey;
}

/**
 * The provider credentials and the platform secret. Values never appear in the template or in an
 * environment variable: functions get the ARN (`*_SECRET_ARN`) and read the value at run time.
 */
export class ProviderSecrets extends Construct {
  /** One secret per provider; the operator puts the provider-issued credentials in after deploy. */
  readonly providers: Readonly<Record<SecretProvider, Secret>>;
  /** Holds `idKey`, the HMAC key that derives onboarding ids from business keys. */
  readonly platform: Secret;

  constructor(scope: Construct, id: string, props: ProviderSecretsProps) {
    super(scope, id);
    const providers = {} as Record<SecretProvider, Secret>;
    for (const provider of SECRET_PROVIDERS) {
      const secret = new Secret(this, `Provider-${provider}`, {
        secretName: `${props.namePrefix}/providers/${provider}`,
        description: `${provider} credentials, set after deploy: ${descriptorOf(provider).secretShape}. The generated value is a placeholder.`,
        encryptionKey: props.key,
        // A random placeholder under a field no adapter reads: until the operator sets the real
        // credentials, a step fails with a configuration error naming the missing fields.
        generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'placeholder', excludePunctuation: true },
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: `${provider} issues these API keys; they are rotated in the provider's dashboard (StraitsX keys are valid for 6 months), which Secrets Manager rotation cannot do.`,
      });
      providers[provider] = secret;
    }
    this.providers = providers;

    this.platform = new Secret(this, 'Platform', {
      secretName: `${props.namePrefix}/platform`,
      description: 'Platform key material: idKey derives onboarding ids (HMAC) from business keys. Never change it.',
      encryptionKey: props.key,
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: 'idKey',
        passwordLength: 48,
        excludePunctuation: true,
      },
      // Losing or replacing the key would give every known customer a new onboarding id: keep it.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.platform).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'idKey derives onboarding ids; rotating it would give the same customer a different id and break de-duplication of repeated requests.',
    });
  }

  /** `STRAITSX_SECRET_ARN`, `WALLEX_SECRET_ARN`, `STRADDLE_SECRET_ARN`: ARNs only, never values. */
  providerEnvironment(): Record<string, string> {
    return Object.fromEntries(SECRET_PROVIDERS.map((p) => [`${p.toUpperCase()}_SECRET_ARN`, this.providers[p].secretArn]));
  }

  /** `<PROVIDER>_SECRET_ARN` of one provider (a webhook handler reads its own provider's secret only). */
  providerSecretEnvironment(provider: SecretProvider): Record<string, string> {
    return { [`${provider.toUpperCase()}_SECRET_ARN`]: this.providers[provider].secretArn };
  }

  /** Lets a function read every provider's credentials (workflow steps serve all providers). */
  grantProvidersRead(fn: IFunction): void {
    for (const provider of SECRET_PROVIDERS) this.grantProviderRead(fn, provider);
  }

  /** Lets a function read one provider's credentials. */
  grantProviderRead(fn: IFunction, provider: SecretProvider): void {
    this.providers[provider].grantRead(fn);
  }

  /** `PLATFORM_SECRET_ARN`. */
  platformEnvironment(): Record<string, string> {
    return { PLATFORM_SECRET_ARN: this.platform.secretArn };
  }

  /** Lets a function read the platform secret. */
  grantPlatformRead(fn: IFunction): void {
    this.platform.grantRead(fn);
  }
}
