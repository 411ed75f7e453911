import { api, unwrap } from "../../api/client";
import type { Meeting } from "../../api/types";
import { useAuth } from "../../auth/AuthContext";
import { Loadable } from "../../components/Loadable";
import { formatDateTime } from "../../lib/dates";
import { humanise } from "../../lib/labels";
import { useResource } from "../../lib/useResource";
import { managesPartnership } from "../meeting/manage";

type Window = { starts_at_after?: string; starts_at_before?: string; sort: string };

function listMeetings(partnershipId: number, window: Window) {
  return unwrap(
    api.GET("/api/v1/meetings", {
      params: { query: { partnership_id: partnershipId, limit: 6, ...window } },
    }),
  ).then((page) => page.items);
}

function MeetingList({ meetings, empty }: { meetings: Meeting[]; empty: string }) {
  if (meetings.length === 0) return <p class="muted">{empty}</p>;
  return (
    <ul class="link-list">
      {meetings.map((m) => (
        <li key={m.id}>
          <a href={`/meetings/${m.id}`}>{m.title}</a>{" "}
          <span class="muted">
            {formatDateTime(m.starts_at)} · {humanise(m.status)}
          </span>
        </li>
      ))}
    </ul>
  );
}

export function Meetings({ partnershipId }: { partnershipId: number }) {
  const { me } = useAuth();
  const [meetings, reload] = useResource(() => {
    const now = new Date().toISOString();
    return Promise.all([
      listMeetings(partnershipId, { starts_at_after: now, sort: "starts_at" }),
      listMeetings(partnershipId, { starts_at_before: now, sort: "-starts_at" }),
    ]);
  }, [partnershipId]);
  return (
    <Loadable resource={meetings} label="meetings" onRetry={reload}>
      {([upcoming, recent]) => (
        <>
        {managesPartnership(me, partnershipId) && (
          <p>
            <a class="button-link" href={`/partnerships/${partnershipId}/meetings/new`}>
              Schedule a meeting
            </a>
          </p>
        )}
        <div class="two-columns">
          <div>
            <h3>Upcoming</h3>
            <MeetingList meetings={upcoming} empty="No meetings scheduled." />
          </div>
          <div>
            <h3>Recent</h3>
            <MeetingList meetings={recent} empty="No meetings held yet." />
          </div>
        </div>
        </>
      )}
    </Loadable>
  );
}
