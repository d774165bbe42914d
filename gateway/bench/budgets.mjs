// Every benchmark figure that has a budget goes through here: printed beside its budget, with met / OVER,
// and listed again in the closing summary.
export function createBudgets() {
  const rows = [];
  const line = (r) => `  ${r.name.padEnd(62)} ${r.shown.padStart(10)}   budget ${r.op} ${r.limitShown.padEnd(9)} ${r.met ? 'met' : 'OVER BUDGET'}`;
  return {
    /** `op`: '<=' or '>='. Prints the line now and keeps it for the summary. */
    check(name, value, op, limit, { unit = '', digits = 2 } = {}) {
      const met = Number.isFinite(value) && (op === '<=' ? value <= limit : value >= limit);
      const row = { name, value, op, limit, met, shown: `${Number.isFinite(value) ? value.toFixed(digits) : 'n/a'}${unit}`, limitShown: `${limit}${unit}` };
      rows.push(row);
      console.log(line(row));
      return met;
    },
    summary(title) {
      const met = rows.filter((r) => r.met).length;
      console.log(`\n== ${title}: ${met} of ${rows.length} budgets met ==`);
      for (const r of rows) console.log(line(r));
      return met === rows.length;
    },
    rows,
  };
}
