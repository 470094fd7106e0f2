export function bytes(n: number | null | undefined): string {
  if (n == null) return "";
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

export function date(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function duration(seconds: number): string {
  if (!isFinite(seconds) || seconds < 0) return "";
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.ceil(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.ceil((seconds % 3600) / 60)} min`;
}

// Parses "10 GiB", "500MB", "1.5 g" or a plain number of bytes; null for empty input.
export function parseBytes(text: string): number | null | undefined {
  const t = text.trim();
  if (!t) return null;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?$/i.exec(t);
  if (!m) return undefined;
  const power = " kmgt".indexOf(m[2].toLowerCase() || " ");
  return Math.round(parseFloat(m[1]) * Math.pow(1024, power));
}

// Bidirectional controls in a name (U+202E RIGHT-TO-LEFT OVERRIDE and its kin) reorder what
// follows them: "invoice\u202Efdp.exe" would read "invoiceexe.pdf". Wherever a name is shown,
// they appear as visible codes instead; the name itself (for renames, downloads) is unchanged.
const kBidiControls = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

export function displayName(name: string): string {
  return name.replace(kBidiControls, (c) => `‹U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}›`);
}
