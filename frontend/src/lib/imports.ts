import type { Problem } from "../api/problem";
import type { ImportChange, ImportResult, ImportRowError } from "../api/types";

const isRowError = (value: unknown): value is ImportRowError =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as ImportRowError).row === "number" &&
  typeof (value as ImportRowError).message === "string";

/** A rejected import (422) lists its row errors in the problem body; other problems have none. */
export function rowErrors(problem: Problem): ImportRowError[] {
  const errors = problem.body.errors;
  return Array.isArray(errors) ? errors.filter(isRowError) : [];
}

const show = (value: unknown): string =>
  value === null || value === undefined || value === "" ? "(blank)" : String(value);

/** The natural key of a changed row, e.g. "safer-communities / 2.1 / 1 / a". */
export function describeKey(key: ImportChange["key"]): string {
  return Object.values(key).map(show).join(" / ");
}

/** "rag: amber → green" for each field an update would change. */
export function describeChanges(change: Pick<ImportChange, "before" | "after">): string[] {
  const before = change.before ?? {};
  return Object.entries(change.after)
    .filter(([field, value]) => show(before[field]) !== show(value))
    .map(([field, value]) => `${field}: ${show(before[field])} → ${show(value)}`);
}

export function summarise(result: Pick<ImportResult, "created" | "updated" | "unchanged">): string {
  return `${result.created} to create, ${result.updated} to update, ${result.unchanged} unchanged`;
}
