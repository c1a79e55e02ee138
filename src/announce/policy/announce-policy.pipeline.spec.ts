import { Injectable, Logger } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import type { AnnounceContext } from 'src/announce/announce-lookup.step';
import { AnnouncePolicy } from 'src/announce/policy/announce-policy.decorator';
import { addWarning, type AnnouncePolicyStep } from 'src/announce/policy/announce-policy-step';
import { AnnouncePolicyPipeline } from 'src/announce/policy/announce-policy.pipeline';
import { AnnounceFailure, FailureCode } from 'src/announce/protocol/announce-failure';
import { loadTrackerConfig, TRACKER_CONFIG } from 'src/config/tracker.config';
import { TrackerMetrics } from 'src/metrics/tracker-metrics';

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
@AnnouncePolicy({ order: 25, mode: 'observe' })
class TriedOut implements AnnouncePolicyStep {
  check(context: AnnounceContext): void {
    ran.push('TriedOut');
    if (context.request.left === 3) {
      throw new AnnounceFailure(FailureCode.BadRequest, 'left = 3 would be refused.');
    }
    if (context.request.left === 4) {
      throw new TypeError('a bug in a step being tried out');
    }
  }
}

@Injectable()
@AnnouncePolicy({ order: 30 })
class Last implements AnnouncePolicyStep {
  check(context: AnnounceContext): void {
    ran.push('Last');
    if (context.request.left === 3) {
      throw new AnnounceFailure(FailureCode.BadRequest, 'Last would refuse left = 3 too.');
    }
  }
}

@Injectable()
class NotAPolicy {
  check(): void {
    ran.push('NotAPolicy');
  }
}

const ALL_STEPS = [Last, HalvesDownload, NotAPolicy, AlsoAtTwenty, WarnsAsync, TriedOut];

async function pipelineWith(policyModes: string, steps: unknown[] = ALL_STEPS): Promise<AnnouncePolicyPipeline> {
  const moduleRef = await Test.createTestingModule({
    imports: [DiscoveryModule],
    providers: [
      { provide: TRACKER_CONFIG, useValue: loadTrackerConfig({ POLICY_MODES: policyModes }) },
      TrackerMetrics,
      AnnouncePolicyPipeline,
      ...(steps as (typeof ALL_STEPS)[number][]),
    ],
  }).compile();
  moduleRef.useLogger(false);
  await moduleRef.init();
  return moduleRef.get(AnnouncePolicyPipeline);
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
    pipeline = await pipelineWith('Last:observe');
  });

  beforeEach(() => {
    ran.length = 0;
  });

  it('finds the decorated providers only, sorted by order, then by class name', () => {
    expect(pipeline.order).toEqual(['WarnsAsync', 'AlsoAtTwenty', 'HalvesDownload', 'TriedOut', 'Last']);
  });

  it('runs every step in order; steps warn and change what is credited', async () => {
    const context = contextWithLeft(0);
    await pipeline.check(context);
    expect(ran).toEqual(['WarnsAsync', 'AlsoAtTwenty', 'HalvesDownload', 'TriedOut', 'Last']);
    expect(context.warning).toBe('first. second.');
    expect(context.actedBy).toBe('AlsoAtTwenty');
    expect(context.credit).toEqual({ uploadFactor: 1, downloadFactor: 0.5 });
  });

  it('stops at the first refusal and throws it as it is', async () => {
    const refused = pipeline.check(contextWithLeft(1));
    await expect(refused).rejects.toMatchObject({
      code: FailureCode.BadRequest,
      reason: 'left = 1 is refused here.',
      policy: 'AlsoAtTwenty',
    });
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

  it('counts what a step in observe mode (declared, or by POLICY_MODES) would refuse, and lets the announce go on', async () => {
    const metrics = () => (pipeline as unknown as { metrics: TrackerMetrics }).metrics.registry.metrics();
    const context = contextWithLeft(3);
    await pipeline.check(context);
    expect(ran).toEqual(['WarnsAsync', 'AlsoAtTwenty', 'HalvesDownload', 'TriedOut', 'Last']);
    expect(context.wouldRefuse).toMatchObject({ reason: 'Last would refuse left = 3 too.', policy: 'Last' });
    expect(context.actedBy).toBe('Last');
    await pipeline.check(contextWithLeft(3));
    const text = await metrics();
    expect(text).toMatch(/^tracker_policy_would_refuse_total\{policy="TriedOut"\} 2$/m);
    expect(text).toMatch(/^tracker_policy_would_refuse_total\{policy="Last"\} 2$/m);
  });

  it('logs a step in observe mode that throws unexpectedly, and refuses nothing for it', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const context = contextWithLeft(4);
      await pipeline.check(context);
      expect(ran).toEqual(['WarnsAsync', 'AlsoAtTwenty', 'HalvesDownload', 'TriedOut', 'Last']);
      expect(context.wouldRefuse).toBeUndefined();
      expect(logged).toHaveBeenCalledWith(
        expect.stringContaining('Announce policy TriedOut failed'),
        expect.any(String),
      );
    } finally {
      logged.mockRestore();
    }
  });

  it('enforces a step declared observe when POLICY_MODES says enforce', async () => {
    const enforcing = await pipelineWith('TriedOut:enforce');
    await expect(enforcing.check(contextWithLeft(3))).rejects.toMatchObject({ policy: 'TriedOut' });
  });

  it('answers without a promise while every step is synchronous, and throws their refusal as it is', async () => {
    const synchronous = await pipelineWith('', [HalvesDownload, AlsoAtTwenty, Last]);
    const context = contextWithLeft(0);
    expect(synchronous.check(context)).toBeUndefined();
    expect(context.actedBy).toBe('AlsoAtTwenty');
    expect(() => synchronous.check(contextWithLeft(1))).toThrow(expect.objectContaining({ policy: 'AlsoAtTwenty' }));
  });

  it('stops the boot on a POLICY_MODES name that is no policy', async () => {
    await expect(pipelineWith('NoSuchPolicy:observe')).rejects.toThrow(
      /POLICY_MODES names no policy called NoSuchPolicy/,
    );
  });

  it("accepts the peer store's own rules in POLICY_MODES, as the abuse ban's", async () => {
    const modes = 'PeerLimit:observe,DownloadSlots:observe,AnnouncePacing:enforce,AbuseBan:observe';
    await expect(pipelineWith(modes)).resolves.toBeInstanceOf(AnnouncePolicyPipeline);
    await expect(pipelineWith('PeerLimits:observe')).rejects.toThrow(
      /known: .*PeerLimit, DownloadSlots, AnnouncePacing/,
    );
  });
});
