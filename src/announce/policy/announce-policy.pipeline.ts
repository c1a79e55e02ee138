import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { ABUSE_BAN_POLICY } from 'src/abuse/abuse-ban.service';
import type { AnnounceContext } from 'src/announce/announce-lookup.step';
import { ANNOUNCE_POLICY, type AnnouncePolicyOptions } from 'src/announce/policy/announce-policy.decorator';
import type { AnnouncePolicyStep } from 'src/announce/policy/announce-policy-step';
import { AnnounceFailure, FailureCode } from 'src/announce/protocol/announce-failure';
import { TRACKER_CONFIG, type PolicyMode, type TrackerConfig } from 'src/config/tracker.config';
import type { TallyCount } from 'src/metrics/tally-metrics';
import { TrackerMetrics } from 'src/metrics/tracker-metrics';
import { STORE_POLICIES } from 'src/peers/peer-store.types';

/**
 * Refusing rules that are not pipeline steps but may be named in POLICY_MODES: the abuse ban, which the lookup
 * step applies before any lookup, and the rules the PeerStore enforces in its atomic step (AnnounceService counts
 * what they would refuse).
 */
export const FIXED_POLICIES = [ABUSE_BAN_POLICY, ...Object.values(STORE_POLICIES)];

interface DiscoveredStep {
  name: string;
  order: number;
  step: AnnouncePolicyStep;
  /** Set in observe mode: the step's would-refuse counter. */
  observed: TallyCount | null;
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
    @Inject(TRACKER_CONFIG) private readonly config: TrackerConfig,
    private readonly metrics: TrackerMetrics,
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
      const observed = this.modeOf(name, options.mode) === 'observe' ? this.metrics.policyWouldRefuse(name) : null;
      found.set(step, { name, order: options.order, step, observed });
    }
    this.steps = [...found.values()].sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
    const known = new Set<string>([...this.order, ...FIXED_POLICIES]);
    const unknown = [...this.config.policyModes.keys()].filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new Error(
        `Invalid configuration: POLICY_MODES names no policy called ${unknown.join(', ')} (known: ${[...known].join(', ')})`,
      );
    }
    const described = this.steps.map(({ name, order, observed }) => `${name} (${order}${observed ? ', observe' : ''})`);
    this.logger.log(`Announce policies: ${described.join(', ')}`);
  }

  /** A policy's mode: POLICY_MODES, else what its decorator declares, else `enforce`. */
  modeOf(name: string, declared: PolicyMode = 'enforce'): PolicyMode {
    return this.config.policyModes.get(name) ?? declared;
  }

  /** The steps' names, in the order they run. */
  get order(): string[] {
    return this.steps.map(({ name }) => name);
  }

  /**
   * Runs every step; throws the AnnounceFailure of the first enforcing step that refuses, naming the step. A step in
   * observe mode that refuses is counted and the announce goes on. `context.actedBy` names the last step that warned
   * or would have refused. Synchronous while the steps are (a promise only from the first step that answers one), so
   * that the common announce spends no promise here.
   */
  check(context: AnnounceContext): Promise<void> | undefined {
    return this.runFrom(0, context);
  }

  private runFrom(first: number, context: AnnounceContext): Promise<void> | undefined {
    const steps = this.steps;
    for (let i = first; i < steps.length; i++) {
      const warning = context.warning;
      let pending: void | Promise<void>;
      try {
        pending = steps[i].step.check(context);
      } catch (error) {
        this.refusedBy(steps[i], context, error);
        continue;
      }
      if (pending !== undefined) {
        return this.awaitStep(i, pending, warning, context);
      }
      if (context.warning !== warning) {
        context.actedBy = steps[i].name;
      }
    }
    return undefined;
  }

  /** Waits for the step at `index`, then runs the rest. */
  private async awaitStep(
    index: number,
    pending: Promise<void>,
    warning: string | undefined,
    context: AnnounceContext,
  ): Promise<void> {
    try {
      await pending;
      if (context.warning !== warning) {
        context.actedBy = this.steps[index].name;
      }
    } catch (error) {
      this.refusedBy(this.steps[index], context, error);
    }
    await this.runFrom(index + 1, context);
  }

  /** A step threw: rethrows its refusal (or a generic one) if it enforces; in observe mode, counts it and returns. */
  private refusedBy({ name, observed }: DiscoveredStep, context: AnnounceContext, error: unknown): void {
    if (!(error instanceof AnnounceFailure)) {
      const failure = this.unexpected(error, name);
      if (observed === null) {
        failure.policy = name;
        throw failure;
      }
      return; // logged; a step being tried out refuses nothing, not even by a bug
    }
    error.policy = name;
    if (observed === null) {
      throw error;
    }
    observed.value++;
    context.wouldRefuse = error;
    context.actedBy = name;
  }

  /** Logged without the request, whose URL holds the passkey. */
  private unexpected(exception: unknown, name: string): AnnounceFailure {
    const error = exception instanceof Error ? exception : new Error(String(exception));
    this.logger.error(`Announce policy ${name} failed: ${error.message}`, error.stack);
    return new AnnounceFailure(FailureCode.Unavailable, 'The tracker is temporarily unavailable.', 1);
  }
}
