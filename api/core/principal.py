"""Who is calling: a user with a browser token, or an API key; their role and scopes."""

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    officer = "officer"
    member = "member"
    partner = "partner"
    county = "county"


class Scope(StrEnum):
    read = "read"
    write_status = "write:status"
    write_all = "write:all"
    import_ = "import"
    laa_read = "laa:read"


ALL_SCOPES = frozenset(Scope)

# A key gets these unless created with others; a login gets those of its role's key.
DEFAULT_SCOPES: dict[Role, tuple[Scope, ...]] = {
    Role.admin: tuple(Scope),
    Role.officer: (Scope.read, Scope.write_status, Scope.write_all, Scope.import_),
    Role.member: (Scope.read, Scope.write_status),
    Role.partner: (Scope.read, Scope.write_status),
    Role.county: (Scope.laa_read,),
}


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
