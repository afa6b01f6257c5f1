import { avatarColor, initial } from '../lib/avatar-color';
import './avatar.css';

/** A square ("project"/"workspace") avatar showing the initial on a stable colour. */
export function Avatar({ name, size = 32 }: { name: string; size?: 24 | 32 | 40 }) {
  return (
    <span className="ads-avatar" aria-hidden="true" style={{ width: size, height: size, background: avatarColor(name), fontSize: size / 2 }}>
      {initial(name)}
    </span>
  );
}
