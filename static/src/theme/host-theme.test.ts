import { describe, expect, it } from 'vitest';
import { hostColorMode } from './host-theme';

function root(attributes: Record<string, string>) {
  return { getAttribute: (name: string) => attributes[name] ?? null, hasAttribute: (name: string) => name in attributes };
}

describe('the colour mode a host wrote on <html>', () => {
  it('is light or dark as written', () => {
    expect(hostColorMode(root({ 'data-color-mode': 'dark' }))).toBe('dark');
    expect(hostColorMode(root({ 'data-color-mode': 'light' }))).toBe('light');
  });
  it('follows the browser when the host marks it auto, whatever mode it resolved to', () => {
    expect(hostColorMode(root({ 'data-color-mode': 'dark', 'data-color-mode-auto': '' }))).toBe('auto');
  });
  it('is unknown before the host says, or for a value it does not know', () => {
    expect(hostColorMode(root({}))).toBeNull();
    expect(hostColorMode(root({ 'data-color-mode': 'sepia' }))).toBeNull();
  });
});
