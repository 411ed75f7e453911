import { useAuth } from "../auth/AuthContext";
import { auditHref } from "../lib/audit";
import "../styles/audit.css";

/** "History of this task": the record's events in the audit trail, for administrators only. */
export function HistoryLink({ resource, id, noun }: { resource: string; id: number; noun: string }) {
  const { can } = useAuth();
  if (!can("admin")) return null;
  return (
    <p class="history-link">
      <a href={auditHref({ resource, resource_id: String(id) })}>History of this {noun}</a>
    </p>
  );
}
