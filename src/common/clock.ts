import { Injectable } from '@nestjs/common';

/**
 * The wall clock of the rules that switch on time (promotions start and end by it). One injectable, so that a
 * test can move time: `jest.spyOn(app.get(Clock), 'now').mockReturnValue(…)`.
 */
@Injectable()
export class Clock {
  now(): number {
    return Date.now();
  }
}
