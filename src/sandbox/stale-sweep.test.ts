// Telling this server's leftovers from a crashed server's by the key in their names.
import { describe, expect, it } from 'vitest';
import { currentServerKey, isServerAlive, keyOf } from './stale-sweep.js';

describe('server keys', () => {
  describe('when naming run dirs, /etc copies and cgroups', () => {
    it('should read the key back from each kind of name and ignore foreign names', () => {
      expect(keyOf('4242.1234567')).toBe('4242.1234567');
      expect(keyOf('etc-4242.1234567-AbC123')).toBe('4242.1234567');
      expect(keyOf('4242.1234567-3c41f442-e1b4-4912-a69b-9574f00f007c')).toBe('4242.1234567');
      expect(keyOf('3c41f442-e1b4-4912-a69b-9574f00f007c')).toBeNull();
      expect(keyOf('runlane')).toBeNull();
    });
  });

  describe('when checking whether the owner still runs', () => {
    it('should see this process as alive and a reused or missing pid as gone', async () => {
      const key = await currentServerKey();
      expect(await isServerAlive(key)).toBe(true);
      expect(await isServerAlive(`${process.pid}.1`)).toBe(false);
      expect(await isServerAlive('999999999.1')).toBe(false);
    });
  });
});
