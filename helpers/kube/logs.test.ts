import { describe, expect, test } from '@jest/globals';
import { sinceTimeParam } from './logs';

describe('logs since', () => {
  test('rounds down to the second, in RFC 3339', () => {
    expect(sinceTimeParam(new Date('2025-01-31T12:00:05.999Z'))).toBe('2025-01-31T12:00:05Z');
  });
});
