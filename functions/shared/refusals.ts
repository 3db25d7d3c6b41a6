/**
 * The one family of refusals: requests the service turns down on purpose. Each says its HTTP status
 * here, once; the API middleware (`httpErrors`) answers `{ message, ...details }` with it, so no handler
 * maps errors to statuses. Messages and details hold ids and rules only, never submitted values.
 */
export class Refusal extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    /** Fields the answer carries beside its message (ids, failing fields). */
    readonly details: Record<string, unknown> = {},
    /** The message the caller sees, when it differs from the one logged. */
    readonly answer: string = message,
  ) {
    super(message);
  }
}

/** 404: what the request names does not exist. */
export class NotFound extends Refusal {
  override readonly name: string = 'NotFound';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(404, message, details);
  }
}

/** 409: the request contradicts what exists (a different payload under the same business key). */
export class Conflict extends Refusal {
  override readonly name: string = 'Conflict';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(409, message, details);
  }
}

/** 409 (or 423 when the thing is locked by work in progress): the request is valid but not possible now. */
export class NotPossibleNow extends Refusal {
  override readonly name: string = 'NotPossibleNow';
  constructor(message: string, details: Record<string, unknown> = {}, statusCode: 409 | 423 = 409) {
    super(statusCode, message, details);
  }
}

/** One failing field: a dotted path (`customer.address.city`) and the rule it broke. */
export interface FieldError {
  path: string;
  message: string;
}

/** Input that breaks the documented rules; carries every failing field, never the submitted values. */
export class ValidationFailed extends Refusal {
  override readonly name = 'ValidationFailed';
  constructor(readonly errors: FieldError[]) {
    super(
      400,
      `${errors.length} field(s) failed validation: ${errors.map((e) => e.path || '(body)').join(', ')}`,
      { errors },
      "The request breaks the provider's documented rules.",
    );
  }
}
