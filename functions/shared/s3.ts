import { S3Client } from '@aws-sdk/client-s3';
import { AWS_CLIENT_DEFAULTS, onAwsClientsReset } from './aws';

/**
 * The S3 client, made as aws.ts makes the others but in a module of its own: the S3 client is the
 * largest of them (its service model, XML protocol and checksums), and a function that reaches S3 on
 * one path only imports this module on that path.
 */
let s3: S3Client | undefined;
onAwsClientsReset(() => {
  s3 = undefined;
});

export function s3Client(): S3Client {
  s3 ??= new S3Client(AWS_CLIENT_DEFAULTS);
  return s3;
}
