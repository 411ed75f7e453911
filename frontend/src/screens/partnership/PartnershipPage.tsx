import { api, unwrap } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { HistoryLink } from "../../components/HistoryLink";
import { Loadable } from "../../components/Loadable";
import { humanise } from "../../lib/labels";
import { useResource } from "../../lib/useResource";
import { useTitle } from "../../lib/useTitle";
import { ActionPlan } from "./ActionPlan";
import { Governance } from "./Governance";
import { Meetings } from "./Meetings";
import { Members } from "./Members";
import { TermsOfReference } from "./TermsOfReference";

export function PartnershipPage({ id }: { id: string }) {
  const partnershipId = Number(id);
  const { can } = useAuth();
  const [partnership, reload] = useResource(
    () => unwrap(api.GET("/api/v1/partnerships/{item_id}", { params: { path: { item_id: partnershipId } } })),
    [partnershipId],
  );
  useTitle(partnership.status === "ready" ? partnership.data.name : "Partnership");
  return (
    <Loadable resource={partnership} label="partnership" onRetry={reload}>
      {(p) => (
        <>
          <header class="page-head">
            <h1>{p.name}</h1>
            <p class="muted">
              {humanise(p.kind)} partnership · {humanise(p.status)} · quorum {p.quorum}
            </p>
            {p.purpose && <p>{p.purpose}</p>}
            <p>
              <a class="button-link" href={`/partnerships/${p.id}/report`}>
                Performance report
              </a>
            </p>
            <HistoryLink resource="partnership" id={p.id} noun="partnership" />
          </header>
          <section class="card" aria-labelledby="plan-title">
            <h2 id="plan-title">Action plan</h2>
            <ActionPlan partnershipId={p.id} />
          </section>
          <section class="card" aria-labelledby="members-title">
            <h2 id="members-title">Members</h2>
            <Members partnershipId={p.id} canManage={p.can?.update ?? false} />
          </section>
          <section class="card" aria-labelledby="terms-title">
            <h2 id="terms-title">Terms of reference</h2>
            <TermsOfReference partnershipId={p.id} canManage={p.can?.update ?? false} />
          </section>
          <section class="card" aria-labelledby="meetings-title">
            <h2 id="meetings-title">Meetings</h2>
            <Meetings partnershipId={p.id} />
          </section>
          {can("admin", "officer") && (
            <section class="card" aria-labelledby="governance-title">
              <h2 id="governance-title">Governance checks</h2>
              <Governance partnershipId={p.id} />
              <p>
                <a href={`/partnerships/${p.id}/governance`}>Every finding with its rule and evidence</a>
              </p>
            </section>
          )}
        </>
      )}
    </Loadable>
  );
}
