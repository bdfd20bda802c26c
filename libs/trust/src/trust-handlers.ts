import { trust as pb } from '@sark/proto';
import { paginate } from '@sark/platform';
import type { ServiceHandlers } from '@sark/grpc';
import type { PeerRecord, TrustState, TrustStore } from './trust-store.js';
import { requireOrg } from './org-name.js';

const stateToProto: Record<TrustState, pb.TrustState> = {
  untrusted: pb.TrustState.TRUST_STATE_UNTRUSTED,
  pending: pb.TrustState.TRUST_STATE_PENDING,
  trusted: pb.TrustState.TRUST_STATE_TRUSTED,
  revoked: pb.TrustState.TRUST_STATE_REVOKED,
};

/** Handlers of sark.trust.v1.Trust over a trust store. */
export function createTrustHandlers(store: TrustStore): ServiceHandlers<typeof pb.TrustService> {
  return {
    async listPeers(request) {
      const peers = (await store.listPeers()).filter(
        (peer) => request.state === pb.TrustState.TRUST_STATE_UNSPECIFIED || stateToProto[peer.state] === request.state,
      );
      const page = paginate(peers, request, { default: 100, max: 500 });
      return { peers: page.items.map(toProto), nextPageToken: page.nextPageToken };
    },

    async getPeer(request) {
      const org = requireOrg('org', request.org);
      return { peer: toProto(await store.getPeer(org)) };
    },
  };
}

function toProto(peer: PeerRecord): pb.Peer {
  return {
    org: peer.org,
    state: stateToProto[peer.state],
    bundle: { org: peer.org, caCertificatesPem: peer.caCertificatesPem, fingerprintsSha256: peer.fingerprintsSha256 },
    updatedAt: { seconds: Math.floor(peer.updatedAt.getTime() / 1000), nanos: (peer.updatedAt.getTime() % 1000) * 1e6 },
  };
}

