/**
 * The EC2 client alone, for `import()`: a dynamic import of '@aws-sdk/client-ec2' itself
 * keeps its whole namespace (every command, the aggregated `EC2` class and so the schema of
 * every EC2 shape, ~1.5 MB bundled), while this static named import lets the bundler keep
 * only the client; the commands come with the modules that send them.
 */
export { EC2Client } from '@aws-sdk/client-ec2';
