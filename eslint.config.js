// Layers as in DESIGN.md, enforced the way VS Code enforces common/browser/node/electron-main:
// each folder may import only from the layers below it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const nodeRule = {
  paths: nodeBuiltins.map((name) => ({ name, message: 'Node APIs do not exist in this layer; put I/O in electron/services.' })),
  patterns: [{ group: ['node:*'], message: 'Node APIs do not exist in this layer.' }],
};
const electronOnlyInShell = {
  name: 'electron',
  message: "Only electron/main and electron/preload may import 'electron' (the binary is not there for tests, the CLI or the browser host).",
};

export const layerRules = {
  'shared/**': {
    paths: [
      ...nodeRule.paths,
      electronOnlyInShell,
      { name: 'react', message: 'shared/ is pure TypeScript: no React.' },
      { name: 'react-dom', message: 'shared/ is pure TypeScript: no React.' },
      { name: 'zustand', message: 'shared/ is pure TypeScript: no UI state.' },
    ],
    patterns: [...nodeRule.patterns, { group: ['**/electron/**', '**/renderer/**'], message: 'shared/ must not depend on electron/ or renderer/.' }],
  },
  'renderer/**': {
    paths: [...nodeRule.paths, electronOnlyInShell],
    patterns: [...nodeRule.patterns, { group: ['**/electron/**'], message: 'The renderer talks to services only through the contract client.' }],
  },
  'electron/{core,services,hosts,cli}/**': {
    paths: [electronOnlyInShell],
    patterns: [
      { group: ['**/renderer/**'], message: 'Services must not depend on the UI.' },
      {
        group: ['**/electron/main/**', '**/electron/preload/**', '../main/**', '../preload/**', '../../main/**', '../../preload/**'],
        message: 'Services must not depend on the Electron shell.',
      },
    ],
  },
  'electron/{main,preload}/**': {
    paths: [],
    patterns: [{ group: ['**/renderer/**'], message: 'The shell loads the renderer by URL, never by import.' }],
  },
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.tmp/**', 'test-results/**', 'playwright-report/**', '.test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-console': 'off',
    },
  },
  {
    // React's rules of hooks, and effects that name everything they read (stale closures).
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    // Type-aware: a promise nobody awaits or catches loses its error (an unhandled rejection can
    // end the host process).
    files: ['{shared,electron,renderer,bench,scripts,e2e,test}/**/*.{ts,tsx}'],
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['scripts/*.ts'] }, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly' },
    },
  },
  ...Object.entries(layerRules).map(([glob, rule]) => ({
    files: [`${glob.replace(/\/\*\*$/, '')}/**/*.{ts,tsx}`],
    // Tests may reach into the layer they test (e.g. mocking electron), production code may not.
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: { 'no-restricted-imports': ['error', rule] },
  })),
);
