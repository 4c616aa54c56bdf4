import { type ConformanceReport, formatReport } from '../../conformance/index.js';

/** The ids of the failed checks of a report. */
export function failedIds(report: ConformanceReport): string[] {
  return report.checks.filter((c) => c.status === 'fail').map((c) => c.id);
}

/** Skipped checks with their reasons, `id: reason`. */
export function skips(report: ConformanceReport): string[] {
  return report.checks.filter((c) => c.status === 'skip').map((c) => `${c.id}: ${c.reason}`);
}

/** The report as text, for assertion messages: a failing test shows what the kit saw. */
export function explain(report: ConformanceReport): string {
  return `\n${formatReport(report)}`;
}
