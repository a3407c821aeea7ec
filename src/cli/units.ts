// Human-readable sizes and durations exactly as the docker CLI prints them (docker/go-units:
// HumanSize, HumanSizeWithPrecision, HumanDuration), including Go's `%g` number formatting.

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/** Go's `strconv.FormatFloat(x, 'g', precision, 64)`: trailing zeros dropped, exponent form `1e+03`. */
export function formatGoG(x: number, precision: number): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : x < 0 ? '-Inf' : 'NaN';
  const p = Math.max(1, precision);
  const [mantissa, expText] = x.toExponential(p - 1).split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= p) {
    const m = stripZeros(mantissa);
    const sign = exp < 0 ? '-' : '+';
    return `${m}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return stripZeros(x.toFixed(Math.max(0, p - 1 - exp)));
}

function stripZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** go-units HumanSizeWithPrecision: decimal (1000) units, `precision` significant digits. */
export function humanSizeWithPrecision(bytes: number, precision: number): string {
  let size = bytes;
  let i = 0;
  while (size >= 1000 && i < DECIMAL_UNITS.length - 1) {
    size /= 1000;
    i++;
  }
  return formatGoG(size, precision) + DECIMAL_UNITS[i];
}

/** go-units HumanSize (4 significant digits): `docker system df`, "Total reclaimed space". */
export function humanSize(bytes: number): string {
  return humanSizeWithPrecision(bytes, 4);
}

/** go-units BytesSize: binary (1024) units, 4 significant digits ("23.48GiB", `docker info`). */
export function bytesSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let size = bytes;
  let i = 0;
  while (size >= 1024 && i < units.length - 1) {
    size /= 1024;
    i++;
  }
  return formatGoG(size, 4) + units[i];
}

/** The SIZE column of `docker images` / `docker history` (3 significant digits: "29.3kB"). */
export function imageSize(bytes: number): string {
  return humanSizeWithPrecision(bytes, 3);
}

/** go-units HumanDuration: "Less than a second", "About a minute", "3 hours", "2 weeks"... */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(ms / 3_600_000 / 24 / 365)} years`;
}

/** The CREATED column: "2 days ago"; "N/A" when the image records no creation time. */
export function createdSince(created: string | undefined, now: number = Date.now()): string {
  const t = created === undefined ? NaN : Date.parse(created);
  if (Number.isNaN(t)) return 'N/A';
  return `${humanDuration(now - t)} ago`;
}

/** Go's `time.Time.String()` in UTC, which docker's CreatedAt columns print: "2024-05-02 16:49:27 +0000 UTC". */
export function goTimeString(created: string | undefined): string {
  const t = created === undefined ? NaN : Date.parse(created);
  if (Number.isNaN(t)) return '';
  const iso = new Date(t).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000 UTC`;
}
