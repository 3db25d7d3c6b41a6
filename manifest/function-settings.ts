/**
 * Settings every Lambda function of the stack shares, read by the CDK construct (lib/constructs/function.ts)
 * and by the embedded stack, so the memory the local meter bills is the memory CDK deploys.
 */

/** Memory of every function, in MB (Lambda bills GB-seconds of it). */
export const FUNCTION_MEMORY_MB = 512;

/** Instruction set of every function: Graviton, which Lambda prices lower than x86. */
export const FUNCTION_ARCHITECTURE = 'arm64';
