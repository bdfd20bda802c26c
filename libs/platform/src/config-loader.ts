import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';

/** Prefix of environment variables that override configuration keys. */
export const ENV_PREFIX = 'SARK_';

/** A configuration value that failed validation, named by its key path. */
export class ConfigError extends Error {
  readonly issues: string[];

  constructor(issues: string[]) {
    super(`invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

export interface LoadConfigOptions<S extends z.ZodType> {
  schema: S;
  /** Path of a YAML file; no file means defaults plus environment. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Variables that start with SARK_ but are not configuration keys (SARK_CONFIG). */
  ignoredEnv?: string[];
}

/**
 * Loads configuration from a YAML file, then applies `SARK_*` environment
 * overrides, then validates the result with the schema.
 *
 * An environment variable names a key path in SCREAMING_SNAKE_CASE, with `__`
 * between nesting levels: `SARK_NODE_ID` sets `nodeId`, `SARK_LISTEN__ROUTING`
 * sets `listen.routing`. Values are parsed as YAML scalars, so `7403` is a
 * number and `[a, b]` a list.
 *
 * @throws ConfigError naming every unknown or invalid key, with the file or
 *   variable it came from.
 */
export function loadConfig<S extends z.ZodType>(options: LoadConfigOptions<S>): z.infer<S> {
  return loadConfigWithSources(options).config;
}

/** The loaded configuration with the top-level keys that the file set and that no variable overrode. */
export interface ConfigWithSources<T> {
  config: T;
  keysFromFile: Set<string>;
}

/** Loads like loadConfig, and also returns the top-level keys that came from the file. */
export function loadConfigWithSources<S extends z.ZodType>(options: LoadConfigOptions<S>): ConfigWithSources<z.infer<S>> {
  const fromFile = options.file ? readYamlFile(options.file) : {};
  const env = options.env ?? process.env;
  const ignored = options.ignoredEnv ?? [];
  const merged = applyEnvOverrides(fromFile, env, ignored);

  const result = options.schema.safeParse(merged, { reportInput: true });
  if (!result.success) {
    const source = options.file ? `file ${options.file} or ` : '';
    throw new ConfigError(result.error.issues.flatMap((issue) => describeIssue(issue, source)));
  }

  const overridden = new Set(envKeyPaths(env, ignored).map((keyPath) => keyPath[0]));
  const keysFromFile = new Set(Object.keys(fromFile).filter((key) => !overridden.has(key)));
  return { config: result.data, keysFromFile };
}

function readYamlFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([`config file ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`]);
  }

  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ConfigError([`config file ${file} is not valid YAML: ${(error as Error).message}`]);
  }

  if (parsed === null || parsed === undefined) {
    return {};
  }
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError([`config file ${file} must contain a mapping of keys at the top level`]);
  }
  return parsed as Record<string, unknown>;
}

function applyEnvOverrides(base: Record<string, unknown>, env: NodeJS.ProcessEnv, ignored: string[]): Record<string, unknown> {
  const result = structuredClone(base);

  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || ignored.includes(name) || raw === undefined) {
      continue;
    }
    setPath(result, envKeyPath(name), parseEnvValue(raw));
  }

  return result;
}

function envKeyPaths(env: NodeJS.ProcessEnv, ignored: string[]): string[][] {
  return Object.keys(env)
    .filter((name) => name.startsWith(ENV_PREFIX) && !ignored.includes(name) && env[name] !== undefined)
    .map(envKeyPath);
}

function envKeyPath(name: string): string[] {
  return name.slice(ENV_PREFIX.length).split('__').map(screamingSnakeToCamel);
}

function screamingSnakeToCamel(part: string): string {
  return part.toLowerCase().replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

function parseEnvValue(raw: string): unknown {
  try {
    return parseYaml(raw);
  } catch {
    return raw;
  }
}

function setPath(target: Record<string, unknown>, keyPath: string[], value: unknown): void {
  let node = target;
  for (const key of keyPath.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      node[key] = {};
    }
    node = node[key] as Record<string, unknown>;
  }
  node[keyPath[keyPath.length - 1] as string] = value;
}

function describeIssue(issue: z.core.$ZodIssue, source: string): string[] {
  const path = issue.path.map(String);

  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `unknown key ${[...path, key].join('.')} (${source}${envName([...path, key])}): remove it or check its spelling`);
  }
  const where = path.length > 0 ? `${path.join('.')} (${envName(path)})` : '(top level)';
  const got = 'input' in issue && issue.input !== undefined ? `, got ${JSON.stringify(issue.input)}` : '';
  return [`${where}: ${issue.message}${got}`];
}

/** Returns the SARK_* variable that sets a key path. */
function envName(path: string[]): string {
  return ENV_PREFIX + path.map(camelToScreamingSnake).join('__');
}

function camelToScreamingSnake(part: string): string {
  return part.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}
