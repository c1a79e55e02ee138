import { Injectable, Module } from '@nestjs/common';
import type { AnnounceContext } from 'src/announce/announce-lookup.step';
import { AnnouncePolicy } from 'src/announce/policy/announce-policy.decorator';
import { addFlag, type AnnouncePolicyStep } from 'src/announce/policy/announce-policy-step';

/** Test-only: flags every announce of a client whose peer_id starts with `-XX`, as a mismatch policy would. */
@Injectable()
@AnnouncePolicy({ order: 150 })
export class FlaggingPolicy implements AnnouncePolicyStep {
  check(context: AnnounceContext): void {
    if (context.request.peerId.toString('latin1', 0, 3) === '-XX') {
      addFlag(context, 'peer_id_user_agent_mismatch');
    }
  }
}

@Module({ providers: [FlaggingPolicy] })
export class FlaggingPolicyModule {}
