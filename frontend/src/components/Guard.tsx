import type { ComponentType } from "preact";
import type { Screen } from "../auth/access";
import { useAuth } from "../auth/AuthContext";
import { NoAccess } from "../screens/NoAccess";

/** `Page` for principals who may use `screen`; the "no access" page for everyone else. */
export function only<P extends object>(screen: Screen, Page: ComponentType<P>): ComponentType<P> {
  function Guarded(props: P) {
    const { may } = useAuth();
    return may(screen) ? <Page {...props} /> : <NoAccess screen={screen} />;
  }
  Guarded.displayName = `Only(${screen})`;
  return Guarded;
}
