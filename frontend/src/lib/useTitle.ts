import { useEffect } from "preact/hooks";

/** Sets the tab title, so screen-reader users and history entries know where they are. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · LSP Hub` : "LSP Hub";
  }, [title]);
}
