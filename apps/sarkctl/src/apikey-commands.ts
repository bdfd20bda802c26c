import { auth } from '@sark/proto';

import {
  EXIT_OK,
  requiredStringOption,
  stringListOption,
  stringOption,
  type CliIo,
  type Command,
  type CommandGroup,
  type OptionValues,
} from './command.js';
import { connectionOptionSpecs, readConnectionSettings } from './connection-options.js';
import { withNodeClient, type NodeClient } from './node-client.js';
import { wholeNumberOption } from './number-options.js';
import { formatFields, formatTable, formatTimestamp, writeJson, type TableColumn } from './output.js';

const SHOWN_ONCE_NOTICE = 'Store the API key now: it is shown only this once and cannot be shown again.';
// The maximum page size of ListApiKeys, from the contract in auth.proto.
const MAX_PAGE_SIZE = 500;

const KEY_COLUMNS: TableColumn[] = [
  { header: 'KEY ID' },
  { header: 'PRINCIPAL', maxWidth: 40 },
  { header: 'SCOPES', maxWidth: 40 },
  { header: 'CREATED' },
  { header: 'EXPIRES' },
  { header: 'REVOKED' },
];

const createCommand: Command = {
  summary: 'Create an API key for a principal of the org',
  description: [
    'Creates an API key that authenticates as --principal with the given scopes, and',
    'prints it once, because the node stores only its hash. The node checks the scopes',
    'audit:read (query the audit trail) and apikeys:admin (manage API keys).',
    'Needs an operator certificate of the org (--cert).',
  ].join('\n'),
  options: {
    principal: {
      type: 'string',
      required: true,
      valueName: '<principal>',
      description: "Principal the key authenticates as, name@org, such as alice@orga.example. The org must be the node's.",
    },
    scope: { type: 'string', multiple: true, valueName: '<scope>', description: 'Scope granted to the key, such as audit:read.' },
    description: { type: 'string', valueName: '<text>', description: 'What the key is for, kept with the key.' },
    'ttl-seconds': { type: 'string', valueName: '<n>', description: 'Lifetime of the key in seconds. Default: the key does not expire.' },
    ...connectionOptionSpecs('auth'),
  },
  run: runCreate,
};

const listCommand: Command = {
  summary: 'List API keys, newest first',
  description: [
    'Lists API keys without their secrets, newest first. Reads every page unless',
    '--page-size or --page-token is given. Then it prints one page and the token of the next.',
  ].join('\n'),
  options: {
    principal: { type: 'string', valueName: '<principal>', description: 'Only keys of this principal, such as alice@orga.example.' },
    'include-revoked': { type: 'boolean', description: 'Also list revoked keys.' },
    'page-size': { type: 'string', valueName: '<n>', description: `Print one page of at most this many keys, from 1 to ${MAX_PAGE_SIZE}.` },
    'page-token': { type: 'string', valueName: '<token>', description: 'Print the page that this token from an earlier page starts.' },
    ...connectionOptionSpecs('auth'),
  },
  run: runList,
};

const revokeCommand: Command = {
  summary: 'Revoke an API key',
  description: [
    'Revokes an API key at once, so the node rejects it from then on. The reason is kept',
    'with the key and in the audit trail. Revoking a revoked key changes nothing.',
  ].join('\n'),
  options: {
    'key-id': { type: 'string', required: true, valueName: '<id>', description: 'Id of the key, as printed by apikey create or apikey list.' },
    reason: { type: 'string', required: true, valueName: '<text>', description: 'Why the key is revoked, 1 to 256 characters.' },
    ...connectionOptionSpecs('auth'),
  },
  run: runRevoke,
};

/** The `sarkctl apikey` commands. */
export const apikeyCommands: CommandGroup = {
  summary: "Create, list and revoke the API keys of a node's org.",
  commands: { create: createCommand, list: listCommand, revoke: revokeCommand },
};

