import { describe, expect, it } from 'vitest';
import { htmlToText, withCustomData } from './connect-host';
import { HostCore } from './host-core';

describe('htmlToText', () => {
  it('decodes what the app escaped and drops tags', () => {
    expect(htmlToText('Bitbucket said &quot;no&quot; &amp; <b>stopped</b> &lt;here&gt; &#39;x&#39;')).toBe(
      'Bitbucket said "no" & stopped <here> \'x\'',
    );
  });
});

describe('withCustomData', () => {
  it('puts JSON in the fragment and replaces an existing one', () => {
    const url = withCustomData('/connect/configure-automatic-access?x=1#old', { linkedAccountId: 'a b', workspace: 'acme' });
    expect(url.startsWith('/connect/configure-automatic-access?x=1#ap-custom-data=')).toBe(true);
    const json = decodeURIComponent(url.split('#ap-custom-data=')[1]!);
    expect(JSON.parse(json)).toEqual({ linkedAccountId: 'a b', workspace: 'acme' });
  });
});

describe('HostCore', () => {
  it('closes a dialog once and hands its data to the opener', () => {
    const core = new HostCore();
    const closed: unknown[] = [];
    const id = core.openDialog({ title: 't', url: '/d', width: '1px', height: '1px', customData: null, onClose: (d) => closed.push(d) });
    expect(core.getSnapshot().dialogs).toHaveLength(1);
    core.closeDialog(id, { saved: true });
    core.closeDialog(id, { saved: false });
    expect(closed).toEqual([{ saved: true }]);
    expect(core.getSnapshot().dialogs).toHaveLength(0);
  });

  it('finds a dialog by its window', () => {
    const core = new HostCore();
    const win = {} as Window;
    const id = core.openDialog({ title: 't', url: '/d', width: '1px', height: '1px', customData: 1, onClose: () => {} });
    core.attachDialogWindow(id, win);
    expect(core.dialogForWindow(win)?.id).toBe(id);
    expect(core.dialogForWindow({} as Window)).toBeUndefined();
  });

  it('keeps the newest flag first and dismisses by id', () => {
    const core = new HostCore();
    core.showFlag({ id: 'a', type: 'info', title: 'A', autoClose: false });
    core.showFlag({ id: 'b', type: 'error', title: 'B', autoClose: false });
    expect(core.getSnapshot().flags.map((f) => f.id)).toEqual(['b', 'a']);
    core.dismissFlag('b');
    expect(core.getSnapshot().flags.map((f) => f.id)).toEqual(['a']);
  });
});
