import { forwardRef, type ButtonHTMLAttributes, type ReactNode } from 'react';
import { Spinner } from './Spinner';
import './button.css';

export type ButtonAppearance = 'default' | 'primary' | 'subtle' | 'danger' | 'link' | 'subtle-link';

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  appearance?: ButtonAppearance;
  isLoading?: boolean;
  iconBefore?: ReactNode;
  iconAfter?: ReactNode;
  spacing?: 'default' | 'compact';
}

export const Button = forwardRef<HTMLButtonElement, ButtonProps>(function Button(
  { appearance = 'default', isLoading = false, iconBefore, iconAfter, spacing = 'default', className, children, disabled, type, ...rest },
  ref,
) {
  const classes = [
    'ads-button',
    `ads-button--${appearance}`,
    spacing === 'compact' ? 'ads-button--compact' : '',
    isLoading ? 'ads-button--loading' : '',
    className ?? '',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <button ref={ref} type={type ?? 'button'} className={classes} disabled={disabled || isLoading} aria-busy={isLoading || undefined} {...rest}>
      {iconBefore ? <span className="ads-button__icon">{iconBefore}</span> : null}
      {children !== undefined ? <span className="ads-button__label">{children}</span> : null}
      {iconAfter ? <span className="ads-button__icon">{iconAfter}</span> : null}
      {isLoading ? (
        <span className="ads-button__spinner" aria-hidden="true">
          <Spinner size="small" label="" inverse={appearance === 'primary' || appearance === 'danger'} />
        </span>
      ) : null}
    </button>
  );
});
