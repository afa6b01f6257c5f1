// A stable colour per workspace for its initial avatar (ADS bold accent backgrounds).
const PALETTE = ['#1D7AFC', '#22A06B', '#E56910', '#8F7EE7', '#C9372C', '#1D9AAA', '#943D73', '#5B7F24'];

export function avatarColor(seed: string): string {
  let hash = 0;
  for (let i = 0; i < seed.length; i += 1) hash = (hash * 31 + seed.charCodeAt(i)) >>> 0;
  return PALETTE[hash % PALETTE.length] ?? PALETTE[0]!;
}

export function initial(name: string): string {
  const first = name.trim().charAt(0);
  return first === '' ? '?' : first.toUpperCase();
}
