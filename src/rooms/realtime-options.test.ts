// The rooms' built-in defaults are the configuration's defaults, so library use and `runlane serve` behave alike.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { DEFAULT_REALTIME_OPTIONS, resolveRealtimeOptions } from './realtime-options.js';

describe('realtime options', () => {
  it('should default to the same values as the `realtime` config section', () => {
    // The connection caps belong to the Socket.IO transport, which reads them from the configuration itself.
    const { maxConnections: _all, maxConnectionsPerIp: _perIp, maxConnectionsPerUser: _perUser, ...roomOptions } = loadConfig({ env: {} }).realtime;
    expect(roomOptions).toEqual(DEFAULT_REALTIME_OPTIONS);
  });

  it('should layer partial overrides, including the nested rate limit', () => {
    const resolved = resolveRealtimeOptions({ maxHistory: 5, rateLimit: { burst: 3 } });
    expect(resolved.maxHistory).toBe(5);
    expect(resolved.rateLimit).toEqual({ burst: 3, perSecond: DEFAULT_REALTIME_OPTIONS.rateLimit.perSecond });
  });
});
