import { describe, expect, it } from 'vitest';
import { ResponseFloor } from './response-floor.ts';

/** A clock that only moves when told, and a sleep that records its wait and moves the clock. */
function fakeTime() {
  let now = 0;
  const slept: number[] = [];
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
    slept,
  };
}

describe('ResponseFloor', () => {
  it('pads faster work up to a high quantile of recent durations', async () => {
    const time = fakeTime();
    const floor = new ResponseFloor({ ...time, quantile: 0.9, window: 10 });
    for (const ms of [3, 3, 3, 3, 3, 3, 3, 3, 3, 4]) {
      const timer = floor.start();
      time.advance(ms);
      await timer.finish();
    }
    expect(floor.currentFloorMs).toBe(4);

    time.slept.length = 0;
    for (const ms of [3, 4]) {
      const timer = floor.start();
      time.advance(ms);
      await timer.finish();
    }
    // A 3 ms and a 4 ms request both answer after 4 ms: their difference is gone.
    expect(time.slept).toEqual([1]);
  });

  it('follows the load: the floor rises with slower work and falls back when it passes', async () => {
    const time = fakeTime();
    const floor = new ResponseFloor({ ...time, quantile: 0.5, window: 4 });
    const run = async (ms: number) => {
      const timer = floor.start();
      time.advance(ms);
      await timer.finish();
    };
    for (const ms of [2, 2, 2, 2]) await run(ms);
    expect(floor.currentFloorMs).toBe(2);
    for (let i = 0; i < 40; i++) await run(10);
    expect(floor.currentFloorMs).toBe(10);
    for (let i = 0; i < 40; i++) await run(2);
    expect(floor.currentFloorMs).toBe(2);
  });

  it('never pads beyond maxFloorMs, and unrecorded work waits without moving the floor', async () => {
    const time = fakeTime();
    const floor = new ResponseFloor({ ...time, quantile: 0.5, window: 4, maxFloorMs: 5 });
    for (const ms of [50, 50, 50, 50]) {
      const timer = floor.start();
      time.advance(ms);
      await timer.finish();
    }
    expect(floor.currentFloorMs).toBe(5);
    time.slept.length = 0;
    const bot = floor.start();
    await bot.finish({ record: false });
    expect(time.slept).toEqual([5]);
    expect(floor.currentFloorMs).toBe(5);
  });

  it('pads and records only the work: time spent waiting for others is neither', async () => {
    const time = fakeTime();
    const floor = new ResponseFloor({ ...time, quantile: 0.9, window: 10 });
    for (const ms of [3, 3, 3, 3, 3, 3, 3, 3, 3, 4]) {
      const timer = floor.start();
      // Queued behind other requests for 20 ms, then 3 or 4 ms of its own work.
      time.advance(20 + ms);
      await timer.finish({ workMs: ms });
    }
    expect(floor.currentFloorMs).toBe(4);

    time.slept.length = 0;
    for (const [waited, work] of [
      [20, 3],
      [0, 4],
      [50, 3],
    ] as const) {
      const timer = floor.start();
      time.advance(waited + work);
      await timer.finish({ workMs: work });
    }
    // Each answers `waited` + 4 ms: the 3 ms work is padded by 1 ms however long it waited.
    expect(time.slept).toEqual([1, 1]);
  });
});
