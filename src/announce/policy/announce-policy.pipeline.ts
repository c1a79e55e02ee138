import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import type { AnnounceContext } from 'src/announce/announce-lookup.step';
import { ANNOUNCE_POLICY, type AnnouncePolicyOptions } from 'src/announce/policy/announce-policy.decorator';
import type { AnnouncePolicyStep } from 'src/announce/policy/announce-policy-step';
import { AnnounceFailure, FailureCode } from 'src/announce/protocol/announce-failure';

interface DiscoveredStep {
  name: string;
  order: number;
  step: AnnouncePolicyStep;
}

/**
 * The announce policy pipeline: every provider marked `@AnnouncePolicy({ order })`, in any module, found at boot
 * through DiscoveryService (as @nestjs/cqrs and @nestjs/schedule find theirs) and sorted once into an array. TrackerCore
 * runs it after the lookup step and before AnnounceService writes the PeerStore (the order: src/announce/README.md).
 */
@Injectable()
export class AnnouncePolicyPipeline implements OnModuleInit {
  private readonly logger = new Logger(AnnouncePolicyPipeline.name);
  private steps: readonly DiscoveredStep[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    const found = new Map<AnnouncePolicyStep, DiscoveredStep>();
    for (const wrapper of this.discovery.getProviders()) {
      const metatype = wrapper.metatype;
      if (!metatype || typeof metatype !== 'function') {
        continue;
      }
      const options = this.reflector.get<AnnouncePolicyOptions | undefined>(ANNOUNCE_POLICY, metatype);
      if (!options) {
        continue;
      }
      const name = metatype.name;
      if (!wrapper.isDependencyTreeStatic() || !wrapper.instance) {
        throw new Error(`Announce policy ${name} must be a singleton provider (no request scope)`);
      }
      const step = wrapper.instance as AnnouncePolicyStep;
      if (typeof step.check !== 'function') {
        throw new Error(`Announce policy ${name} has no check(context) method`);
      }
      found.set(step, { name, order: options.order, step });
    }
    this.steps = [...found.values()].sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
    this.logger.log(`Announce policies: ${this.steps.map(({ name, order }) => `${name} (${order})`).join(', ')}`);
  }

  /** The steps' names, in the order they run. */
  get order(): string[] {
    return this.steps.map(({ name }) => name);
  }

  /** Runs every step; throws the AnnounceFailure of the first that refuses. */
  async check(context: AnnounceContext): Promise<void> {
    const steps = this.steps;
    for (let i = 0; i < steps.length; i++) {
      try {
        const pending = steps[i].step.check(context);
        if (pending !== undefined) {
          await pending;
        }
      } catch (error) {
        throw error instanceof AnnounceFailure ? error : this.unexpected(error, steps[i].name);
      }
    }
  }

  /** Logged without the request, whose URL holds the passkey. */
  private unexpected(exception: unknown, name: string): AnnounceFailure {
    const error = exception instanceof Error ? exception : new Error(String(exception));
    this.logger.error(`Announce policy ${name} failed: ${error.message}`, error.stack);
    return new AnnounceFailure(FailureCode.Unavailable, 'The tracker is temporarily unavailable.', 1);
  }
}
