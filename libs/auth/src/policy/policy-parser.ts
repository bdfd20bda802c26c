import { policySetTextToParts, policyToJson, type DetailedError } from '@cedar-policy/cedar-wasm/nodejs';
import { InternalError, InvalidArgumentError } from '@sark/platform';

/** Cedar policy text and the name that policy ids derive from. */
export interface PolicySource {
  /** The name in generated policy ids (`<name>#<index>`), usually the file name. */
  name: string;
  text: string;
  /** Name of the source in parse errors, for example the full file path. Defaults to `name`. */
  label?: string;
}

/** One static policy with its id and its verbatim Cedar text. */
export interface ParsedPolicy {
  id: string;
  text: string;
}

/**
 * Parses every source into policies in load order: sources in the order
 * given, policies in the order they appear in their text. A policy's id is
 * its `@id("...")` annotation, or `<name>#<index>` with a zero-based index
 * within its source. Throws InvalidArgumentError('policies') naming the
 * source, line and column of a parse error, for templates, and for ids that
 * are empty or used twice.
 */
export function parsePolicySources(sources: readonly PolicySource[]): ParsedPolicy[] {
  const policies: ParsedPolicy[] = [];
  const labelById = new Map<string, string>();

  for (const source of sources) {
    const label = source.label ?? source.name;
    for (const [index, text] of splitPolicies(source.text, label).entries()) {
      const id = annotatedId(text, label) ?? `${source.name}#${index}`;
      const firstLabel = labelById.get(id);
      if (firstLabel !== undefined) {
        throw new InvalidArgumentError('policies', `policy id "${id}" in ${label} is already used in ${firstLabel}`);
      }

      labelById.set(id, label);
      policies.push({ id, text });
    }
  }

  return policies;
}

/** Splits Cedar text into its static policies, in the order they appear. */
function splitPolicies(text: string, label: string): string[] {
  const answer = policySetTextToParts(text);
  if (answer.type === 'failure') {
    const details = answer.errors.map((error) => describeParseError(error, text));
    throw new InvalidArgumentError('policies', `cannot parse ${label}: ${details.join('; ')}`);
  }

  if (answer.policy_templates.length > 0) {
    throw new InvalidArgumentError('policies', `${label} contains policy templates (policies with ?principal or ?resource slots), which are not supported`);
  }

  const ordered = restoreSourceOrder(answer.policies);
  assertSourceOrder(ordered, text, label);
  return ordered;
}

/**
 * Undoes the sort of `policySetTextToParts`. In cedar-wasm 4.13 it names the
 * policies `policy0`, `policy1`, ... in source order and returns them sorted
 * by that name as a string, so `policy10` comes before `policy2`.
 */
function restoreSourceOrder(sortedParts: readonly string[]): string[] {
  const sortedNames = sortedParts.map((_, index) => `policy${index}`).sort();
  const ordered: string[] = new Array<string>(sortedParts.length);
  sortedNames.forEach((name, position) => {
    ordered[Number(name.slice('policy'.length))] = sortedParts[position] as string;
  });
  return ordered;
}

/**
 * Checks that the policies occur in `text` one after another. The parts are
 * verbatim slices of the text, so a failure means a cedar-wasm upgrade changed
 * how `policySetTextToParts` orders them, and generated ids would be wrong.
 */
function assertSourceOrder(policies: readonly string[], text: string, label: string): void {
  let searchFrom = 0;
  for (const policy of policies) {
    const start = text.indexOf(policy, searchFrom);
    if (start < 0) {
      throw new InternalError('auth.policy_order_unknown', `cannot tell the order of the policies in ${label}: cedar-wasm changed how it splits policy text`);
    }

    searchFrom = start + policy.length;
  }
}

function annotatedId(policyText: string, label: string): string | undefined {
  const answer = policyToJson(policyText);
  if (answer.type === 'failure') {
    const details = answer.errors.map((error) => error.message).join('; ');
    throw new InvalidArgumentError('policies', `cannot parse a policy in ${label}: ${details}`);
  }

  const id = answer.json.annotations?.['id'];
  if (id !== undefined && id.trim() === '') {
    throw new InvalidArgumentError('policies', `a policy in ${label} has an empty @id annotation`);
  }

  return id;
}

/** Formats a Cedar parse error as `line L, column C: message (help)`. */
function describeParseError(error: DetailedError, text: string): string {
  const help = error.help ? ` (${error.help})` : '';
  const location = error.sourceLocations?.[0];
  if (location === undefined) {
    return `${error.message}${help}`;
  }

  const { line, column } = lineAndColumn(text, location.start);
  return `line ${line}, column ${column}: ${error.message}${help}`;
}

/** Converts a UTF-8 byte offset, which is what Cedar reports, to a 1-based line and column. */
function lineAndColumn(text: string, byteOffset: number): { line: number; column: number } {
  const before = Buffer.from(text, 'utf8').subarray(0, byteOffset).toString('utf8');
  const lines = before.split('\n');
  const lastLine = lines[lines.length - 1] ?? '';
  return { line: lines.length, column: [...lastLine].length + 1 };
}
