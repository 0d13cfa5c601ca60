import { describe, expect, it } from 'vitest';
import { forwardedClient } from './client-ip.ts';

describe('forwardedClient', () => {
  it('takes the entry the trusted proxies appended, never the ones the client wrote', () => {
    expect(forwardedClient('203.0.113.7', 1)).toBe('203.0.113.7');
    expect(forwardedClient('spoofed, 203.0.113.7', 1)).toBe('203.0.113.7');
    expect(forwardedClient('spoofed,198.51.100.4, 10.0.0.2', 2)).toBe('198.51.100.4');
  });

  it('falls back to the leftmost entry when fewer proxies wrote than are configured', () => {
    expect(forwardedClient('198.51.100.4', 2)).toBe('198.51.100.4');
    expect(forwardedClient(' , ', 1)).toBeUndefined();
  });
});
