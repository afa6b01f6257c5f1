import Tooltip from '@atlaskit/tooltip';

/**
 * A value that may be one long unbroken word (a name, an email address): cut with an ellipsis at
 * the column's width, the whole value in a tooltip on hover and focus. The text stays whole in the
 * DOM, so screen readers read all of it.
 */
export function Truncated({ value, className }: { value: string; className?: string }) {
  return (
    <Tooltip content={value} position="top">
      {(props) => (
        // Focusable so that a keyboard reaches the full value too.
        <span {...props} tabIndex={0} className={className ? `ati-truncate ${className}` : 'ati-truncate'}>
          {value}
        </span>
      )}
    </Tooltip>
  );
}
