/** Import rules that keep the layers honest; `npm run lint:deps` checks them. */
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
      comment: 'Lambda code is bundled alone; it never reaches into the CDK app or the embedded stack.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '^(lib|local)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
