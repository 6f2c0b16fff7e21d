// A small INI reader for rclone.conf and ~/.aws/{config,credentials}: "[section]" headers, "key = value"
// lines, "#" and ";" comment lines. Values are taken verbatim after the first "=" (trimmed), because
// passwords and keys may contain ";" or "#"; a value wrapped in double quotes is unwrapped.
export interface IniSection {
  name: string;
  values: Record<string, string>;
}

export function parseIni(text: string): IniSection[] {
  const sections: IniSection[] = [];
  let current: IniSection | undefined;
  for (const rawLine of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = { name: header[1]!.trim(), values: {} };
      sections.push(current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0 || !current) continue;
    const key = line.slice(0, eq).trim().toLowerCase();
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    current.values[key] = value;
  }
  return sections;
}

/** rclone and the AWS CLI write booleans as true/false; accept the usual spellings. */
export function iniBool(value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  return /^(true|yes|1|on)$/i.test(value);
}
