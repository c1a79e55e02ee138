/** Small parsers for environment values. Each throws a message that names the variable. */

export class InvalidConfigError extends Error {
  constructor(variable: string, problem: string, value: string) {
    super(`Invalid configuration: ${variable} ${problem} (got "${value}")`);
    this.name = 'InvalidConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Unset and empty both mean "use the default". */
export function readString(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

export function readInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = readString(env, name);
  if (raw === undefined) {
    return fallback;
  }
  if (!/^-?\d+$/.test(raw)) {
    throw new InvalidConfigError(name, 'must be an integer', raw);
  }
  const value = Number(raw);
  if (value < min || value > max) {
    throw new InvalidConfigError(name, `must be between ${min} and ${max}`, raw);
  }
  return value;
}

export function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = readString(env, name);
  if (raw === undefined) {
    return fallback;
  }
  switch (raw.toLowerCase()) {
    case 'true':
    case '1':
    case 'yes':
      return true;
    case 'false':
    case '0':
    case 'no':
      return false;
    default:
      throw new InvalidConfigError(name, 'must be true or false', raw);
  }
}

export function readEnum<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = readString(env, name);
  if (raw === undefined) {
    return fallback;
  }
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new InvalidConfigError(name, `must be one of ${allowed.join(', ')}`, raw);
  }
  return raw as T;
}

export function readUrl(env: Env, name: string, protocols: readonly string[]): string | undefined {
  const raw = readString(env, name);
  if (raw === undefined) {
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidConfigError(name, 'must be a URL', redactUrl(raw));
  }
  if (!protocols.includes(url.protocol)) {
    throw new InvalidConfigError(
      name,
      `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`,
      redactUrl(raw),
    );
  }
  return raw;
}

export interface HostPort {
  host: string;
  port: number;
}

export function readHostPortList(env: Env, name: string): HostPort[] | undefined {
  const raw = readString(env, name);
  if (raw === undefined) {
    return undefined;
  }
  return raw.split(',').map((item) => {
    const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(item.trim());
    const port = match ? Number(match[2]) : 0;
    if (!match || port < 1 || port > 65535) {
      throw new InvalidConfigError(name, 'must be a comma-separated list of host:port', raw);
    }
    return { host: match[1], port };
  });
}

/** Keeps passwords out of error messages and logs. */
export function redactUrl(raw: string): string {
  return raw.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
