import { useTitle } from "../lib/useTitle";

export function NotFound() {
  useTitle("Page not found");
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. Go back to the <a href="/">dashboard</a>.
      </p>
    </section>
  );
}
