import type { ComponentChildren } from "preact";
import { fieldMessages, problemMessage, type Problem } from "../api/problem";
import type { Resource } from "../lib/useResource";

export function Loading({ label }: { label: string }) {
  return (
    <p class="loading" role="status">
      Loading {label}…
    </p>
  );
}

export function ErrorMessage({ problem, onRetry }: { problem: Problem; onRetry?: () => void }) {
  const fields = fieldMessages(problem);
  return (
    <div class="alert alert-error" role="alert">
      <p>
        <strong>{problem.title}.</strong>{" "}
        {problem.detail && problem.detail !== problem.title ? problemMessage(problem) : null}
      </p>
      {fields.length > 0 && (
        <ul>
          {fields.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
      {onRetry && (
        <button type="button" class="button-secondary" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

type LoadableProps<T> = {
  resource: Resource<T>;
  label: string;
  onRetry?: () => void;
  children: (data: T) => ComponentChildren;
};

/** The three states every screen has: loading, the problem the server sent, or the data. */
export function Loadable<T>({ resource, label, onRetry, children }: LoadableProps<T>) {
  switch (resource.status) {
    case "loading":
      return <Loading label={label} />;
    case "error":
      return <ErrorMessage problem={resource.problem} onRetry={onRetry} />;
    case "ready":
      return <>{children(resource.data)}</>;
  }
}
