/** Unit, adapter, integration and CDK tests. The peer-conformance suite has its own config. */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Removes the cloud assemblies CDK tests write to the temp directory.
  setupFilesAfterEnv: ['aws-cdk-lib/testhelpers/jest-autoclean'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/peers/'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] },
};
