import { Injectable } from '@nestjs/common';
import type { AnnounceContext } from 'src/announce/announce-lookup.step';
import { AnnouncePolicy, AnnouncePolicyOrder } from 'src/announce/policy/announce-policy.decorator';
import type { AnnouncePolicyStep } from 'src/announce/policy/announce-policy-step';
import { AnnounceFailure, FailureCode } from 'src/announce/protocol/announce-failure';
import { LookupService } from 'src/lookup/lookup.service';

/** The client whitelist (peer_id prefixes, managed through the admin API), answered from the lookup cache. */
@Injectable()
@AnnouncePolicy({ order: AnnouncePolicyOrder.ClientWhitelist })
export class ClientWhitelistPolicy implements AnnouncePolicyStep {
  constructor(private readonly lookup: LookupService) {}

  check({ request }: AnnounceContext): void | Promise<void> {
    const allowed = this.lookup.cachedClientAllowed(request.peerId, Date.now());
    if (allowed === undefined) {
      return this.lookup.clientAllowed(request.peerId).then(refuseUnless);
    }
    refuseUnless(allowed);
  }
}

function refuseUnless(allowed: boolean): void {
  if (!allowed) {
    throw new AnnounceFailure(FailureCode.ClientNotAllowed, 'Your client is not on the allowed list.');
  }
}
