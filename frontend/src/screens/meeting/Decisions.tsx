import { useState } from "preact/hooks";
import { api, unwrap } from "../../api/client";
import { asProblem, type Problem } from "../../api/problem";
import type { ActionPlan, AgendaItem, Decision, DecisionWrite, Meeting, Organisation, Outcome } from "../../api/types";
import { ErrorMessage, Loadable } from "../../components/Loadable";
import { listAll, MAX_PAGE, organisationDirectory } from "../../lib/directory";
import { humanise } from "../../lib/labels";
import { useResource } from "../../lib/useResource";
import { previewVote } from "../../lib/votes";
import type { DecisionAction } from "./types";

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
  actions: [],
});

/** One follow-up as the form holds it: an action with one task of the same title. */
type FollowUp = { outcome: number | null; plan: number | null; title: string; lead: number | null; deadline: string };

const blankFollowUp = (plans: ActionPlan[]): FollowUp => ({
  outcome: null,
  plan: plans.length === 1 ? (plans[0]?.id ?? null) : null,
  title: "",
  lead: null,
  deadline: "",
});

function toAction(f: FollowUp): DecisionAction {
  return {
    outcome_id: f.outcome ?? 0,
    action_plan_id: f.plan,
    title: f.title,
    tasks: [{ title: f.title, lead_organisation_id: f.lead, deadline: f.deadline || null }],
  };
}

/** The decision with its agenda item and the actions it added to the plan. */
export function DecisionText({ decision, agenda, partnershipId }: { decision: Decision; agenda: AgendaItem[]; partnershipId: number }) {
  const item = agenda.find((a) => a.id === decision.agenda_item_id);
  const actions = decision.action_ids ?? [];
  const tasks = decision.task_ids ?? [];
  return (
    <>
      {item && (
        <p class="muted small">
          Item {item.position}: {item.title}
        </p>
      )}
      <p>{decision.text}</p>
      <p class="muted small">
        <strong class={`result result-${decision.result}`}>{humanise(decision.result)}</strong> · {humanise(decision.method ?? "consensus")}
        {decision.method !== "consensus" && ` · for ${decision.votes_for}, against ${decision.votes_against}, abstained ${decision.votes_abstain}`}
        {decision.chair_casting_vote ? ` · chair's casting vote ${decision.chair_casting_vote}` : ""}
      </p>
      {actions.length > 0 && (
        <p class="small">
          Added {actions.length === 1 ? "an action" : `${actions.length} actions`} and {tasks.length}{" "}
          {tasks.length === 1 ? "task" : "tasks"} to the <a href={`/partnerships/${partnershipId}#plan`}>action plan</a>.
        </p>
      )}
    </>
  );
}

