import { api, unwrap } from "../api/client";
import type { Organisation, Person } from "../api/types";

/** The API's largest page (DESIGN §4). */
export const MAX_PAGE = 500;

type Page<T> = { items: T[]; total: number };

/** Every item of a list endpoint, fetched page by page. */
export async function listAll<T>(fetchPage: (offset: number) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  for (;;) {
    const page = await fetchPage(items.length);
    items.push(...page.items);
    if (page.items.length === 0 || items.length >= page.total) return items;
  }
}

const byId = <T extends { id: number }>(items: T[]) => new Map(items.map((i) => [i.id, i]));

let organisations: Promise<Map<number, Organisation>> | null = null;
let people: Promise<Map<number, Person>> | null = null;

/** Organisations by id, loaded once per sign-in (names for leads and on-behalf-of). */
export function organisationDirectory(): Promise<Map<number, Organisation>> {
  organisations ??= listAll((offset) =>
    unwrap(api.GET("/api/v1/organisations", { params: { query: { limit: MAX_PAGE, offset } } })),
  ).then(byId);
  organisations.catch(() => (organisations = null));
  return organisations;
}

/** People by id, loaded once per sign-in (member names). */
export function peopleDirectory(): Promise<Map<number, Person>> {
  people ??= listAll((offset) =>
    unwrap(api.GET("/api/v1/people", { params: { query: { limit: MAX_PAGE, offset } } })),
  ).then(byId);
  people.catch(() => (people = null));
  return people;
}

export function forgetDirectories(): void {
  organisations = null;
  people = null;
}
