import { Inject, Injectable, Module, type DynamicModule } from '@nestjs/common';
import { BlockList } from 'node:net';
import type { AnnounceContext } from 'src/announce/announce-lookup.step';
import { AnnouncePolicy } from 'src/announce/policy/announce-policy.decorator';
import type { AnnouncePolicyStep } from 'src/announce/policy/announce-policy-step';
import { AnnounceFailure, FailureCode } from 'src/announce/protocol/announce-failure';

const REFUSED_RANGES = Symbol('REFUSED_RANGES');

/** Refuses announces from the given ranges; runs between canLeech (100) and the client whitelist (200). */
@Injectable()
@AnnouncePolicy({ order: 150 })
export class IpRangePolicy implements AnnouncePolicyStep {
  constructor(@Inject(REFUSED_RANGES) private readonly refused: BlockList) {}

  check({ address }: AnnounceContext): void {
    if (this.refused.check(address.ip, address.bytes.length === 4 ? 'ipv4' : 'ipv6')) {
      throw new AnnounceFailure(FailureCode.BadRequest, 'Announces from your network are not accepted.', 'never');
    }
  }
}

/** `IpRangePolicyModule.refusing(['10.0.0.0/8'])` in any module's imports; nothing else to register. */
@Module({})
export class IpRangePolicyModule {
  static refusing(cidrs: string[]): DynamicModule {
    const ranges = new BlockList();
    for (const cidr of cidrs) {
      const [network, prefix] = cidr.split('/');
      ranges.addSubnet(network, Number(prefix), network.includes(':') ? 'ipv6' : 'ipv4');
    }
    return { module: IpRangePolicyModule, providers: [{ provide: REFUSED_RANGES, useValue: ranges }, IpRangePolicy] };
  }
}
