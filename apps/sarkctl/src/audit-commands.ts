import { audit, common } from '@sark/proto';

import { EXIT_OK, stringOption, type CliIo, type Command, type CommandGroup, type OptionValues } from './command.js';
import { connectionOptionSpecs, readConnectionSettings } from './connection-options.js';
import { withNodeClient, type NodeClient } from './node-client.js';
import { wholeNumberOption } from './number-options.js';
import { formatTable, formatTimestamp, writeJson, type TableColumn } from './output.js';

const DEFAULT_LIMIT = 100;
// The maximum page size of Query, from the contract in audit.proto.
const MAX_PAGE_SIZE = 1000;

const EVENT_COLUMNS: TableColumn[] = [
  { header: 'SEQUENCE' },
  { header: 'RECORDED AT' },
  { header: 'EVENT TYPE', maxWidth: 32 },
  // A correlation id is a UUID of 36 characters, which fits uncut.
  { header: 'CORRELATION ID', maxWidth: 36 },
  { header: 'PRINCIPAL', maxWidth: 32 },
  { header: 'ACTION', maxWidth: 20 },
  { header: 'RESOURCE', maxWidth: 40 },
  { header: 'DECISION' },
  // Wide enough for spiffe://<org>/sark/operator/<name> with a short org and name.
  { header: 'ACTOR', maxWidth: 48 },
  { header: 'REASON', maxWidth: 60 },
];

const queryCommand: Command = {
  summary: 'Print audit events in sequence order',
  description: [
    "Prints events of the node's audit trail in sequence order, oldest first, that",
    'match every filter given. Table cells that are too long are cut and end in …,',
    'but --json prints every field uncut, including the attributes of each event.',
    'Needs a certificate of the org or an API key with scope audit:read.',
  ].join('\n'),
  options: {
    'correlation-id': { type: 'string', valueName: '<id>', description: 'Only events of this request. Both nodes of a cross-org request record it under the same id.' },
    'event-type': { type: 'string', valueName: '<type>', description: 'Only events of this type, such as api_key_created or cross_org_request.' },
    principal: { type: 'string', valueName: '<principal>', description: 'Only events about this principal, such as alice@orga.example.' },
    'after-sequence': { type: 'string', valueName: '<n>', description: 'Only events with a greater sequence number. Default 0: from the first event.' },
    limit: { type: 'string', valueName: '<n>', description: `Print at most this many events. Default ${DEFAULT_LIMIT}.` },
    ...connectionOptionSpecs('audit'),
  },
  run: runQuery,
};

/** The `sarkctl audit` commands. */
export const auditCommands: CommandGroup = {
  summary: "Read the node's audit trail.",
  commands: { query: queryCommand },
};

/** The filters of one query, as sent in each QueryRequest. */
type EventFilter = Pick<audit.QueryRequest, 'correlationId' | 'eventType' | 'principal'>;

async function runQuery(values: OptionValues, io: CliIo): Promise<number> {
  const afterSequence = wholeNumberOption(values, 'after-sequence', { min: 0 }) ?? 0;
  const limit = wholeNumberOption(values, 'limit', { min: 1 }) ?? DEFAULT_LIMIT;
  const filter: EventFilter = {
    correlationId: stringOption(values, 'correlation-id') ?? '',
    eventType: stringOption(values, 'event-type') ?? '',
    principal: stringOption(values, 'principal') ?? '',
  };
  const settings = readConnectionSettings(values, 'audit');

  const response = await withNodeClient(audit.AuditClient, settings, (node) => queryEvents(node, filter, afterSequence, limit));

  if (values.json === true) {
    writeJson(io, audit.QueryResponse.toJSON(response));
    return EXIT_OK;
  }

  io.stdout.write(response.events.length === 0 ? 'No audit events found.\n' : formatTable(EVENT_COLUMNS, response.events.map(eventRow)));
  if (response.nextAfterSequence !== 0) {
    io.stdout.write(`More events may follow: pass --after-sequence ${response.nextAfterSequence} to print them.\n`);
  }

  return EXIT_OK;
}

/**
 * Reads pages until `limit` events are read or the trail has no more.
 * `nextAfterSequence` of the result is 0 when no event can follow.
 */
async function queryEvents(node: NodeClient<audit.AuditClient>, filter: EventFilter, afterSequence: number, limit: number): Promise<audit.QueryResponse> {
  const events: audit.AuditEvent[] = [];
  let cursor = afterSequence;

  while (events.length < limit) {
    const pageSize = Math.min(limit - events.length, MAX_PAGE_SIZE);
    const page = await node.call(node.client.query, { ...filter, afterSequence: cursor, pageSize });
    events.push(...page.events.slice(0, pageSize));
    if (page.nextAfterSequence <= cursor) {
      return { events, nextAfterSequence: 0 };
    }
    cursor = page.nextAfterSequence;
  }

  return { events, nextAfterSequence: cursor };
}

function eventRow(event: audit.AuditEvent): string[] {
  return [
    String(event.sequence),
    formatTimestamp(event.recordedAt, ''),
    event.eventType,
    event.correlationId,
    event.principal,
    event.action,
    event.resource,
    formatDecision(event.decision),
    event.actor,
    event.reason,
  ];
}

function formatDecision(decision: common.Decision): string {
  if (decision === common.Decision.DECISION_ALLOW) {
    return 'allow';
  }
  if (decision === common.Decision.DECISION_DENY) {
    return 'deny';
  }

  return '';
}
