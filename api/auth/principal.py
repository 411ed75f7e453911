"""Who is calling: a user with a browser token, an API key, or nobody."""

from dataclasses import dataclass, field

from api.auth.models import Role, Scope

ALL_SCOPES = frozenset(Scope)


@dataclass(frozen=True)
class Principal:
    kind: str  # "user" | "api_key"
    id: int
    label: str  # "user:3" / "api_key:lsp_ab12cd34" - what the audit log records
    role: Role
    scopes: frozenset[Scope] = field(default_factory=lambda: ALL_SCOPES)
    organisation_id: int | None = None
    person_id: int | None = None

    @property
    def user_id(self) -> int | None:
        return self.id if self.kind == "user" else None

    @property
    def api_key_id(self) -> int | None:
        return self.id if self.kind == "api_key" else None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin

    def has_scope(self, scope: Scope) -> bool:
        return scope in self.scopes
