/** Deeper than any body of the admin API; deeper bodies are refused before class-transformer recurses into them. */
export const MAX_JSON_DEPTH = 32;

export type JsonShapeProblem = { kind: 'too-deep' } | { kind: 'nul'; field: string };

/**
 * Walks a parsed JSON value without recursion: too deep a nesting would overflow the stack of the validation that
 * follows (a 500), and a NUL character cannot be stored in PostgreSQL text (another 500).
 */
export function findJsonShapeProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): JsonShapeProblem | null {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value, depth: 0, path: '' }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item.value === 'string') {
      if (item.value.includes('\u0000')) {
        return { kind: 'nul', field: item.path };
      }
      continue;
    }
    if (item.value === null || typeof item.value !== 'object') {
      continue;
    }
    if (item.depth >= maxDepth) {
      return { kind: 'too-deep' };
    }
    const entries = Array.isArray(item.value) ? item.value.entries() : Object.entries(item.value);
    for (const [key, child] of entries) {
      if (typeof key === 'string' && key.includes('\u0000')) {
        return { kind: 'nul', field: join(item.path, key.split('\u0000').join('\\u0000')) };
      }
      stack.push({ value: child, depth: item.depth + 1, path: join(item.path, key) });
    }
  }
  return null;
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') {
    return `${path}[${key}]`;
  }
  return path === '' ? key : `${path}.${key}`;
}
