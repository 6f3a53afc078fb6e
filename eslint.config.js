// ESLint (`npm run lint`; `npm test` runs it with --max-warnings 0). typescript-eslint's type-checked
// recommended rules on every TypeScript file and on the <script lang="ts"> of every .svelte file,
// eslint-plugin-svelte's recommended rules, and eslint-config-prettier last: Prettier owns layout.
//
// Type information comes from the TypeScript project service: each file is checked with the
// nearest tsconfig.json that includes it. apps/<app>/tsconfig.json covers that app's browser UI
// (ui/**, .svelte, .svelte.ts); the root tsconfig.json (= tsconfig.node.json) covers the rest.
import { defineConfig } from 'eslint/config';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import prettier from 'eslint-config-prettier';
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs';
import globals from 'globals';

const root = import.meta.dirname;

export default defineConfig(
  {
    ignores: ['**/node_modules/', '**/dist/', '.cache/', '.tidewire/', 'docs/api/', 'apps/liveset/fixtures/'],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error', reportUnusedInlineConfigs: 'error' },
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  svelte.configs.recommended,
  comments.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.node, ...globals.browser },
      parserOptions: {
        projectService: true,
        tsconfigRootDir: root,
        extraFileExtensions: ['.svelte'],
      },
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser },
    },
  },
  {
    rules: {
      // Every inline suppression says why: `// eslint-disable-next-line rule -- reason`.
      '@eslint-community/eslint-comments/require-description': 'error',
      '@eslint-community/eslint-comments/no-unused-disable': 'error',
      // node:test's test()/it()/describe() return promises the runner itself awaits and reports.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] },
      ],
      // Off: 879 of its 909 findings are the `xs[i]!` on index reads, which this codebase writes on
      // purpose (they mark reads whose bound is checked elsewhere and keep the code ready for
      // noUncheckedIndexedAccess); the rule cannot tell them from needless `as` casts.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Off: callbacks are declared with method syntax in interfaces (requireToken, log, attrsOf, …)
      // and class methods are bound in constructors or called back with .call(this); the rule
      // sees neither. Its 38 findings were reviewed: none loses its `this`.
      '@typescript-eslint/unbound-method': 'off',
      // Off: `async` without `await` is used on purpose to implement Promise-returning interfaces
      // (test stubs of fetch/inflate/ingest, Fastify handlers) and to turn a throw into a rejection.
      '@typescript-eslint/require-await': 'off',
      // Off: `TimerHandle` is `unknown` on purpose (opaque across Node and browsers), and
      // `TimerHandle | undefined` / `string | unknown` say what the value holds.
      '@typescript-eslint/no-redundant-type-constituents': 'off',
      // A leading underscore marks a binding that is unused on purpose (`for await (const _ of …)`,
      // `{#each xs as _, i}`, rest-omission `{ a: _a, ...rest }`).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // `const self = this` for getters in an object literal, which have their own `this`.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['self'] }],
      // A caught value is passed on unchanged (`catch (err) { reject(err); }`).
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // Off: String(x) echoes a bad input in an error message, whatever it is ("[object Object]"
      // included), and reads attribute values typed as the AttrValue union that are strings in practice.
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
  {
    // typescript-eslint's eslint-recommended switches prefer-const on for TypeScript files (not for
    // .svelte, where `let { … } = $props()` is the idiom). A `let` read by a callback before its one
    // assignment (`let link; … on('message', () => link?.x); link = new Link()`) cannot be a const.
    files: ['**/*.ts'],
    rules: { 'prefer-const': ['error', { ignoreReadBeforeAssign: true }] },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    rules: {
      // Off: the Maps and Sets it flags are private bookkeeping (timers, subscriptions, caches,
      // a Worker URL) that no template reads; reactive state is $state.
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
  {
    files: ['**/*.svelte'],
    rules: {
      // Off in components: ESLint's TypeScript program does not run svelte2tsx, so an imported
      // component is `Component<any>` and every callback prop's parameters are `any`.
      // svelte-check (npm run typecheck) type-checks these files for real.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
  {
    files: ['**/test/**', '**/*.test.ts'],
    rules: {
      // Off in tests: they read untyped JSON (CLI --json output, HTTP bodies, fixture files) and the
      // assertions on it are the check; typing it first would restate the schema under test.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      // Assertion messages interpolate whatever was caught or computed (`${e}`), on purpose.
      '@typescript-eslint/restrict-template-expressions': 'off',
    },
  },
  {
    // Last but Prettier's, so no rule above switches a type-checked rule back on for them.
    // Files no tsconfig includes: plain JS/ESM scripts (scripts/*.mjs, the tidewire bin, this
    // file), the Vite configs and the ad-hoc micro-benchmarks under packages/*/bench and
    // apps/*/bench, types/iso-globals.d.ts (tsconfig.iso.json only). Linted without type information.
    files: ['**/*.js', '**/*.mjs', '**/vite.config.ts', 'packages/*/bench/**', 'apps/*/bench/**', 'types/*.d.ts'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  prettier,
  svelte.configs.prettier,
);
