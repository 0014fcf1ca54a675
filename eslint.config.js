import neostandard from 'neostandard'

export default [
  ...neostandard({
    ts: true,
    ignores: ['dist/', 'node_modules/', 'coverage/', '.tap/']
  }),
  {
    files: ['**/*.ts'],
    rules: {
      // `_name` marks a binding that is there on purpose (an `infer _X` slot, a rest sibling left out).
      '@typescript-eslint/no-unused-vars': ['error', { varsIgnorePattern: '^_', argsIgnorePattern: '^_', ignoreRestSiblings: true }]
    }
  },
  {
    // Type tests are compiled, never run: `void expr` is how they use a value without a statement of effect.
    files: ['test-d/**'],
    rules: { 'no-void': 'off' }
  }
]
