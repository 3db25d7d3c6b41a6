import { JsonSchemaType, JsonSchemaVersion, type Model, ResponseType, type RestApi } from 'aws-cdk-lib/aws-apigateway';
import { PROVIDERS } from '../../functions/providers/registry';

/** The request models of the JSON routes, by route. Webhook routes have none: their raw body is signed. */
export interface RequestModels {
  /** `POST /onboardings`. */
  readonly onboarding: Model;
  /** `POST /onboardings/{id}/documents`. */
  readonly documentUpload: Model;
  /** `PATCH /onboardings/{id}/profile`. */
  readonly profileUpdate: Model;
  /** `POST /onboardings/{id}/review`. */
  readonly reviewDecision: Model;
  /** `POST /migrations/connect`. */
  readonly connectMigration: Model;
}

// The rules below are the handlers' own (functions/store/documents.ts, functions/onboarding/review.ts),
// written out because importing those modules would load the AWS SDK into every synth; a test keeps
// them equal.
/** Document types an upload may declare. */
export const DOCUMENT_CONTENT_TYPES: readonly string[] = ['image/png', 'image/jpeg', 'application/pdf'];
/** Largest document, in bytes (10 MB). */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
/** What an operator may decide on a profile in review. */
export const REVIEW_DECISIONS: readonly string[] = ['verified', 'rejected'];

/**
 * Adds the shape checks API Gateway makes before a function runs, and the 400 answer when one fails.
 * They check shape only (required fields, types, enums, sizes); the handler applies the full documented
 * rules and names each failing field, so a model never refuses what a handler would accept.
 */
export function addRequestModels(api: RestApi): RequestModels {
  const model = (name: string, required: string[], properties: Record<string, object>) =>
    api.addModel(name, {
      contentType: 'application/json',
      modelName: name,
      schema: { schema: JsonSchemaVersion.DRAFT4, title: name, type: JsonSchemaType.OBJECT, required, properties },
    });

  const models: RequestModels = {
    onboarding: model('OnboardingRequest', ['provider', 'merchantRef', 'customer'], {
      provider: { type: JsonSchemaType.STRING, enum: [...PROVIDERS] },
      merchantRef: { type: JsonSchemaType.STRING, minLength: 1, maxLength: 191 },
      customer: { type: JsonSchemaType.OBJECT },
    }),
    documentUpload: model('DocumentUploadRequest', ['slot', 'contentType', 'size'], {
      slot: { type: JsonSchemaType.STRING, minLength: 1, maxLength: 80 },
      contentType: { type: JsonSchemaType.STRING, enum: [...DOCUMENT_CONTENT_TYPES] },
      size: { type: JsonSchemaType.INTEGER, minimum: 1, maximum: MAX_DOCUMENT_BYTES },
    }),
    profileUpdate: model('ProfileUpdate', ['customer'], {
      customer: { type: JsonSchemaType.OBJECT },
    }),
    reviewDecision: model('ReviewDecision', ['decision'], {
      decision: { type: JsonSchemaType.STRING, enum: [...REVIEW_DECISIONS] },
      // Trimmed by the handler before its length rules apply: only the type is checked here.
      reason: { type: JsonSchemaType.STRING },
    }),
    connectMigration: model('ConnectMigrationRequest', ['merchantRef', 'userApiToken', 'customer'], {
      merchantRef: { type: JsonSchemaType.STRING, minLength: 1, maxLength: 191 },
      userApiToken: { type: JsonSchemaType.STRING, minLength: 1, maxLength: 255 },
      customer: { type: JsonSchemaType.OBJECT },
    }),
  };

  // Gateway responses support no templating functions, so the validator's own text (which may hold
  // quotes) cannot be embedded safely, and one response serves every route: state each route's shape.
  api.addGatewayResponse('BadRequestBody', {
    type: ResponseType.BAD_REQUEST_BODY,
    statusCode: '400',
    templates: {
      'application/json': JSON.stringify({
        message: [
          'The body does not have the shape this route takes.',
          `POST /onboardings: provider (one of: ${PROVIDERS.join(', ')}), merchantRef (1 to 191 characters) and customer (an object).`,
          `POST /onboardings/{id}/documents: slot (1 to 80 characters), contentType (one of: ${DOCUMENT_CONTENT_TYPES.join(', ')}) and size (1 to ${MAX_DOCUMENT_BYTES} bytes).`,
          'PATCH /onboardings/{id}/profile: customer (an object with the fields to add).',
          `POST /onboardings/{id}/review: decision (one of: ${REVIEW_DECISIONS.join(', ')}) and an optional reason (a string).`,
          'POST /migrations/connect: merchantRef (1 to 191 characters), userApiToken (1 to 255 characters) and customer (an object).',
        ].join(' '),
      }),
    },
  });
  return models;
}
