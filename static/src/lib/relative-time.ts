// "3 minutes ago", "in 2 hours", "yesterday", then a date. English only, like the rest of the UI.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

export function formatDate(date: Date): string {
  return `${date.getDate()} ${MONTHS[date.getMonth()]} ${date.getFullYear()}`;
}

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const hh = String(date.getHours()).padStart(2, '0');
  const mm = String(date.getMinutes()).padStart(2, '0');
  return `${formatDate(date)}, ${hh}:${mm}`;
}

export function relativeTime(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const seconds = Math.round((now.getTime() - date.getTime()) / 1000);
  const future = seconds < 0;
  const abs = Math.abs(seconds);
  const say = (text: string) => (future ? `in ${text}` : `${text} ago`);
  // Within 45 s either way (clock skew included) is "just now".
  if (abs < 45) return 'just now';
  const minutes = Math.round(abs / 60);
  if (minutes < 60) return say(plural(minutes, 'minute'));
  const hours = Math.round(abs / 3600);
  if (hours < 24) return say(plural(hours, 'hour'));
  const days = Math.round(abs / 86400);
  if (days === 1) return future ? 'tomorrow' : 'yesterday';
  if (days < 7) return say(plural(days, 'day'));
  return formatDate(date);
}
