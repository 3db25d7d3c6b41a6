import type { Template } from 'aws-cdk-lib/assertions';
import { actionsOf, resourcesOfStatement, statementsOfRole } from './synth';

/** DynamoDB actions that change items; every other DynamoDB action reads. */
const DYNAMODB_WRITES = new Set(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']);

/**
 * A resource of the template in words: logical ids become the names given (`table`, `bucket`,
 * `secret:wallex`...), joins are read out (`bucket/vault/*`), pseudo parameters vanish.
 */
export function describeResource(resource: unknown, names: Readonly<Record<string, string>>): string {
  if (typeof resource === 'string') return resource;
  const value = resource as Record<string, unknown>;
  if (typeof value.Ref === 'string') return value.Ref.startsWith('AWS::') ? '' : (names[value.Ref] ?? value.Ref);
  const getAtt = value['Fn::GetAtt'] as [string, string] | undefined;
  if (getAtt) return getAtt[1] === 'Arn' ? (names[getAtt[0]] ?? getAtt[0]) : `${names[getAtt[0]] ?? getAtt[0]}.${getAtt[1]}`;
  const join = value['Fn::Join'] as [string, unknown[]] | undefined;
  if (join) return join[1].map((part) => describeResource(part, names)).join(join[0]);
  return JSON.stringify(resource);
}

/**
 * What a role may do, as sorted `action resource` lines. Left out, and checked by their own tests: log
 * writing, X-Ray and KMS (encryption follows the data it protects). DynamoDB actions are summed up as
 * `dynamodb:read` / `dynamodb:write`, since CDK's table grants list many.
 */
export function permissionsOf(template: Template, roleId: string, names: Readonly<Record<string, string>>): string[] {
  const lines = new Set<string>();
  for (const statement of statementsOfRole(template, roleId)) {
    if (statement.Effect !== 'Allow') throw new Error(`unexpected ${statement.Effect} statement on ${roleId}`);
    for (const action of actionsOf(statement)) {
      if (/^(logs|xray|kms):/.test(action)) continue;
      const verb = action.startsWith('dynamodb:') ? (DYNAMODB_WRITES.has(action) ? 'dynamodb:write' : 'dynamodb:read') : action;
      // Listing is granted per key prefix: the condition is part of what the role may do.
      const prefixes = (statement.Condition as { StringLike?: Record<string, string[]> } | undefined)?.StringLike?.['s3:prefix'];
      const scope = prefixes ? ` prefix ${prefixes.join(',')}` : '';
      for (const resource of resourcesOfStatement(statement)) lines.add(`${verb} ${describeResource(resource, names)}${scope}`);
    }
  }
  return [...lines].sort();
}
