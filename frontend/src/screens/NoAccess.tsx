import { api, unwrap } from "../api/client";
import type { Me } from "../api/types";
import { grantedBy, homePath, SCREEN_NAMES, type Screen } from "../auth/access";
import { useMe } from "../auth/AuthContext";
import { MAX_PAGE, peopleDirectory } from "../lib/directory";
import { ACCOUNT_ROLE_LABELS, ROLE_LABELS } from "../lib/labels";
import { useResource } from "../lib/useResource";
import { useTitle } from "../lib/useTitle";
import "../styles/admin.css";

type Contact = { name: string; role: string; partnership: string };
const MANAGING = new Set(["chair", "vice_chair", "officer"]);

/** The chairs, vice-chairs and officers of the caller's partnerships: who can grant officer screens. */
async function partnershipContacts(me: Me): Promise<Contact[]> {
  if (me.memberships.length === 0) return [];
  const [people, ...pages] = await Promise.all([
    peopleDirectory(),
    ...me.memberships.map((m) =>
      unwrap(
        api.GET("/api/v1/memberships", {
          params: { query: { partnership_id: m.partnership_id, current: true, limit: MAX_PAGE } },
        }),
      ),
    ),
  ]);
  return pages.flatMap((page, n) =>
    page.items
      .filter((m) => MANAGING.has(m.role) && m.person_id !== me.person_id)
      .map((m) => ({
        name: people.get(m.person_id)?.name ?? "Someone",
        role: ROLE_LABELS[m.role],
        partnership: me.memberships[n]!.partnership_name,
      })),
  );
}

async function administrators(): Promise<string[]> {
  const page = await unwrap(api.GET("/api/v1/administrators", { params: { query: { limit: MAX_PAGE } } }));
  return page.items.map((a) => a.name);
}

function Contacts({ me, byOfficer }: { me: Me; byOfficer: boolean }) {
  const [admins] = useResource(administrators, []);
  const [contacts] = useResource(() => (byOfficer ? partnershipContacts(me) : Promise.resolve([])), [me.id, byOfficer]);
  const names = admins.status === "ready" ? admins.data : [];
  const people = contacts.status === "ready" ? contacts.data : [];
  return (
    <ul class="contacts">
      {people.map((c) => (
        <li key={`${c.partnership}-${c.name}-${c.role}`}>
          {c.name}, {c.role.toLowerCase()} of {c.partnership}
        </li>
      ))}
      {names.map((name) => (
        <li key={`admin-${name}`}>{name}, LSP Hub administrator</li>
      ))}
    </ul>
  );
}

/** Shown at the address of a screen the signed-in principal may not use (no data is loaded). */
export function NoAccess({ screen }: { screen: Screen }) {
  useTitle("No access");
  const me = useMe();
  const byOfficer = grantedBy(screen) === "officer";
  return (
    <section class="card refusal" aria-labelledby="no-access-title">
      <h1 id="no-access-title">You don't have access to this</h1>
      <p>
        You are signed in as <strong>{me.name}</strong> ({ACCOUNT_ROLE_LABELS[me.role].toLowerCase()}), and this
        account cannot use {SCREEN_NAMES[screen]}.
      </p>
      <h2>Who to ask</h2>
      {byOfficer ? (
        <p>
          An officer of your partnership or an LSP Hub administrator can do this for you, or give your account the
          officer role if you need it regularly:
        </p>
      ) : (
        <p>
          Only LSP Hub administrators can use {SCREEN_NAMES[screen]}. Ask one of them to make the change for you, or to
          give your account the access you need:
        </p>
      )}
      <Contacts me={me} byOfficer={byOfficer} />
      <p>
        <a href={homePath(me.role)}>Go to your home page</a>
      </p>
    </section>
  );
}
