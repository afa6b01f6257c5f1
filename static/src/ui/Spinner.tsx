import './spinner.css';

export function Spinner({
  size = 'medium',
  label = 'Loading',
  inverse = false,
}: {
  size?: 'small' | 'medium' | 'large';
  label?: string;
  inverse?: boolean;
}) {
  const px = size === 'small' ? 16 : size === 'large' ? 48 : 24;
  return (
    <span className={`ads-spinner${inverse ? ' ads-spinner--inverse' : ''}`} role="status" aria-label={label}>
      <svg width={px} height={px} viewBox="0 0 16 16" aria-hidden="true" focusable="false">
        <circle cx="8" cy="8" r="7" fill="none" strokeWidth="1.5" strokeLinecap="round" strokeDasharray="33" strokeDashoffset="10" />
      </svg>
    </span>
  );
}

/** A centred spinner for a region that is loading. */
export function LoadingBlock({ label }: { label: string }) {
  return (
    <div className="ads-loading-block">
      <Spinner size="large" label={label} />
    </div>
  );
}
