/**
 * For each user, the swarms it leeches in and how many of its live slots leech in each, kept as leechers join and
 * leave: download slots then cost a Map lookup, not a walk of the user's peers (a seedbox user has thousands).
 */
export class UserLeeches {
  private readonly byUser = new Map<number, Map<number, number>>();

  add(userId: number, swarmId: number): void {
    let swarms = this.byUser.get(userId);
    if (swarms === undefined) {
      swarms = new Map();
      this.byUser.set(userId, swarms);
    }
    swarms.set(swarmId, (swarms.get(swarmId) ?? 0) + 1);
  }

  remove(userId: number, swarmId: number): void {
    const swarms = this.byUser.get(userId);
    const count = swarms?.get(swarmId);
    if (swarms === undefined || count === undefined) {
      return;
    }
    if (count > 1) {
      swarms.set(swarmId, count - 1);
    } else if (swarms.size > 1) {
      swarms.delete(swarmId);
    } else {
      this.byUser.delete(userId);
    }
  }

  /** The swarms other than `swarmId` the user leeches in, or -1 when it leeches `swarmId` already. */
  elsewhere(userId: number, swarmId: number | undefined): number {
    const swarms = this.byUser.get(userId);
    if (swarms === undefined) {
      return 0;
    }
    return swarmId !== undefined && swarms.has(swarmId) ? -1 : swarms.size;
  }
}
