import { describe, expect, it } from 'vitest';
import { hostFromLocation } from './sandbox-api';

describe('the host the sandbox page plays', () => {
  it('is Forge by default, as new sites install through Forge', () => {
    expect(hostFromLocation('', true)).toBe('forge');
    expect(hostFromLocation('?theme=dark', true)).toBe('forge');
  });
  it('is Connect when the page asks for it', () => {
    expect(hostFromLocation('?host=connect', true)).toBe('connect');
  });
  it('is Connect by default when this server cannot play Forge, and Forge when asked by name (the page then says why not)', () => {
    expect(hostFromLocation('', false)).toBe('connect');
    expect(hostFromLocation('?host=forge', false)).toBe('forge');
  });
});
