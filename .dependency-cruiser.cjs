// What may import what (`npm run lint`). Paths are relative to the directory depcruise runs in: the
// repository root, or a planted tree in testing/lint-fixtures (testing/test/lint.test.ts).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      severity: 'error',
      comment: 'Modules that import each other cannot be understood, tested or bundled one at a time.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'clients-never-import-the-gateway',
      severity: 'error',
      comment: 'A client talks to the gateway over HTTP through @visio/shared/client, never by importing it.',
      from: { path: '^(addins|extension)/' },
      to: { path: '^gateway/' },
    },
    {
      name: 'clients-never-import-each-other',
      severity: 'error',
      comment: 'What two clients share lives in shared/.',
      from: { path: '^(addins/[^/]+|extension/[^/]+)/' },
      to: { path: '^(addins/[^/]+|extension/[^/]+)/', pathNot: '^$1/' },
    },
    {
      name: 'shared-imports-no-io',
      severity: 'error',
      comment: 'shared/ is the pure core: it runs in browsers, Office and Thunderbird, so no node:* module.',
      from: { path: '^shared/src/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'shared-imports-no-package-of-ours',
      severity: 'error',
      comment: 'Everything depends on shared/, shared/ on none of the other packages.',
      from: { path: '^shared/' },
      to: { path: '^(gateway|addins|extension|testing)/' },
    },
    {
      name: 'routes-do-not-import-stores',
      severity: 'error',
      comment: 'Routes go through the services (rooms.ts, calendars.ts…), which own the store.',
      from: { path: '^gateway/src/routes/' },
      to: { path: '^gateway/src/store/' },
    },
    {
      name: 'production-code-never-imports-tests',
      severity: 'error',
      comment: 'Test doubles and launchers (testing/, */test/) stay out of what ships.',
      from: { path: '^(gateway|shared|addins/[^/]+|extension/[^/]+)/src/' },
      to: { path: '(^testing/|/test/)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|\\.tools)/|/test/fixtures/|^testing/lint-fixtures/' },
    tsPreCompilationDeps: true,
    combinedDependencies: true,
    enhancedResolveOptions: {
      // Workspace packages resolve to their TypeScript sources (the `source` export condition).
      conditionNames: ['source', 'import', 'require', 'node', 'default', 'types'],
      exportsFields: ['exports'],
      mainFields: ['module', 'main', 'types'],
      extensions: ['.ts', '.mjs', '.js', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