function DecisionList({ decisions, agenda, partnershipId }: { decisions: Decision[]; agenda: AgendaItem[]; partnershipId: number }) {
  if (decisions.length === 0) return <p class="muted">No decisions recorded.</p>;
  return (
    <ol class="decisions">
      {decisions.map((d) => (
        <li key={d.id}>
          <DecisionText decision={d} agenda={agenda} partnershipId={partnershipId} />
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

type PlanData = { plans: ActionPlan[]; outcomes: Outcome[]; organisations: Organisation[] };

function FollowUpFields({ n, value, data, onChange, onRemove }: { n: number; value: FollowUp; data: PlanData; onChange: (f: FollowUp) => void; onRemove: () => void }) {
  const id = `follow-up-${n}`;
  const set = <K extends keyof FollowUp>(key: K, v: FollowUp[K]) => onChange({ ...value, [key]: v });
  return (
    <fieldset class="follow-up">
      <legend>Follow-up action {n + 1}</legend>
      <div class="form-row">
        <label for={`${id}-title`}>Title</label>
        <input id={`${id}-title`} required maxLength={500} value={value.title} onInput={(e) => set("title", e.currentTarget.value)} />
      </div>
      {data.plans.length > 1 && (
        <div class="form-row">
          <label for={`${id}-plan`}>Action plan</label>
          <select id={`${id}-plan`} required value={value.plan ?? ""} onChange={(e) => set("plan", Number(e.currentTarget.value) || null)}>
            <option value="">Choose a plan</option>
            {data.plans.map((p) => (
              <option key={p.id} value={p.id}>
                {p.title}
              </option>
            ))}
          </select>
        </div>
      )}
      <div class="form-row">
        <label for={`${id}-outcome`}>Outcome it serves</label>
        <select id={`${id}-outcome`} required value={value.outcome ?? ""} onChange={(e) => set("outcome", Number(e.currentTarget.value) || null)}>
          <option value="">Choose an outcome</option>
          {data.outcomes.map((o) => (
            <option key={o.id} value={o.id}>
              {o.code} {o.title}
            </option>
          ))}
        </select>
      </div>
      <div class="form-row">
        <label for={`${id}-lead`}>Lead organisation</label>
        <select id={`${id}-lead`} value={value.lead ?? ""} onChange={(e) => set("lead", Number(e.currentTarget.value) || null)}>
          <option value="">None yet</option>
          {data.organisations.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </select>
      </div>
      <div class="form-row">
        <label for={`${id}-deadline`}>Deadline</label>
        <input id={`${id}-deadline`} type="date" value={value.deadline} onInput={(e) => set("deadline", e.currentTarget.value)} />
      </div>
      <button type="button" class="button-secondary" onClick={onRemove}>
        Remove follow-up {n + 1}
      </button>
    </fieldset>
  );
}

async function loadPlanData(partnershipId: number): Promise<PlanData> {
  const [plans, outcomes, organisations] = await Promise.all([
    unwrap(api.GET("/api/v1/action-plans", { params: { query: { partnership_id: partnershipId, limit: MAX_PAGE } } })),
    listAll((offset) => unwrap(api.GET("/api/v1/outcomes", { params: { query: { limit: MAX_PAGE, offset } } }))),
    organisationDirectory(),
  ]);
  return {
    plans: plans.items,
    outcomes,
    organisations: [...organisations.values()].sort((a, b) => a.name.localeCompare(b.name)),
  };
}

function DecisionForm({ meeting, agenda, onSaved }: { meeting: Meeting; agenda: AgendaItem[]; onSaved: () => void }) {
  const [draft, setDraft] = useState<DecisionWrite>(blank);
  const [followUps, setFollowUps] = useState<FollowUp[]>([]);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [planData] = useResource(() => loadPlanData(meeting.partnership_id), [meeting.partnership_id]);
  const set = <K extends keyof DecisionWrite>(key: K, value: DecisionWrite[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const outcome = previewVote(draft);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const body = { ...draft, actions: outcome === "carried" ? followUps.map(toAction) : [] };
      await unwrap(api.POST("/api/v1/meetings/{meeting_id}/decisions", { params: { path: { meeting_id: meeting.id } }, body }));
      setDraft(blank());
      setFollowUps([]);
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
              {humanise(m ?? "consensus")}
            </option>
          ))}
        </select>
      </div>
      <fieldset class="votes">
        <legend>Votes</legend>
        <VoteInput id="votes-for" label="For" value={draft.votes_for ?? 0} onChange={(n) => set("votes_for", n)} />
        <VoteInput id="votes-against" label="Against" value={draft.votes_against ?? 0} onChange={(n) => set("votes_against", n)} />
        <VoteInput id="votes-abstain" label="Abstained" value={draft.votes_abstain ?? 0} onChange={(n) => set("votes_abstain", n)} />
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
      {outcome === "carried" && (
        <div class="follow-ups">
          <Loadable resource={planData} label="the action plan">
            {(data) =>
              data.plans.length === 0 ? (
                <p class="muted small">This partnership has no action plan yet, so a decision cannot add actions to it.</p>
              ) : (
                <>
                  {followUps.map((f, n) => (
                    <FollowUpFields
                      key={n}
                      n={n}
                      value={f}
                      data={data}
                      onChange={(next) => setFollowUps((all) => all.map((x, i) => (i === n ? next : x)))}
                      onRemove={() => setFollowUps((all) => all.filter((_, i) => i !== n))}
                    />
                  ))}
                  <button type="button" class="button-secondary" onClick={() => setFollowUps((all) => [...all, blankFollowUp(data.plans)])}>
                    Add a follow-up action to the plan
                  </button>
                </>
              )
            }
          </Loadable>
        </div>
      )}
      <p>
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : "Record decision"}
        </button>
      </p>
    </form>
  );
}

export function Decisions({ meeting, agenda }: { meeting: Meeting; agenda: AgendaItem[] }) {
  const [decisions, reload] = useResource(
    () => unwrap(api.GET("/api/v1/meetings/{meeting_id}/decisions", { params: { path: { meeting_id: meeting.id } } })),
    [meeting.id],
  );
  return (
    <>
      <Loadable resource={decisions} label="decisions" onRetry={reload}>
        {(page) => <DecisionList decisions={page.items} agenda={agenda} partnershipId={meeting.partnership_id} />}
      </Loadable>
      {meeting.can?.decide && <DecisionForm meeting={meeting} agenda={agenda} onSaved={reload} />}
      {!meeting.can?.decide && meeting.can?.record_attendance && meeting.status !== "cancelled" && (
        <p class="muted small">
          Decisions are recorded once the meeting has started and is quorate ({meeting.quorum.required} voting members needed,{" "}
          {meeting.quorum.present_voting} present).
        </p>
      )}
    </>
  );
}
