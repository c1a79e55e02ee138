import { Injectable } from '@nestjs/common';
import type { AnnounceContext } from 'src/announce/announce-lookup.step';
import { AnnouncePolicy, AnnouncePolicyOrder } from 'src/announce/policy/announce-policy.decorator';
import type { AnnouncePolicyStep } from 'src/announce/policy/announce-policy-step';
import { AnnounceFailure, FailureCode } from 'src/announce/protocol/announce-failure';

/** A user without `canLeech` may still seed (CONTRACT §2): only an announce with `left > 0` is refused. */
@Injectable()
@AnnouncePolicy({ order: AnnouncePolicyOrder.LeechPermission })
export class LeechPermissionPolicy implements AnnouncePolicyStep {
  check({ user, request }: AnnounceContext): void {
    if (request.left > 0 && !user.canLeech) {
      throw new AnnounceFailure(
        FailureCode.LeechNotAllowed,
        'You are not allowed to download. Seeding is still allowed.',
      );
    }
  }
}
