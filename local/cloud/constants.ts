/** Region, account and credentials every local service agrees on. */

export const LOCAL_REGION = 'ap-southeast-1';
export const LOCAL_ACCOUNT_ID = '000000000000';

/**
 * s3rver accepts only the access key it knows (`S3RVER`; it does not check SigV4 signatures), and the
 * other local services ignore credentials, so this one pair serves every client in the process.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
