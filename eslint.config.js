import neostandard from 'neostandard'

export default [
  ...neostandard({
    ts: true,
    // Dot directories hold tools' state and checkouts of other builds (bench/builds.ts), not this tree's code.
    ignores: ['dist/', 'node_modules/', 'coverage/', '.*/', 'examples/docs-blocks-*/', 'schemas/plain/']
  }),
  {
    // Lines of at most 120 characters. A URL cannot be broken, nor can a regular expression literal
    // without turning it into a string of escapes: those lines may be longer.
    rules: {
      '@stylistic/max-len': ['error', { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true }]
    }
  },
  {
    files: ['**/*.ts'],
    rules: {
      // `_name` marks a binding that is there on purpose (an `infer _X` slot, a rest sibling left out).
      '@typescript-eslint/no-unused-vars': ['error', {
        varsIgnorePattern: '^_',
        argsIgnorePattern: '^_',
        ignoreRestSiblings: true
      }]
    }
  },
  {
    // The README promises this example in under 10 lines (test/docs.test.ts checks): wrapped, it would take 12.
    files: ['examples/any-sender.ts'],
    rules: { '@stylistic/max-len': 'off' }
  },
  {
    // Type tests are compiled, never run: `void expr` is how they use a value without a statement of effect.
    files: ['test-d/**'],
    rules: { 'no-void': 'off' }
  }
]
