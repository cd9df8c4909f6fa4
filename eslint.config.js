import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

/**
 * Each native dependency has one home in src/main: Electron in app/, onnxruntime in one module,
 * SQLite in one module. Everywhere else in src/main imports them through those homes.
 */
const CONFINED = [
  { module: 'electron', home: 'src/main/app/**', message: 'Electron is used only under src/main/app.' },
  {
    module: 'onnxruntime-node',
    home: 'src/main/vision/onnxRuntime.ts',
    message: 'onnxruntime-node is imported only by src/main/vision/onnxRuntime.ts.',
  },
  { module: 'better-sqlite3', home: 'src/main/library/database.ts', message: 'SQLite is opened only in src/main/library/database.ts.' },
];
/** The app never reaches into the benchmarks and test tools: they are not packaged. */
const NO_TOOLS = [{ group: ['**/tools/**'], message: 'src/main never imports src/tools (benchmarks and test tooling are not packaged).' }];
const confinement = [
  {
    files: ['src/main/**/*.ts', 'src/main/**/*.cts'],
    ignores: CONFINED.map((c) => c.home),
    rules: {
      'no-restricted-imports': ['error', { paths: CONFINED.map((c) => ({ name: c.module, message: c.message })), patterns: NO_TOOLS }],
    },
  },
  ...CONFINED.map((own) => ({
    files: [own.home],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: CONFINED.filter((c) => c !== own).map((c) => ({ name: c.module, message: c.message })), patterns: NO_TOOLS },
      ],
    },
  })),
];

export default ts.config(
  { ignores: ['dist/', 'release/', 'node_modules/', 'training/', '.venv/', 'tests/.tmp/', 'coverage/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/renderer/**/*.ts', 'src/renderer/**/*.svelte', 'src/renderer/**/*.svelte.ts'],
    languageOptions: { globals: { ...globals.browser }, parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    // The renderer's unit tests run in a DOM environment (happy-dom), like the code they test.
    files: ['tests/renderer/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  ...confinement,
  {
    // Contracts only: src/shared must run in Node and in the browser alike.
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'electron', 'fs', 'path', 'os', 'child_process', '**/main/**', '**/renderer/**'],
              message: 'src/shared holds contracts only: no Node, DOM or Electron imports.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer', 'require'],
    },
  },
  {
    // The renderer reaches the backend only through the API in src/shared.
    files: ['src/renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/main/**', 'node:*', 'electron'], message: 'The renderer talks to the backend only through src/shared/api.ts.' },
          ],
        },
      ],
    },
  },
);
