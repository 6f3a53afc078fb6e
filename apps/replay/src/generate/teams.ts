// Display metadata F1DB's race files do not carry: team names and colours (the 2024 livery
// colours used by F1's own graphics), and driver codes and names derived from driver ids.

const TEAMS: Record<string, { name: string; color: string }> = {
  'red-bull': { name: 'Red Bull Racing', color: '#3671C6' },
  ferrari: { name: 'Ferrari', color: '#E8002D' },
  mercedes: { name: 'Mercedes', color: '#27F4D2' },
  mclaren: { name: 'McLaren', color: '#FF8000' },
  'aston-martin': { name: 'Aston Martin', color: '#229971' },
  alpine: { name: 'Alpine', color: '#FF87BC' },
  williams: { name: 'Williams', color: '#64C4FF' },
  rb: { name: 'RB', color: '#6692FF' },
  'kick-sauber': { name: 'Kick Sauber', color: '#52E252' },
  haas: { name: 'Haas', color: '#B6BABD' },
};

const SUFFIXES = new Set(['jr', 'sr', 'ii', 'iii']);
/** Where the last word of the id is not the family name F1 abbreviates. */
const CODES: Record<string, string> = { 'kimi-antonelli': 'ANT', 'andrea-kimi-antonelli': 'ANT' };

function titleCase(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

export function teamName(constructorId: string): string {
  return TEAMS[constructorId]?.name ?? constructorId.split('-').map(titleCase).join(' ');
}

/** The team colour, or a stable grey-blue derived from the id for teams not in the table. */
export function teamColor(constructorId: string): string {
  const known = TEAMS[constructorId];
  if (known) return known.color;
  let h = 0;
  for (let i = 0; i < constructorId.length; i++) h = (h * 31 + constructorId.charCodeAt(i)) >>> 0;
  const c = (k: number) => (96 + ((h >>> (k * 8)) & 0x7f)).toString(16).padStart(2, '0');
  return `#${c(0)}${c(1)}${c(2)}`.toUpperCase();
}

/** "max-verstappen" → "Max Verstappen"; "carlos-sainz-jr" → "Carlos Sainz Jr." */
export function driverName(driverId: string): string {
  return driverId
    .split('-')
    .map((w) => (SUFFIXES.has(w) ? `${titleCase(w)}.` : titleCase(w)))
    .join(' ');
}

/** Three-letter code: the first letters of the family name ("carlos-sainz-jr" → "SAI"). */
export function driverCode(driverId: string): string {
  if (CODES[driverId]) return CODES[driverId];
  const words = driverId.split('-').filter((w) => !SUFFIXES.has(w));
  const family = words[words.length - 1] ?? driverId;
  return family
    .replace(/[^a-z]/g, '')
    .slice(0, 3)
    .toUpperCase()
    .padEnd(3, 'X');
}
