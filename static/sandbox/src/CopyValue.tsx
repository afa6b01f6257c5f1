import { useEffect, useState } from 'react';
import Button from '@atlaskit/button/new';

export function CopyValue({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = window.setTimeout(() => setCopied(false), 1500);
    return () => window.clearTimeout(timer);
  }, [copied]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      // Clipboard blocked: the value stays selectable.
    }
  };

  return (
    <div className="sbx-value">
      <dt>{label}</dt>
      <dd>
        <code className="sbx-value__code">{value}</code>
        <Button spacing="compact" appearance="subtle" aria-label={`Copy ${label}`} onClick={() => void copy()}>
          {copied ? 'Copied' : 'Copy'}
        </Button>
      </dd>
    </div>
  );
}