async function runCreate(values: OptionValues, io: CliIo): Promise<number> {
  const ttlSeconds = wholeNumberOption(values, 'ttl-seconds', { min: 1, unit: 'seconds' });
  const request: auth.CreateApiKeyRequest = {
    principal: requiredStringOption(values, 'principal'),
    scopes: stringListOption(values, 'scope'),
    description: stringOption(values, 'description') ?? '',
    ttl: ttlSeconds === undefined ? undefined : { seconds: ttlSeconds, nanos: 0 },
  };
  const settings = readConnectionSettings(values, 'auth');

  const response = await withNodeClient(auth.AuthClient, settings, (node) => node.call(node.client.createApiKey, request));

  if (values.json === true) {
    writeJson(io, auth.CreateApiKeyResponse.toJSON(response));
    // stdout stays one JSON document for scripts, so the warning goes to stderr for the person running them.
    io.stderr.write(`${SHOWN_ONCE_NOTICE}\n`);
    return EXIT_OK;
  }

  const key = response.key;
  const fields: Array<[string, string]> = [
    ['key id', key?.keyId ?? ''],
    ['principal', key?.principal ?? ''],
    ['scopes', formatScopes(key?.scopes ?? [])],
  ];
  if (key?.description) {
    fields.push(['description', key.description]);
  }
  fields.push(['created', formatTimestamp(key?.createdAt, '')], ['expires', formatTimestamp(key?.expiresAt, 'never')], ['api key', response.apiKey]);
  io.stdout.write(formatFields(fields));
  io.stdout.write(`${SHOWN_ONCE_NOTICE}\n`);

  return EXIT_OK;
}

async function runList(values: OptionValues, io: CliIo): Promise<number> {
  const pageSize = wholeNumberOption(values, 'page-size', { min: 1, max: MAX_PAGE_SIZE });
  const pageToken = stringOption(values, 'page-token');
  const filter = { principal: stringOption(values, 'principal') ?? '', includeRevoked: values['include-revoked'] === true };
  const settings = readConnectionSettings(values, 'auth');
  const onePage = pageSize !== undefined || pageToken !== undefined;

  const response = await withNodeClient(auth.AuthClient, settings, (node) =>
    onePage ? node.call(node.client.listApiKeys, { ...filter, pageSize: pageSize ?? 0, pageToken: pageToken ?? '' }) : listAllKeys(node, filter),
  );

  if (values.json === true) {
    writeJson(io, auth.ListApiKeysResponse.toJSON(response));
    return EXIT_OK;
  }

  io.stdout.write(response.keys.length === 0 ? 'No API keys found.\n' : formatTable(KEY_COLUMNS, response.keys.map(keyRow)));
  if (response.nextPageToken !== '') {
    io.stdout.write(`next page token: ${response.nextPageToken}\nPass it as --page-token to print the next page.\n`);
  }

  return EXIT_OK;
}

async function runRevoke(values: OptionValues, io: CliIo): Promise<number> {
  const request: auth.RevokeApiKeyRequest = { keyId: requiredStringOption(values, 'key-id'), reason: requiredStringOption(values, 'reason') };
  const settings = readConnectionSettings(values, 'auth');

  const response = await withNodeClient(auth.AuthClient, settings, (node) => node.call(node.client.revokeApiKey, request));

  if (values.json === true) {
    writeJson(io, auth.RevokeApiKeyResponse.toJSON(response));
    return EXIT_OK;
  }

  const key = response.key;
  io.stdout.write(
    formatFields([
      ['key id', key?.keyId ?? ''],
      ['principal', key?.principal ?? ''],
      ['revoked', formatTimestamp(key?.revokedAt, '')],
      ['reason', key?.revokedReason ?? ''],
    ]),
  );

  return EXIT_OK;
}

/** Reads every page and returns the keys as one response with no next page. */
async function listAllKeys(
  node: NodeClient<auth.AuthClient>,
  filter: { principal: string; includeRevoked: boolean },
): Promise<auth.ListApiKeysResponse> {
  const keys: auth.ApiKey[] = [];
  let pageToken = '';

  do {
    const page = await node.call(node.client.listApiKeys, { ...filter, pageSize: 0, pageToken });
    if (page.nextPageToken !== '' && page.nextPageToken === pageToken) {
      throw new Error(`the auth service returned page token ${JSON.stringify(pageToken)} again; listing stopped to avoid a loop`);
    }
    keys.push(...page.keys);
    pageToken = page.nextPageToken;
  } while (pageToken !== '');

  return { keys, nextPageToken: '' };
}

function keyRow(key: auth.ApiKey): string[] {
  return [
    key.keyId,
    key.principal,
    formatScopes(key.scopes),
    formatTimestamp(key.createdAt, ''),
    formatTimestamp(key.expiresAt, 'never'),
    formatTimestamp(key.revokedAt, ''),
  ];
}

function formatScopes(scopes: string[]): string {
  return scopes.length === 0 ? 'none' : scopes.join(',');
}
