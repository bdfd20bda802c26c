import { X509Certificate } from 'node:crypto';
import { auth as pb, common } from '@sark/proto';
import { InvalidArgumentError, PermissionDeniedError, UnauthenticatedError } from '@sark/platform';
import { describeCaller, isOperator, type CallContext, type ServiceHandlers } from '@sark/grpc';
import type { CertificateVerifier } from '@sark/trust';
import { validateRevokeReason, type ApiKeyRecord, type ApiKeyService } from './api-keys/index.js';
import { parsePrincipal, type PolicyContext, type PolicyEngine } from './policy/index.js';

/** API key scope that may manage API keys. */
export const API_KEY_ADMIN_SCOPE = 'apikeys:admin';

/** Sink for key management events; the node wires it to the audit service. */
export interface KeyEventRecorder {
  append(event: { correlationId: string; eventType: string; principal?: string; actor?: string; reason?: string; attributes?: Record<string, unknown> }): Promise<unknown>;
}

export interface AuthHandlerOptions {
  org: string;
  policies: PolicyEngine;
  apiKeys: ApiKeyService;
  certificates: CertificateVerifier;
  audit: KeyEventRecorder;
}

/** Handlers of sark.auth.v1.Auth. */
export function createAuthHandlers(options: AuthHandlerOptions): ServiceHandlers<typeof pb.AuthService> {
  return {
    async authenticate(request, context) {
      requireCertificate(context, options.org, 'Authenticate');
      if (request.apiKey !== undefined) {
        return { identity: apiKeyIdentity(await options.apiKeys.authenticate(request.apiKey), options.org) };
      }
      if (request.certificatePem !== undefined) {
        return { identity: await certificateIdentity(options.certificates, request.certificatePem) };
      }
      throw new InvalidArgumentError('credential', 'set api_key or certificate_pem');
    },

    async authorize(request, context) {
      requireCertificate(context, options.org, 'Authorize');
      if (!request.request) {
        throw new InvalidArgumentError('request', 'is required');
      }

      const result = options.policies.authorize({
        principal: request.request.principal,
        action: request.request.action,
        resource: request.request.resource,
        context: (request.request.context ?? {}) as PolicyContext,
        sourceOrg: request.sourceOrg || undefined,
        sourceNodeId: request.sourceNodeId || undefined,
      });
      const decision = result.decision === 'allow' ? common.Decision.DECISION_ALLOW : common.Decision.DECISION_DENY;
      return { decision: { decision, reason: result.reason, policyIds: result.policyIds } };
    },

    async createApiKey(request, context) {
      requireKeyAdmin(context, options.org);
      const principal = parsePrincipal(request.principal, 'principal');
      if (principal.org !== options.org) {
        throw new InvalidArgumentError('principal', `must belong to org ${options.org}; keys for ${principal.org} are issued by its own node`);
      }

      const callerKey = context.caller.apiKey;
      const ungranted = callerKey && !isOperator(context.caller, options.org) ? request.scopes.filter((scope) => !callerKey.scopes.includes(scope)) : [];
      if (ungranted.length > 0) {
        throw new PermissionDeniedError('auth.scope_not_held', `an API key can only grant scopes it has; it lacks ${ungranted.join(', ')}`);
      }

      const created = await renameField('ttl_seconds', 'ttl', () =>
        options.apiKeys.create({
          principal: request.principal,
          scopes: request.scopes,
          description: request.description,
          ttlSeconds: request.ttl ? durationSeconds(request.ttl) : undefined,
        }),
      );
      await recordOrUndo(options, context, created.key, async () => {
        await options.apiKeys.revoke({ keyId: created.key.keyId, reason: 'not recorded in the audit trail' });
      });
      return { key: toProto(created.key), apiKey: created.apiKey };
    },

    async listApiKeys(request, context) {
      requireKeyAdmin(context, options.org);
      const page = await options.apiKeys.list({
        principal: request.principal || undefined,
        includeRevoked: request.includeRevoked,
        pageSize: request.pageSize || undefined,
        pageToken: request.pageToken || undefined,
      });
      return { keys: page.keys.map(toProto), nextPageToken: page.nextPageToken ?? '' };
    },

    async revokeApiKey(request, context) {
      requireKeyAdmin(context, options.org);
      if (request.keyId === '') {
        throw new InvalidArgumentError('key_id', 'is required');
      }
      // Record first: a revocation must never exist without its event. A
      // failed revocation after the record leaves a second event on retry,
      // which is the lesser fault.
      const current = await options.apiKeys.get(request.keyId);
      if (current.revokedAt !== null) {
        return { key: toProto(current) };
      }
      validateRevokeReason(request.reason);
      await options.audit.append({
        correlationId: context.requestId,
        eventType: 'api_key_revoked',
        principal: current.principal,
        actor: describeCaller(context.caller),
        reason: request.reason,
        attributes: { key_id: current.keyId },
      });

      const revoked = await options.apiKeys.revoke({ keyId: request.keyId, reason: request.reason });
      return { key: toProto(revoked) };
    },
  };
}

