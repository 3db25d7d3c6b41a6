/**
 * Import rules that keep the layers honest; `npm run lint:deps` checks them.
 * Directions: handlers -> flows -> onboarding -> providers/{registry,port} -> store, shared.
 */
module.exports = {
  forbidden: [
    {
      name: 'sandbox-not-client',
      comment: 'A sandbox that shares the client code cannot catch the client misreading the provider.',
      severity: 'error',
      from: { path: '^local/sandboxes/' },
      to: { path: '^functions/' },
    },
    {
      name: 'functions-self-contained',
      comment: 'Lambda code is bundled alone; it never reaches into the CDK app, the embedded stack, the manifest or tests.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '^(lib|local|manifest|test|bench|bin)/' },
    },
    {
      name: 'provider-knows-no-domain',
      comment: 'A provider folder speaks the port; the domain, the flows and the handlers are above it.',
      severity: 'error',
      from: { path: '^functions/providers/[^/]+/' },
      to: { path: '^functions/(onboarding|flows|handlers)/' },
    },
    {
      name: 'provider-knows-no-other-provider',
      comment:
        'A provider folder imports its own files, the port and the shared transport only: never another provider, nor the registry.',
      severity: 'error',
      from: { path: '^functions/providers/([^/]+)/' },
      to: { path: '^functions/providers/', pathNot: ['^functions/providers/$1/', '^functions/providers/(port|http)\\.ts$'] },
    },
    {
      name: 'domain-provider-blind',
      comment: 'The domain reaches providers through the registry and the port only, and knows no one-provider flow.',
      severity: 'error',
      from: { path: '^functions/onboarding/' },
      to: { path: '^functions/(providers/[^/]+/|flows/|handlers/)' },
    },
    {
      name: 'flows-below-handlers',
      comment: 'Flows are called by handlers; nothing below a handler imports one.',
      severity: 'error',
      from: { path: '^functions/(flows|onboarding|providers|store|shared)/' },
      to: { path: '^functions/handlers/' },
    },
    {
      name: 'shared-is-the-bottom',
      comment: 'shared/ holds Powertools, env, AWS clients, validation and ids: it imports no other layer.',
      severity: 'error',
      from: { path: '^functions/shared/' },
      to: { path: '^functions/(handlers|flows|onboarding|providers|store)/' },
    },
    {
      name: 'manifest-is-data',
      comment: 'The manifest is data read by lib/, local/ and test/; it imports nothing of theirs nor any function code.',
      severity: 'error',
      from: { path: '^manifest/' },
      to: { path: '^(functions|lib|local|test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
