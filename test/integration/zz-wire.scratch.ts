import { resolve } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { type LambdaHandler, lambdaContext, startApi } from '../../local/api';
import { type RuntimeOptions, startRuntime } from '../../local/runtime';

const functionArn = (name: string) => `arn:aws:lambda:ap-southeast-1:000000000000:function:onboarding-${name}`;

export async function startWiredRuntime(options: RuntimeOptions) {
  const runtime = await startRuntime(options);
  process.env.STRAITSX_CONNECT_BASE_URL = runtime.straitsx.connectUrl;
  const h = {
    intake: (await import('../../functions/handlers/migrations-intake')).handler as unknown as LambdaHandler,
    get: (await import('../../functions/handlers/get-onboarding')).handler as unknown as LambdaHandler,
    createProfile: (await import('../../functions/handlers/create-profile')).handler as unknown as LambdaHandler,
    migrate: (await import('../../functions/handlers/migrate-account')).handler as unknown as LambdaHandler,
    finish: (await import('../../functions/handlers/finish-migration')).handler as unknown as LambdaHandler,
  };
  const invoke = (name: string, handler: LambdaHandler) => (payload: unknown) => handler(payload, lambdaContext(`onboarding-${name}`));
  const arn = await runtime.cloud.sfn.registerStateMachine({
    name: 'connect-migration',
    aslPath: resolve('workflows/connect-migration.asl.json'),
    substitutions: {
      CreateProfileFunctionArn: functionArn('create-profile'),
      MigrateAccountFunctionArn: functionArn('migrate-account'),
      FinishMigrationFunctionArn: functionArn('finish-migration'),
    },
    taskHandlers: {
      [functionArn('create-profile')]: invoke('create-profile', h.createProfile),
      [functionArn('migrate-account')]: invoke('migrate-account', h.migrate),
      [functionArn('finish-migration')]: invoke('finish-migration', h.finish),
    },
  });
  process.env.CONNECT_MIGRATION_STATE_MACHINE_ARN = arn;
  const api = await startApi(
    [
      { method: 'POST', resource: '/migrations/connect', functionName: 'onboarding-migrations-intake', handler: h.intake as LambdaHandler<APIGatewayProxyEvent, APIGatewayProxyResult> },
      { method: 'GET', resource: '/onboardings/{id}', functionName: 'onboarding-get', handler: h.get as LambdaHandler<APIGatewayProxyEvent, APIGatewayProxyResult> },
    ],
    { port: 0 },
  );
  const stop = runtime.stop;
  return Object.assign(runtime, { apiUrl: api.url, stop: async () => { await api.stop(); await stop(); } });
}
