/**
 * @aws-sdk/client-ec2 for tests, loaded with require() on first use. Why: its CommonJS build
 * is one 2 MB file, and an ES `import` of it first has Node scan the whole file for export
 * names (cjs-module-lexer): about 0.25 s of CPU per test process on top of the ~0.2 s that
 * loading it costs (import 430-550 ms, require ~200 ms, with the ElastiCache client already
 * loaded), and the suite is one process per file.
 */
import { createRequire } from 'node:module';

export type Ec2Sdk = typeof import('@aws-sdk/client-ec2');

let sdk: Ec2Sdk | undefined;

export function ec2Sdk(): Ec2Sdk {
  sdk ??= createRequire(import.meta.url)('@aws-sdk/client-ec2') as Ec2Sdk;
  return sdk;
}
