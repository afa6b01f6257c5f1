import Button from '@atlaskit/button/new';
import DynamicTable from '@atlaskit/dynamic-table';
import Select from '@atlaskit/select';
import { token } from '@atlaskit/tokens';
import { useCallback, useEffect, useState } from 'react';
import { listLinkedAccounts } from '../api/admin-api';
import { exportAuditLog, listAuditLog, type AuditEntry } from '../api/backfill-api';
import { useBridge } from '../host/BridgeContext';
import { formatDateTime } from '../lib/relative-time';
import { useResource } from '../lib/use-resource';

const PAGE_SIZE = 20;

/** Who changed what and when: configuration, backfills, retries. Filtered by linked account, a page at a time, and exported as CSV. */
export function AuditLogSection({ refreshKey }: { refreshKey: number }) {
  const bridge = useBridge();
  const [linkedAccountId, setLinkedAccountId] = useState('');
  const [page, setPage] = useState(1);
  const load = useCallback(() => listAuditLog(bridge, { linkedAccountId, page, pageSize: PAGE_SIZE }), [bridge, linkedAccountId, page]);
  const { state, reload } = useResource(load);
  const loadAccounts = useCallback(() => listLinkedAccounts(bridge, { includeUnlinked: true }), [bridge]);
  const { state: accountsState } = useResource(loadAccounts);
  useEffect(() => void reload({ silent: true }), [refreshKey, reload]);
  const accounts = accountsState.status === 'ready' ? accountsState.data.linkedAccounts : [];
  const options = [{ value: '', label: 'All linked accounts' }, ...accounts.map((a) => ({ value: a.id, label: a.displayName }))];
  const total = state.status === 'ready' ? state.data.total : 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));

  const download = async () => {
    const result = await exportAuditLog(bridge, linkedAccountId);
    if (!result.ok) return bridge.showFlag({ type: 'error', title: "Couldn't export the audit log", description: result.message });
    const url = URL.createObjectURL(new Blob([result.body.csv], { type: 'text/csv;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = result.body.filename;
    link.click();
    URL.revokeObjectURL(url);
    if (!result.body.complete) {
      bridge.showFlag({
        type: 'info',
        title: 'The file holds the newest entries only',
        description: `The audit log is larger than the page can download at once: the file has its newest ${result.body.rows.toLocaleString()} entries. Choose one linked account to export that account's entries.`,
      });
    }
  };

  return (
    <section className="ati-section" aria-labelledby="ati-audit-title">
      <div className="ati-section__header">
        <div>
          <h2 id="ati-audit-title">Audit log</h2>
          <p className="ati-section__description">
            Every change to the configuration, every backfill and every bulk retry, with who made it and when.
          </p>
        </div>
        <div style={{ display: 'flex', gap: token('space.100'), alignItems: 'flex-end' }}>
          <div style={{ minWidth: 220 }}>
            <Select
              aria-label="Show the audit log of"
              options={options}
              value={options.find((o) => o.value === linkedAccountId) ?? options[0]}
              onChange={(option) => {
                setLinkedAccountId(option?.value ?? '');
                setPage(1);
              }}
            />
          </div>
          <Button onClick={() => void download()}>Export CSV</Button>
        </div>
      </div>
      <DynamicTable
        isLoading={state.status === 'loading'}
        emptyView={<p>{state.status === 'error' ? state.message : 'Nothing recorded yet.'}</p>}
        head={{
          cells: [
            { key: 'at', content: 'When' },
            { key: 'actor', content: 'Who' },
            { key: 'action', content: 'What' },
            { key: 'subject', content: 'About' },
            { key: 'change', content: 'Before → after' },
          ],
        }}
        rows={(state.status === 'ready' ? state.data.entries : []).map((entry) => ({
          key: entry.id,
          cells: [
            { key: 'at', content: formatDateTime(entry.at) },
            { key: 'actor', content: entry.actorAccountId ?? 'The app' },
            { key: 'action', content: entry.action },
            { key: 'subject', content: entry.subject },
            { key: 'change', content: change(entry) },
          ],
        }))}
      />
      {pages > 1 ? (
        <div style={{ display: 'flex', gap: token('space.100'), alignItems: 'center' }}>
          <Button isDisabled={page <= 1} onClick={() => setPage(page - 1)}>
            Newer
          </Button>
          <span>
            Page {page} of {pages}
          </span>
          <Button isDisabled={page >= pages} onClick={() => setPage(page + 1)}>
            Older
          </Button>
        </div>
      ) : null}
    </section>
  );
}

const change = (entry: AuditEntry) => `${JSON.stringify(entry.before)} → ${JSON.stringify(entry.after)}`;
