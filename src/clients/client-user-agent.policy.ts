import { Inject, Injectable } from '@nestjs/common';
import type { AnnounceContext } from 'src/announce/announce-lookup.step';
import { AnnouncePolicy, AnnouncePolicyOrder } from 'src/announce/policy/announce-policy.decorator';
import { addFlag, type AnnouncePolicyStep } from 'src/announce/policy/announce-policy-step';
import { AnnounceFailure, FailureCode } from 'src/announce/protocol/announce-failure';
import { userAgentContradicts } from 'src/clients/client-family.util';
import { TRACKER_CONFIG, type TrackerConfig } from 'src/config/tracker.config';

/**
 * CLIENT_USER_AGENT_CHECK=on: refuses an announce whose peer_id names one client family and whose User-Agent names
 * another (client-family.util.ts). An announce without a User-Agent (UDP) or from a client of no known family passes.
 * With the check off, such an announce is answered but raises the `user_agent_mismatch` cheat flag (unless
 * CHEAT_POLICY=off), so staff see spoofed clients before they refuse them.
 */
@Injectable()
@AnnouncePolicy({ order: AnnouncePolicyOrder.ClientUserAgent })
export class ClientUserAgentPolicy implements AnnouncePolicyStep {
  private readonly refuses: boolean;
  private readonly flags: boolean;

  constructor(@Inject(TRACKER_CONFIG) config: TrackerConfig) {
    this.refuses = config.clients.userAgentCheck;
    this.flags = config.cheatPolicy !== 'off';
  }

  check(context: AnnounceContext): void {
    if ((!this.refuses && !this.flags) || !userAgentContradicts(context.request.peerId, context.userAgent)) {
      return;
    }
    if (this.refuses) {
      throw new AnnounceFailure(
        FailureCode.ClientUserAgentMismatch,
        'Your client sent a peer_id of one client and a User-Agent of another.',
      );
    }
    addFlag(context, 'user_agent_mismatch');
  }
}
