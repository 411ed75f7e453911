import { api, unwrap } from "../../api/client";
import { Loadable } from "../../components/Loadable";
import { formatDateTime } from "../../lib/dates";
import { useResource } from "../../lib/useResource";
import { useTitle } from "../../lib/useTitle";
import { loadMinutes, MinutesView } from "./Minutes";

async function load(id: number) {
  const [meeting, agenda, minutes] = await Promise.all([
    unwrap(api.GET("/api/v1/meetings/{item_id}", { params: { path: { item_id: id } } })),
    unwrap(api.GET("/api/v1/meetings/{meeting_id}/agenda-items", { params: { path: { meeting_id: id } } })),
    loadMinutes(id),
  ]);
  const partnership = await unwrap(api.GET("/api/v1/partnerships/{item_id}", { params: { path: { item_id: meeting.partnership_id } } }));
  return { meeting, agenda: agenda.items, minutes, partnership };
}

/** The minutes on their own, read-only and ready to print (`/meetings/:id/minutes`). */
export function MinutesPage({ id }: { id: string }) {
  const meetingId = Number(id);
  const [resource, reload] = useResource(() => load(meetingId), [meetingId]);
  useTitle(resource.status === "ready" ? `Minutes: ${resource.data.meeting.title}` : "Minutes");
  return (
    <Loadable resource={resource} label="minutes" onRetry={reload}>
      {({ meeting, agenda, minutes, partnership }) => (
        <article class="minutes-print">
          <nav aria-label="Breadcrumb" class="breadcrumb no-print">
            <a href={`/partnerships/${partnership.id}`}>{partnership.name}</a> › <a href={`/meetings/${meeting.id}`}>{meeting.title}</a> › Minutes
          </nav>
          <header class="page-head">
            <h1>Minutes: {meeting.title}</h1>
            <p class="muted">
              {partnership.name} · {formatDateTime(meeting.starts_at)}
              {meeting.location ? ` · ${meeting.location}` : ""}
            </p>
            <p>
              <strong>{minutes.approved ? "Approved as a true record" : "Draft — not yet approved"}</strong>
              {minutes.minutes_approved_at ? ` at the meeting of ${formatDateTime(minutes.minutes_approved_at)}` : ""}
            </p>
            <button type="button" onClick={() => window.print()}>
              Print the minutes
            </button>
          </header>
          <MinutesView meeting={meeting} minutes={minutes} agenda={agenda} editable={false} />
        </article>
      )}
    </Loadable>
  );
}
