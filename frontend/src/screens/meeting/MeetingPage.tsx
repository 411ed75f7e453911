import { api, unwrap, unwrapTagged } from "../../api/client";
import { HistoryLink } from "../../components/HistoryLink";
import { Loadable } from "../../components/Loadable";
import { formatDateTime } from "../../lib/dates";
import { humanise } from "../../lib/labels";
import { useResource } from "../../lib/useResource";
import { useTitle } from "../../lib/useTitle";
import { Attendance } from "./Attendance";
import { Decisions } from "./Decisions";
import { AgendaSection } from "./AgendaBuilder";
import { MeetingActions, MeetingStatusNote } from "./MeetingActions";
import { Minutes } from "./Minutes";

async function loadMeeting(id: number) {
  const [{ data: meeting, etag }, agenda] = await Promise.all([
    unwrapTagged(api.GET("/api/v1/meetings/{item_id}", { params: { path: { item_id: id } } })),
    unwrap(api.GET("/api/v1/meetings/{meeting_id}/agenda-items", { params: { path: { meeting_id: id } } })),
  ]);
  const partnership = await unwrap(
    api.GET("/api/v1/partnerships/{item_id}", { params: { path: { item_id: meeting.partnership_id } } }),
  );
  return { meeting, etag, partnership, agenda: agenda.items };
}

export function MeetingPage({ id }: { id: string }) {
  const meetingId = Number(id);
  const [resource, reload] = useResource(() => loadMeeting(meetingId), [meetingId]);
  useTitle(resource.status === "ready" ? resource.data.meeting.title : "Meeting");
  return (
    <Loadable resource={resource} label="meeting" onRetry={reload}>
      {({ meeting, etag, partnership, agenda }) => (
        <>
          <nav aria-label="Breadcrumb" class="breadcrumb">
            <a href={`/partnerships/${partnership.id}`}>{partnership.name}</a> › Meeting
          </nav>
          <header class="page-head">
            <h1>{meeting.title}</h1>
            <p class="muted">
              {formatDateTime(meeting.starts_at)}
              {meeting.location ? ` · ${meeting.location}` : ""} · {humanise(meeting.kind ?? "ordinary")} ·{" "}
              <strong>{humanise(meeting.status ?? "scheduled")}</strong>
            </p>
            <HistoryLink resource="meeting" id={meeting.id} noun="meeting" />
            <MeetingStatusNote meeting={meeting} />
            <MeetingActions meeting={meeting} etag={etag} onChanged={reload} />
          </header>
          <section class="card" aria-labelledby="agenda-title">
            <h2 id="agenda-title">Agenda</h2>
            <AgendaSection meeting={meeting} editable={meeting.can?.update ?? false} onChanged={reload} />
          </section>
          <section class="card" aria-labelledby="attendance-title">
            <h2 id="attendance-title">Attendance and apologies</h2>
            <Attendance meeting={meeting} />
          </section>
          <section class="card" aria-labelledby="decisions-title">
            <h2 id="decisions-title">Decisions</h2>
            <Decisions meeting={meeting} agenda={agenda} />
          </section>
          <section class="card" aria-labelledby="minutes-title">
            <h2 id="minutes-title">Minutes</h2>
            <Minutes meeting={meeting} agenda={agenda} onChanged={reload} />
          </section>
        </>
      )}
    </Loadable>
  );
}