/**
 * Records a new key in the audit trail. A key that cannot be recorded is
 * revoked before the error goes back, so no usable key exists unaudited.
 */
async function recordOrUndo(options: AuthHandlerOptions, context: CallContext, key: ApiKeyRecord, undo: () => Promise<void>): Promise<void> {
  try {
    await options.audit.append({
      correlationId: context.requestId,
      eventType: 'api_key_created',
      principal: key.principal,
      actor: describeCaller(context.caller),
      attributes: { key_id: key.keyId, scopes: key.scopes, expires_at: key.expiresAt?.toISOString() ?? null },
    });
  } catch (error) {
    await undo();
    throw error;
  }
}

/** Runs `action` and reports an InvalidArgumentError on `from` under the request field `to`. */
async function renameField<T>(from: string, to: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof InvalidArgumentError && error.field === from) {
      throw new InvalidArgumentError(to, error.message.slice(from.length + 2), { cause: error, code: error.code });
    }
    throw error;
  }
}

/**
 * Lets only certificates of this org (its services and operators) call
 * Authenticate and Authorize, so an API key cannot probe other keys or
 * query policies for arbitrary principals.
 */
function requireCertificate(context: CallContext, org: string, method: string): void {
  if (context.caller.certificate?.org !== org) {
    throw new PermissionDeniedError('auth.certificate_required', `${method} needs a client certificate of ${org}`);
  }
}

function requireKeyAdmin(context: CallContext, org: string): void {
  if (isOperator(context.caller, org) || context.caller.apiKey?.scopes.includes(API_KEY_ADMIN_SCOPE)) {
    return;
  }
  throw new PermissionDeniedError('auth.not_key_admin', `managing API keys needs an operator certificate of ${org} or an API key with scope ${API_KEY_ADMIN_SCOPE}`);
}

function apiKeyIdentity(record: ApiKeyRecord, org: string): pb.Identity {
  return { kind: pb.IdentityKind.IDENTITY_KIND_API_KEY, principal: record.principal, org, scopes: record.scopes, credentialId: record.keyId };
}

async function certificateIdentity(verifier: CertificateVerifier, pem: string): Promise<pb.Identity> {
  let der: Buffer;
  try {
    der = new X509Certificate(pem).raw;
  } catch (error) {
    throw new UnauthenticatedError('auth.certificate_malformed', 'certificate_pem is not a PEM certificate', { cause: error });
  }

  const identity = await verifier.verify(der);
  return { kind: pb.IdentityKind.IDENTITY_KIND_CERTIFICATE, principal: identity.spiffeId, org: identity.org, scopes: [], credentialId: identity.fingerprintSha256 };
}

function durationSeconds(duration: { seconds: number; nanos: number }): number {
  if (duration.nanos !== 0) {
    throw new InvalidArgumentError('ttl', 'must be a whole number of seconds');
  }
  return duration.seconds;
}

function toProto(record: ApiKeyRecord): pb.ApiKey {
  return {
    keyId: record.keyId,
    principal: record.principal,
    scopes: record.scopes,
    description: record.description,
    createdAt: timestamp(record.createdAt),
    expiresAt: record.expiresAt ? timestamp(record.expiresAt) : undefined,
    revokedAt: record.revokedAt ? timestamp(record.revokedAt) : undefined,
    revokedReason: record.revokedReason ?? '',
  };
}

function timestamp(date: Date): { seconds: number; nanos: number } {
  const millis = date.getTime();
  return { seconds: Math.floor(millis / 1000), nanos: (millis % 1000) * 1e6 };
}
