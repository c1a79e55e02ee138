import { Injectable } from '@nestjs/common';
import type { AnnounceContext } from 'src/announce/announce-lookup.step';
import { AnnouncePolicy, AnnouncePolicyOrder } from 'src/announce/policy/announce-policy.decorator';
import type { AnnouncePolicyStep } from 'src/announce/policy/announce-policy-step';
import { AnnounceFailure, FailureCode } from 'src/announce/protocol/announce-failure';
import { LookupService } from 'src/lookup/lookup.service';

/**
 * The client block list (peer_id prefixes, optionally within a version range; managed at /api/blocked-clients),
 * answered from the lookup cache: an empty list costs an announce one map lookup, a long one a few comparisons.
 */
@Injectable()
@AnnouncePolicy({ order: AnnouncePolicyOrder.ClientBlockList })
export class ClientBlockListPolicy implements AnnouncePolicyStep {
  constructor(private readonly lookup: LookupService) {}

  check({ request }: AnnounceContext): void | Promise<void> {
    const blocked = this.lookup.cachedClientBlocked(request.peerId, Date.now());
    if (blocked === undefined) {
      return this.lookup.clientBlocked(request.peerId).then(refuseIfBlocked);
    }
    refuseIfBlocked(blocked);
  }
}

function refuseIfBlocked(sentence: string | null): void {
  if (sentence !== null) {
    throw new AnnounceFailure(FailureCode.ClientBlocked, sentence);
  }
}
