/** Unit, adapter, integration and CDK tests. The peer-conformance suite has its own config. */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  setupFiles: ['<rootDir>/test/setup/quiet-output.ts'],
  // Report coverage of every source file, including the commands the tests run as child processes.
  collectCoverageFrom: ['lambda/**/*.ts', 'lib/**/*.ts', 'bin/**/*.ts'],
  testMatch: ['**/*.test.ts'],
  // Removes the cloud assemblies CDK tests write to the temp directory.
  setupFilesAfterEnv: ['aws-cdk-lib/testhelpers/jest-autoclean'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/peers/'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
    // hyparquet and its codecs ship ES modules only: compiled to CommonJS for jest.
    '^.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(hyparquet|hyparquet-compressors|hyparquet-writer|hysnappy|fzstd)/)'],
};
