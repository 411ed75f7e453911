import { api, unwrap } from "../../api/client";
import { Loadable } from "../../components/Loadable";
import { MAX_PAGE, organisationDirectory, peopleDirectory } from "../../lib/directory";
import { ROLE_LABELS } from "../../lib/labels";
import { useResource } from "../../lib/useResource";

const ROLE_ORDER = Object.keys(ROLE_LABELS);

async function loadMembers(partnershipId: number) {
  const [page, people, organisations] = await Promise.all([
    unwrap(
      api.GET("/api/v1/memberships", {
        params: { query: { partnership_id: partnershipId, current: true, limit: MAX_PAGE } },
      }),
    ),
    peopleDirectory(),
    organisationDirectory(),
  ]);
  return page.items
    .map((m) => ({
      ...m,
      person: people.get(m.person_id)?.name ?? `Person ${m.person_id}`,
      onBehalfOf: m.on_behalf_of_id ? organisations.get(m.on_behalf_of_id)?.name : undefined,
    }))
    .sort(
      (a, b) =>
        ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role) || a.person.localeCompare(b.person),
    );
}

export function Members({ partnershipId }: { partnershipId: number }) {
  const [members, reload] = useResource(() => loadMembers(partnershipId), [partnershipId]);
  return (
    <Loadable resource={members} label="members" onRetry={reload}>
      {(rows) => (
        <div class="table-scroll" tabIndex={0} role="region" aria-label="Members">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">On behalf of</th>
                <th scope="col">Represents</th>
                <th scope="col">Voting</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((m) => (
                <tr key={m.id}>
                  <td>{m.person}</td>
                  <td>{ROLE_LABELS[m.role]}</td>
                  <td>{m.onBehalfOf ?? "—"}</td>
                  <td>{m.represents ?? "—"}</td>
                  <td>{m.voting ? "Yes" : "No"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Loadable>
  );
}
