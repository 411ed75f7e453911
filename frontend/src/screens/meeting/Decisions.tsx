import { useState } from "preact/hooks";
import { api, unwrap } from "../../api/client";
import { asProblem, type Problem } from "../../api/problem";
import type { AgendaItem, Decision, DecisionWrite } from "../../api/types";
import { useAuth } from "../../auth/AuthContext";
import { ErrorMessage, Loadable } from "../../components/Loadable";
import { humanise } from "../../lib/labels";
import { useResource } from "../../lib/useResource";
import { previewVote } from "../../lib/votes";

const METHODS: DecisionWrite["method"][] = ["consensus", "simple_majority", "two_thirds"];

const blank = (): DecisionWrite => ({
  agenda_item_id: null,
  text: "",
  method: "simple_majority",
  votes_for: 0,
  votes_against: 0,
  votes_abstain: 0,
  chair_casting_vote: null,
  member_heard: false,
});

function DecisionList({ decisions }: { decisions: Decision[] }) {
  if (decisions.length === 0) return <p class="muted">No decisions recorded.</p>;
  return (
    <ol class="decisions">
      {decisions.map((d) => (
        <li key={d.id}>
          <p>{d.text}</p>
          <p class="muted small">
            <strong class={`result result-${d.result}`}>{humanise(d.result)}</strong> · {humanise(d.method)} ·
            for {d.votes_for}, against {d.votes_against}, abstained {d.votes_abstain}
            {d.chair_casting_vote ? ` · chair's casting vote ${d.chair_casting_vote}` : ""}
          </p>
        </li>
      ))}
    </ol>
  );
}

function VoteInput({ id, label, value, onChange }: { id: string; label: string; value: number; onChange: (n: number) => void }) {
  return (
    <div class="form-row vote">
      <label for={id}>{label}</label>
      <input id={id} type="number" min={0} inputMode="numeric" value={value} onInput={(e) => onChange(Math.max(0, Number(e.currentTarget.value) || 0))} />
    </div>
  );
}

function DecisionForm({ meetingId, agenda, onSaved }: { meetingId: number; agenda: AgendaItem[]; onSaved: () => void }) {
  const [draft, setDraft] = useState<DecisionWrite>(blank);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const set = <K extends keyof DecisionWrite>(key: K, value: DecisionWrite[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const outcome = previewVote(draft);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      await unwrap(api.POST("/api/v1/meetings/{meeting_id}/decisions", { params: { path: { meeting_id: meetingId } }, body: draft }));
      setDraft(blank());
      onSaved();
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="decision-form" onSubmit={submit} aria-labelledby="decision-form-title">
      <h3 id="decision-form-title">Record a decision</h3>
      {problem && <ErrorMessage problem={problem} />}
      <div class="form-row">
        <label for="decision-item">Agenda item</label>
        <select id="decision-item" value={draft.agenda_item_id ?? ""} onChange={(e) => set("agenda_item_id", Number(e.currentTarget.value) || null)}>
          <option value="">None</option>
          {agenda.map((item) => (
            <option key={item.id} value={item.id}>
              {item.position}. {item.title}
            </option>
          ))}
        </select>
      </div>
      <div class="form-row">
        <label for="decision-text">Decision</label>
        <textarea id="decision-text" rows={3} required value={draft.text} onInput={(e) => set("text", e.currentTarget.value)} />
      </div>
      <div class="form-row">
        <label for="decision-method">Method</label>
        <select id="decision-method" value={draft.method} onChange={(e) => set("method", e.currentTarget.value as DecisionWrite["method"])}>
          {METHODS.map((m) => (
            <option key={m} value={m}>
              {humanise(m)}
            </option>
          ))}
        </select>
      </div>
      <fieldset class="votes">
        <legend>Votes</legend>
        <VoteInput id="votes-for" label="For" value={draft.votes_for} onChange={(n) => set("votes_for", n)} />
        <VoteInput id="votes-against" label="Against" value={draft.votes_against} onChange={(n) => set("votes_against", n)} />
        <VoteInput id="votes-abstain" label="Abstained" value={draft.votes_abstain} onChange={(n) => set("votes_abstain", n)} />
      </fieldset>
      {draft.method === "simple_majority" && draft.votes_for === draft.votes_against && (
        <div class="form-row">
          <label for="casting-vote">Chair's casting vote</label>
          <select
            id="casting-vote"
            value={draft.chair_casting_vote ?? ""}
            onChange={(e) => set("chair_casting_vote", (e.currentTarget.value || null) as DecisionWrite["chair_casting_vote"])}
          >
            <option value="">Not cast</option>
            <option value="for">For</option>
            <option value="against">Against</option>
          </select>
        </div>
      )}
      <p class="muted" role="status">
        On these votes the motion would be <strong>{outcome === "tie" ? "tied (the chair may cast a vote)" : outcome}</strong>.
      </p>
      <button type="submit" disabled={busy}>
        {busy ? "Saving…" : "Record decision"}
      </button>
    </form>
  );
}

export function Decisions({ meetingId, agenda }: { meetingId: number; agenda: AgendaItem[] }) {
  const { can } = useAuth();
  const [decisions, reload] = useResource(
    () => unwrap(api.GET("/api/v1/meetings/{meeting_id}/decisions", { params: { path: { meeting_id: meetingId } } })),
    [meetingId],
  );
  return (
    <>
      <Loadable resource={decisions} label="decisions" onRetry={reload}>
        {(page) => <DecisionList decisions={page.items} />}
      </Loadable>
      {can("admin", "officer") && <DecisionForm meetingId={meetingId} agenda={agenda} onSaved={reload} />}
    </>
  );
}
