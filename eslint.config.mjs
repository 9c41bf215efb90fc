import nx from '@nx/eslint-plugin';

const frameworkImports = [
  '@nestjs/*',
  'kafkajs',
  'typeorm',
  'pg',
  'undici',
  'axios',
  'opossum',
  'prom-client',
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/out-tsc', '.local/**'],
  },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: ['^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$'],
          depConstraints: [
            // Layers: an app composes libs; no app imports another app.
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:data-access', 'type:util', 'type:domain'],
            },
            {
              sourceTag: 'type:data-access',
              onlyDependOnLibsWithTags: ['type:data-access', 'type:util', 'type:domain'],
            },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', 'type:domain'] },
            // Domain libs are pure TypeScript: their unit tests need nothing running.
            {
              sourceTag: 'type:domain',
              onlyDependOnLibsWithTags: ['type:domain'],
              bannedExternalImports: frameworkImports,
            },
            // Scopes: shared libs never reach into one service's code.
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:admin-api', onlyDependOnLibsWithTags: ['scope:shared', 'scope:admin-api'] },
            {
              sourceTag: 'scope:subscription-filter',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:subscription-filter'],
            },
            { sourceTag: 'scope:renderer', onlyDependOnLibsWithTags: ['scope:shared', 'scope:renderer'] },
            { sourceTag: 'scope:delivery', onlyDependOnLibsWithTags: ['scope:shared', 'scope:delivery'] },
            { sourceTag: 'scope:notifier', onlyDependOnLibsWithTags: ['scope:shared', 'scope:notifier'] },
          ],
        },
      ],
    },
  },
];
