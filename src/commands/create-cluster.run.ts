/**
 * create-cluster: flags → (prompts) → validation → AWS-side checks → review → confirm →
 * launch → wait → Topology. Validation of every given value happens before the first
 * AWS call; nothing is created before the confirmation.
 */
import type { CommandContext } from './lazy.js';
import { CliError, UsageError } from '../errors.js';
import { missingRequired, resolvePlan, validateGiven, type PlanInput } from '../plan/cluster-plan.js';
import type { ClusterMode, Engine } from '../plan/limits.js';
import { validateAuthToken } from '../plan/rules.js';
import { kindFromFlags, refuseServerlessOnlyFlags } from '../plan/serverless-plan.js';
import { readSecret, type SecretSource } from '../secrets.js';
import { sortVersions } from '../plan/engine-versions.js';
import type { Output } from '../ui/output.js';
import { renderReview } from './create-cluster.review.js';
import {
  printCreateResult,
  refuseMissingWithoutTerminal,
  refuseUnconfirmedWithoutTerminal,
  reviewAndConfirm,
} from './create-cluster.outcome.js';
import { commandEvents, openAws } from './session.js';

/**
 * The flags as commander parses them: the plan's own fields, plus how to run. Numbers and
 * choices arrive checked by their argParser (src/commands/create-cluster.ts); the plan
 * checks them again with the same rules, as it does prompt answers.
 */
export type CreateClusterOptions = Omit<
  PlanInput,
  'id' | 'authToken' | 'tags' | 'replicas' | 'shards' | 'port' | 'waitTimeout' | 'engine' | 'clusterMode'
> & {
  engine?: Engine;
  clusterMode?: ClusterMode;
  replicas?: number;
  shards?: number;
  port?: number;
  waitTimeout?: number;
  tag?: string[];
  authTokenEnv?: string;
  authTokenFile?: string;
  authTokenPrompt?: boolean;
  yes?: boolean;
  dryRun?: boolean;
  wait: boolean;
  /** --serverless and its own settings (create-cluster.serverless.ts). */
  serverless?: boolean;
  majorEngineVersion?: string;
  maxDataStorage?: number;
  minDataStorage?: number;
  maxEcpuPerSecond?: number;
  minEcpuPerSecond?: number;
  userGroup?: string;
};

