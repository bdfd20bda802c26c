import { apikeyCommands } from './apikey-commands.js';
import { auditCommands } from './audit-commands.js';
import type { CommandGroup } from './command.js';
import { pkiCommands } from './pki-commands.js';

/** Every command group of sarkctl by name. Add a group here to make `sarkctl <name> ...` available. */
export const commandGroups: Record<string, CommandGroup> = {
  pki: pkiCommands,
  apikey: apikeyCommands,
  audit: auditCommands,
};
