import { useCallback, useEffect, useState } from "preact/hooks";
import { asProblem, type Problem } from "../api/problem";

export type Resource<T> =
  | { status: "loading" }
  | { status: "error"; problem: Problem }
  | { status: "ready"; data: T };

/**
 * Runs `load` whenever `deps` change and on `reload()`, dropping results of superseded loads.
 * A reload keeps the current data on screen instead of flashing the loading state.
 * (`load` is a fresh closure every render; `deps` says when its inputs really change.)
 */
export function useResource<T>(load: () => Promise<T>, deps: readonly unknown[]) {
  const [resource, setResource] = useState<Resource<T>>({ status: "loading" });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);

  useEffect(() => setResource({ status: "loading" }), deps);

  useEffect(() => {
    let current = true;
    load().then(
      (data) => current && setResource({ status: "ready", data }),
      (error: unknown) => current && setResource({ status: "error", problem: asProblem(error) }),
    );
    return () => {
      current = false;
    };
  }, [...deps, generation]);

  return [resource, reload] as const;
}