export async function run(context: CommandContext<CreateClusterOptions>): Promise<void> {
  const { options, output, globals } = context;
  // 0. Serverless or node-based: --serverless, else asked first on a terminal (as the console does).
  const flags = options as unknown as Record<string, unknown>;
  let kind = kindFromFlags(flags);
  if (kind !== 'serverless') refuseServerlessOnlyFlags(flags);
  const walkthrough =
    context.args[0] === undefined || (options.allowFrom === undefined && options.securityGroup === undefined);
  if (kind === undefined && output.interactive && !options.yes && walkthrough) {
    const { askDeploymentOption } = await import('./create-cluster.prompts.js');
    kind = await askDeploymentOption();
  }
  if (kind === 'serverless') {
    const { runServerless } = await import('./create-cluster.serverless.js');
    return runServerless(context);
  }
  const given = inputFromFlags(context.args[0] as string | undefined, options);

  // 1. Everything given is checked before anything else (exit 2, no AWS call).
  const warned = new Set<string>();
  const warn = (warning: string) => {
    if (!warned.has(warning)) output.warn(warning);
    warned.add(warning);
  };
  validateGiven(given).forEach(warn);
  const tokenSources = [options.authTokenEnv, options.authTokenFile, options.authTokenPrompt].filter(
    (v) => v !== undefined,
  );
  if (tokenSources.length > 1)
    throw new UsageError(
      '--auth-token-env, --auth-token-file and --auth-token-prompt: give only one AUTH token source',
    );
  if (options.authTokenPrompt && given.transitEncryption === false) {
    throw new UsageError(
      '--auth-token-prompt needs --transit-encryption (the default; drop --no-transit-encryption): AWS accepts AUTH only over TLS',
    );
  }
  if (options.authTokenEnv !== undefined)
    given.authToken = tokenFrom({ kind: 'env', name: options.authTokenEnv }, output);
  if (options.authTokenFile !== undefined)
    given.authToken = tokenFrom({ kind: 'file', path: options.authTokenFile }, output);

  const interactive = output.interactive;
  const missing = missingRequired(given);
  refuseMissingWithoutTerminal(interactive, missing);
  if (!interactive && options.authTokenPrompt)
    throw new UsageError('--auth-token-prompt needs a terminal; use --auth-token-env VAR or --auth-token-file FILE');
  const willPrompt = interactive && (missing.length > 0 || options.authTokenPrompt === true);
  // Without prompts, the whole plan (combinations included) is checked before connecting,
  // and before asking for --yes: a wrong value is the first thing to hear about.
  if (!willPrompt) resolvePlan(given);
  refuseUnconfirmedWithoutTerminal(interactive, options);

  // 2. AWS: connect, then (on a terminal) ask for what is missing.
  const { closeClients } = await import('../aws/clients.js');
  const aws = await openAws(globals, { ec2: true });
  try {
    let input = given;
    const versionCache = new Map<string, string[]>();
    const engineVersions = async (engine: string) => {
      if (!versionCache.has(engine)) {
        const { listEngineVersions } = await import('../aws/engine-versions.js');
        versionCache.set(
          engine,
          sortVersions(await listEngineVersions(aws, engine, (message) => output.warn(message))),
        );
      }
      return versionCache.get(engine)!;
    };
    if (willPrompt) {
      const { walkthrough } = await import('./create-cluster.prompts.js');
      output.info(
        output.paintErr('bold', 'Create a replication group') +
          output.paintErr('dim', ' (Ctrl-C to stop; nothing is created before the review)'),
      );
      input = await walkthrough(given, {
        // The whole walkthrough when something required is missing (a person exploring);
        // with --yes, or only --auth-token-prompt to answer, just what is needed.
        requiredOnly: options.yes === true || missing.length === 0,
        engineVersions,
        output,
        askAuthToken: options.authTokenPrompt === true,
      });
    }
    const { plan, warnings } = resolvePlan(input);
    warnings.forEach(warn);

    // 3–6. The core: existing group, AWS-side checks, review, launch, wait → Topology.
    const { createCluster } = await import('../core/create-cluster.js');
    const result = await createCluster(
      aws,
      {
        plan,
        dryRun: options.dryRun === true,
        wait: options.wait,
        engineVersions,
        review: (resolved, network, region) =>
          reviewAndConfirm(
            output,
            renderReview(resolved, network, region),
            resolved.replicationGroupId,
            options.yes === true,
          ),
      },
      await commandEvents(output, globals),
    );
    await printCreateResult(output, result);
    if (result.kind !== 'dry-run' && result.shortfall) {
      // The endpoints above are real and usable, but this is not the group that was asked for.
      const { planned, actual } = result.shortfall;
      throw new CliError(
        `${plan.replicationGroupId} is available with ${actual} node${actual === 1 ? '' : 's'}, not the ${planned} planned: AWS accepted the request but did not create every node; add replicas (aws elasticache increase-replica-count) or delete the group and run again`,
      );
    }
  } finally {
    closeClients(aws);
  }
}

function inputFromFlags(id: string | undefined, options: CreateClusterOptions): PlanInput {
  // Everything but how to run (and where the token comes from) is part of the plan.
  const {
    tag,
    authTokenEnv: _env,
    authTokenFile: _file,
    authTokenPrompt: _prompt,
    yes: _yes,
    dryRun: _dryRun,
    wait: _wait,
    serverless: _serverless,
    majorEngineVersion: _major,
    maxDataStorage: _maxData,
    minDataStorage: _minData,
    maxEcpuPerSecond: _maxEcpu,
    minEcpuPerSecond: _minEcpu,
    userGroup: _userGroup,
    ...planFields
  } = options;
  const input: PlanInput = { id, ...planFields, tags: tag };
  // Absent stays absent: `explicit` is computed from the keys that are set.
  for (const key of Object.keys(input) as Array<keyof PlanInput>) if (input[key] === undefined) delete input[key];
  return input;
}

/** The token from the variable or file, checked against AWS's AUTH rules; a loose file mode is warned about. */
function tokenFrom(source: SecretSource, output: Output): { value: string; origin: string } {
  const secret = readSecret(source);
  for (const warning of secret.warnings) output.warn(warning);
  return { value: validateAuthToken(secret.value, secret.origin), origin: secret.origin };
}
