import { api, unwrap } from "../../api/client";
import { GovernanceList } from "../../components/GovernanceList";
import { Loadable } from "../../components/Loadable";
import { useResource } from "../../lib/useResource";

export function Governance({ partnershipId }: { partnershipId: number }) {
  const [governance, reload] = useResource(
    () =>
      unwrap(
        api.GET("/api/v1/partnerships/{partnership_id}/governance", {
          params: { path: { partnership_id: partnershipId } },
        }),
      ),
    [partnershipId],
  );
  return (
    <Loadable resource={governance} label="governance checks" onRetry={reload}>
      {(data) => <GovernanceList findings={data.findings} />}
    </Loadable>
  );
}
