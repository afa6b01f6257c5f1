// A handful of ADS-like glyphs, drawn in 24×24 and coloured with currentColor.
import type { ReactElement } from 'react';

export type IconName =
  'more' | 'chevron-down' | 'chevron-left' | 'chevron-right' | 'info' | 'success' | 'error' | 'warning' | 'close' | 'refresh' | 'external' | 'add';

const GLYPHS: Record<IconName, ReactElement> = {
  more: (
    <g fill="currentColor">
      <circle cx="5" cy="12" r="2" />
      <circle cx="12" cy="12" r="2" />
      <circle cx="19" cy="12" r="2" />
    </g>
  ),
  'chevron-down': (
    <path d="M7.3 9.3a1 1 0 0 1 1.4 0L12 12.6l3.3-3.3a1 1 0 1 1 1.4 1.4l-4 4a1 1 0 0 1-1.4 0l-4-4a1 1 0 0 1 0-1.4z" fill="currentColor" />
  ),
  'chevron-left': (
    <path d="M14.7 7.3a1 1 0 0 1 0 1.4L11.4 12l3.3 3.3a1 1 0 1 1-1.4 1.4l-4-4a1 1 0 0 1 0-1.4l4-4a1 1 0 0 1 1.4 0z" fill="currentColor" />
  ),
  'chevron-right': (
    <path d="M9.3 7.3a1 1 0 0 1 1.4 0l4 4a1 1 0 0 1 0 1.4l-4 4a1 1 0 1 1-1.4-1.4l3.3-3.3-3.3-3.3a1 1 0 0 1 0-1.4z" fill="currentColor" />
  ),
  info: (
    <g>
      <circle cx="12" cy="12" r="9" fill="currentColor" />
      <rect x="11" y="10.5" width="2" height="6" rx="1" fill="#fff" />
      <circle cx="12" cy="8" r="1.2" fill="#fff" />
    </g>
  ),
  success: (
    <g>
      <circle cx="12" cy="12" r="9" fill="currentColor" />
      <path d="M8.2 12.3l2.5 2.5 5-5.2" stroke="#fff" strokeWidth="2" fill="none" strokeLinecap="round" strokeLinejoin="round" />
    </g>
  ),
  error: (
    <g>
      <path d="M8.3 3h7.4L21 8.3v7.4L15.7 21H8.3L3 15.7V8.3z" fill="currentColor" />
      <rect x="11" y="7" width="2" height="7" rx="1" fill="#fff" />
      <circle cx="12" cy="16.5" r="1.2" fill="#fff" />
    </g>
  ),
  warning: (
    <g>
      <path d="M10.3 4.2a2 2 0 0 1 3.4 0l7.4 12.8A2 2 0 0 1 19.4 20H4.6a2 2 0 0 1-1.7-3z" fill="currentColor" />
      <rect x="11" y="8" width="2" height="6" rx="1" fill="#fff" />
      <circle cx="12" cy="16.5" r="1.2" fill="#fff" />
    </g>
  ),
  close: (
    <path
      d="M6.3 6.3a1 1 0 0 1 1.4 0L12 10.6l4.3-4.3a1 1 0 1 1 1.4 1.4L13.4 12l4.3 4.3a1 1 0 0 1-1.4 1.4L12 13.4l-4.3 4.3a1 1 0 0 1-1.4-1.4l4.3-4.3-4.3-4.3a1 1 0 0 1 0-1.4z"
      fill="currentColor"
    />
  ),
  refresh: (
    <path
      d="M12 5a7 7 0 0 1 6.3 4H16a1 1 0 1 0 0 2h4a1 1 0 0 0 1-1V6a1 1 0 1 0-2 0v1.4A9 9 0 1 0 21 12a1 1 0 1 0-2 0 7 7 0 1 1-7-7z"
      fill="currentColor"
    />
  ),
  external: (
    <path
      d="M13 4a1 1 0 1 0 0 2h3.6l-6.3 6.3a1 1 0 0 0 1.4 1.4L18 7.4V11a1 1 0 1 0 2 0V5a1 1 0 0 0-1-1zM6 7a2 2 0 0 0-2 2v9a2 2 0 0 0 2 2h9a2 2 0 0 0 2-2v-4a1 1 0 1 0-2 0v4H6V9h4a1 1 0 1 0 0-2z"
      fill="currentColor"
    />
  ),
  add: <path d="M12 5a1 1 0 0 1 1 1v5h5a1 1 0 1 1 0 2h-5v5a1 1 0 1 1-2 0v-5H6a1 1 0 1 1 0-2h5V6a1 1 0 0 1 1-1z" fill="currentColor" />,
};

export function Icon({ name, size = 24, label }: { name: IconName; size?: 16 | 20 | 24; label?: string }) {
  return (
    <svg
      className="ads-icon"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      role={label ? 'img' : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : true}
      focusable="false"
    >
      {GLYPHS[name]}
    </svg>
  );
}
