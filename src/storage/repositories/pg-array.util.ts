const PLAIN = /^[0-9A-Za-z.:%_+-]+$/;

/**
 * A PostgreSQL array literal (`{1,2,NULL}`), for an `$n::type[]` parameter. node-postgres quotes every element of
 * an array parameter with two regex replaces: about 5 µs a row for a flush batch's ten columns, so a batch of 5,000
 * rows held the event loop for 25 ms. Numbers must be integers (byte counts, epoch milliseconds); strings are
 * quoted only when they need it.
 */
export function pgArray(values: readonly (number | string | null)[]): string {
  let text = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (i > 0) {
      text += ',';
    }
    if (value === null) {
      text += 'NULL';
    } else if (typeof value === 'number') {
      text += Number.isSafeInteger(value) ? String(value) : BigInt(Math.trunc(value)).toString();
    } else if (PLAIN.test(value) && value.toUpperCase() !== 'NULL') {
      text += value;
    } else {
      text += `"${value.replace(/[\\"]/g, '\\$&')}"`;
    }
  }
  return `${text}}`;
}
