// "Check now": asks the server to check the site's users against Jira, and shows the run's progress.
import Button from '@atlaskit/button/new';
import ProgressBar from '@atlaskit/progress-bar';
import { token } from '@atlaskit/tokens';
import { useCallback, useEffect, useRef, useState } from 'react';
import { latestUserCheck, startUserCheck, type UserCheck } from '../api/offboarding-api';
import { useBridge } from '../host/BridgeContext';
import { useResource } from '../lib/use-resource';

const POLL_MS = 1000;

export function UserCheckButton({ onFinished }: { onFinished?: () => void }) {
  const bridge = useBridge();
  const latest = useResource(useCallback(() => latestUserCheck(bridge), [bridge]));
  const check = latest.state.status === 'ready' ? latest.state.data.userCheck : null;
  const [error, setError] = useState<string | null>(null);
  const { reload } = latest;

  const running = check?.status === 'running';
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => void reload({ silent: true }), POLL_MS);
    return () => clearInterval(timer);
  }, [running, reload]);

  // A run seen running, then ended: what it found is worth showing again.
  const wasRunning = useRef(false);
  useEffect(() => {
    if (wasRunning.current && !running) onFinished?.();
    wasRunning.current = running;
  }, [running, onFinished]);

  const start = async () => {
    setError(null);
    const result = await startUserCheck(bridge);
    if (result.ok) await reload({ silent: true });
    else setError(result.message);
  };

  return (
    <div style={{ display: 'grid', gap: token('space.100') }}>
      <div style={{ display: 'flex', gap: token('space.100'), alignItems: 'center' }}>
        <Button onClick={() => void start()} isDisabled={running}>
          Check now
        </Button>
        <span role="status" style={{ color: token('color.text.subtlest') }}>
          {describe(check)}
        </span>
      </div>
      {running && check ? <ProgressBar ariaLabel="Checking users against Jira" value={check.total > 0 ? check.checked / check.total : 0} /> : null}
      {error ? <span style={{ color: token('color.text.danger') }}>{error}</span> : null}
    </div>
  );
}

function describe(check: UserCheck | null): string {
  if (!check) return 'Jira has not been checked yet.';
  if (check.status === 'running') return `Checking users against Jira: ${check.checked} of ${check.total}…`;
  if (check.status === 'failed') return `The last check stopped: ${check.reason ?? 'unknown reason'}`;
  const unknown = check.unknown > 0 ? `, ${check.unknown} Jira could not answer for (not counted as gone)` : '';
  return `Last checked ${new Date(check.finishedAt ?? check.startedAt).toLocaleString()}: ${check.checked} users, ${check.inactive} deleted or deactivated${unknown}.`;
}
