import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import {
  FailedPreconditionError,
  InternalError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  ResourceExhaustedError,
  UnauthenticatedError,
  UnavailableError,
} from '@sark/platform';
import { ERROR_CODE_METADATA_KEY, fromServiceError, REQUEST_ID_METADATA_KEY, toStatus } from './status.js';

describe('error to status mapping', () => {
  const cases = [
    { error: new InvalidArgumentError('request.principal', 'is required'), code: status.INVALID_ARGUMENT, details: 'request.principal: is required', errorCode: 'request.invalid_argument' },
    { error: new NotFoundError('discovery.org_not_found', 'no node of org x.example is known'), code: status.NOT_FOUND, details: 'no node of org x.example is known', errorCode: 'discovery.org_not_found' },
    { error: new PermissionDeniedError('routing.principal_org_mismatch', 'wrong org'), code: status.PERMISSION_DENIED, details: 'wrong org', errorCode: 'routing.principal_org_mismatch' },
    { error: new FailedPreconditionError('routing.org_not_trusted', 'not trusted'), code: status.FAILED_PRECONDITION, details: 'not trusted', errorCode: 'routing.org_not_trusted' },
    { error: new UnavailableError('store.unavailable', 'down'), code: status.UNAVAILABLE, details: 'down', errorCode: 'store.unavailable' },
  ];

  for (const testCase of cases) {
    it(`maps ${testCase.error.name} to ${status[testCase.code]}`, () => {
      const result = toStatus(testCase.error, 'req-1');

      assert.equal(result.code, testCase.code);
      assert.equal(result.details, testCase.details);
      assert.deepEqual(result.metadata.get(ERROR_CODE_METADATA_KEY), [testCase.errorCode]);
      assert.deepEqual(result.metadata.get(REQUEST_ID_METADATA_KEY), ['req-1']);
    });
  }

  it('gives every unauthenticated reason the same message and no code', () => {
    const revoked = toStatus(new UnauthenticatedError('auth.api_key_revoked', 'key k1 revoked'), 'a');
    const unknown = toStatus(new UnauthenticatedError('auth.api_key_unknown', 'no key k2'), 'b');

    assert.equal(revoked.code, status.UNAUTHENTICATED);
    assert.equal(revoked.details, unknown.details);
    assert.equal(revoked.details, UnauthenticatedError.publicMessage);
    assert.deepEqual(revoked.metadata.get(ERROR_CODE_METADATA_KEY), []);
  });

  it('sends retry-after-ms with RESOURCE_EXHAUSTED', () => {
    const result = toStatus(new ResourceExhaustedError('routing.peer_rate_limited', 'slow down', { retryAfterMs: 1500.2 }), 'c');

    assert.equal(result.code, status.RESOURCE_EXHAUSTED);
    assert.deepEqual(result.metadata.get('retry-after-ms'), ['1501']);
  });

  it('hides internal and unknown errors behind a request id', () => {
    for (const error of [new InternalError('store.corrupt', 'row 7 has a bad hash'), new TypeError('x is undefined')]) {
      const result = toStatus(error, 'req-9');

      assert.equal(result.code, status.INTERNAL);
      assert.equal(result.details, 'internal error (request id req-9)');
      assert.deepEqual(result.metadata.get(ERROR_CODE_METADATA_KEY), []);
    }
  });

  it('turns a remote status back into the matching domain error', () => {
    const metadata = new Metadata();
    metadata.set(ERROR_CODE_METADATA_KEY, 'discovery.org_not_found');
    const remote = Object.assign(new Error('5 NOT_FOUND: gone'), { code: status.NOT_FOUND, details: 'gone', metadata }) as ServiceError;

    const error = fromServiceError(remote, 'discovery');

    assert.ok(error instanceof NotFoundError);
    assert.equal(error.code, 'discovery.org_not_found');
    assert.equal(error.message, 'gone');
  });

  it('passes a remote INVALID_ARGUMENT message on unchanged', () => {
    const remote = Object.assign(new Error('3 INVALID_ARGUMENT'), { code: status.INVALID_ARGUMENT, details: 'request.context: key source_org is reserved', metadata: new Metadata() }) as ServiceError;

    const error = fromServiceError(remote, 'federation endpoint of sark.orgb.example');

    assert.equal(error.kind, 'invalid_argument');
    assert.equal(toStatus(error, 'r').details, 'request.context: key source_org is reserved');
  });

  it('keeps UNIMPLEMENTED from a remote server', () => {
    const remote = Object.assign(new Error('12 UNIMPLEMENTED'), { code: status.UNIMPLEMENTED, details: 'The server does not implement the method /sark.auth.v1.Auth/ListApiKeys', metadata: new Metadata() }) as ServiceError;

    const error = fromServiceError(remote, 'auth');

    assert.equal(error.kind, 'unimplemented');
    assert.equal(toStatus(error, 'r').code, status.UNIMPLEMENTED);
    assert.match(error.message, /^auth does not serve this method/);
  });

  it('turns a transport failure into UnavailableError', () => {
    const remote = Object.assign(new Error('14 UNAVAILABLE'), { code: status.UNAVAILABLE, details: 'connect ECONNREFUSED', metadata: new Metadata() }) as ServiceError;

    const error = fromServiceError(remote, 'federation endpoint of sark.orgb.example');

    assert.ok(error instanceof UnavailableError);
    assert.equal(error.message, 'federation endpoint of sark.orgb.example is unavailable: connect ECONNREFUSED');
  });
});
