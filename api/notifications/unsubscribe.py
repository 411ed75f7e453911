"""Signed one-click unsubscribe tokens: ``<person_id>.<category>.<signature>``.

The signature is an HMAC-SHA256 of the person and category under the install's secret key,
so a link cannot be forged for someone else or another category; it does not expire (an old
message's link keeps working, as RFC 8058 expects).
"""

import base64
import hashlib
import hmac

from api.core.settings import get_settings
from api.notifications.categories import Category

PATH = "/api/v1/unsubscribe/"


def _signature(person_id: int, category: Category) -> str:
    secret = get_settings().secret_key
    assert secret is not None
    digest = hmac.new(
        secret.get_secret_value().encode(),
        f"unsubscribe:{person_id}:{category.value}".encode(),
        hashlib.sha256,
    ).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode().rstrip("=")


def make_token(person_id: int, category: Category) -> str:
    return f"{person_id}.{category.value}.{_signature(person_id, category)}"


def read_token(token: str) -> tuple[int, Category] | None:
    """The person and category a token names, or None when it is not one we signed."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or len(parts[0]) > 12:
        return None
    try:
        category = Category(parts[1])
    except ValueError:
        return None
    person_id = int(parts[0])
    if not hmac.compare_digest(parts[2], _signature(person_id, category)):
        return None
    return person_id, category


def url_for(person_id: int, category: Category) -> str:
    base = get_settings().public_base_url.rstrip("/")
    return f"{base}{PATH}{make_token(person_id, category)}"
