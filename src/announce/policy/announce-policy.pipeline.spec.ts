import { Injectable, Logger } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import type { AnnounceContext } from 'src/announce/announce-lookup.step';
import { AnnouncePolicy } from 'src/announce/policy/announce-policy.decorator';
import { addWarning, type AnnouncePolicyStep } from 'src/announce/policy/announce-policy-step';
import { AnnouncePolicyPipeline } from 'src/announce/policy/announce-policy.pipeline';
import { AnnounceFailure, FailureCode } from 'src/announce/protocol/announce-failure';

const ran: string[] = [];

@Injectable()
@AnnouncePolicy({ order: 20 })
class HalvesDownload implements AnnouncePolicyStep {
  check(context: AnnounceContext): void {
    ran.push('HalvesDownload');
    context.credit.downloadFactor /= 2;
  }
}

@Injectable()
@AnnouncePolicy({ order: 10 })
class WarnsAsync implements AnnouncePolicyStep {
  async check(context: AnnounceContext): Promise<void> {
    ran.push('WarnsAsync');
    await Promise.resolve();
    addWarning(context, 'first.');
  }
}

@Injectable()
@AnnouncePolicy({ order: 20 })
class AlsoAtTwenty implements AnnouncePolicyStep {
  check(context: AnnounceContext): void {
    ran.push('AlsoAtTwenty');
    addWarning(context, 'second.');
    if (context.request.left === 1) {
      throw new AnnounceFailure(FailureCode.BadRequest, 'left = 1 is refused here.');
    }
    if (context.request.left === 2) {
      throw new TypeError('a bug in a step');
    }
  }
}

@Injectable()
@AnnouncePolicy({ order: 30 })
class Last implements AnnouncePolicyStep {
  check(): void {
    ran.push('Last');
  }
}

@Injectable()
class NotAPolicy {
  check(): void {
    ran.push('NotAPolicy');
  }
}

function contextWithLeft(left: number): AnnounceContext {
  return {
    request: { left },
    credit: { uploadFactor: 1, downloadFactor: 1 },
    warning: undefined,
  } as unknown as AnnounceContext;
}

describe('the announce policy pipeline', () => {
  let pipeline: AnnouncePolicyPipeline;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [DiscoveryModule],
      providers: [AnnouncePolicyPipeline, Last, HalvesDownload, NotAPolicy, AlsoAtTwenty, WarnsAsync],
    }).compile();
    moduleRef.useLogger(false);
    await moduleRef.init();
    pipeline = moduleRef.get(AnnouncePolicyPipeline);
  });

  beforeEach(() => {
    ran.length = 0;
  });

  it('finds the decorated providers only, sorted by order, then by class name', () => {
    expect(pipeline.order).toEqual(['WarnsAsync', 'AlsoAtTwenty', 'HalvesDownload', 'Last']);
  });

  it('runs every step in order; steps warn and change what is credited', async () => {
    const context = contextWithLeft(0);
    await pipeline.check(context);
    expect(ran).toEqual(['WarnsAsync', 'AlsoAtTwenty', 'HalvesDownload', 'Last']);
    expect(context.warning).toBe('first. second.');
    expect(context.credit).toEqual({ uploadFactor: 1, downloadFactor: 0.5 });
  });

  it('stops at the first refusal and throws it as it is', async () => {
    const refused = pipeline.check(contextWithLeft(1));
    await expect(refused).rejects.toMatchObject({ code: FailureCode.BadRequest, reason: 'left = 1 is refused here.' });
    expect(ran).toEqual(['WarnsAsync', 'AlsoAtTwenty']);
  });

  it('turns a step that throws unexpectedly into a generic refusal, logged with its name', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      await expect(pipeline.check(contextWithLeft(2))).rejects.toMatchObject({
        code: FailureCode.Unavailable,
        reason: 'The tracker is temporarily unavailable.',
      });
      expect(ran).toEqual(['WarnsAsync', 'AlsoAtTwenty']);
      expect(logged).toHaveBeenCalledWith(
        expect.stringContaining('Announce policy AlsoAtTwenty failed: a bug in a step'),
        expect.any(String),
      );
    } finally {
      logged.mockRestore();
    }
  });
});
