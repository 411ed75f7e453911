"""API keys in the browser: issue a partner key, see it once, watch its last use, revoke it."""

import httpx
import pytest

from tests.e2e.conftest import Spa
from tests.live import LiveServer

pytestmark = pytest.mark.e2e


class TestApiKeys:
    def test_issue_use_and_revoke_a_partner_key(
        self, spa: Spa, api: httpx.Client, server: LiveServer
    ) -> None:
        organisation = api.get("/api/v1/organisations", params={"limit": 1, "sort": "name"})
        org = organisation.json()["items"][0]
        spa.login("admin")
        spa.page.get_by_role("link", name="API keys").click()
        spa.page.get_by_role("heading", name="API keys", level=1).wait_for()
        spa.settle()

        spa.page.get_by_label("Who or what uses it").fill("Browser-issued partner feed")
        spa.page.get_by_label("Role").select_option("partner")
        spa.page.get_by_label("Organisation").select_option(str(org["id"]))
        spa.page.get_by_role("button", name="Issue key").click()
        secret = spa.page.get_by_label("The new key")
        secret.wait_for()
        key = secret.inner_text().strip()
        assert key.startswith("lsp_")

        # The key works, only for its own organisation's tasks, and its use shows in the list.
        headers = {"Authorization": f"Bearer {key}"}
        tasks = httpx.get(f"{server.url}/api/v1/tasks", headers=headers).json()["items"]
        assert {t["lead_organisation_id"] for t in tasks} <= {org["id"]}
        spa.page.reload()
        row = spa.page.get_by_role("row").filter(has_text="Browser-issued partner feed")
        row.wait_for()
        assert "never" not in row.inner_text()
        assert org["name"] in row.inner_text()
        spa.check_accessibility()

        spa.page.once("dialog", lambda dialog: dialog.accept())
        row.get_by_role("button", name="Revoke").click()
        row.get_by_text("Revoked").wait_for()
        # One worker here: the process that revoked the key forgets it at once (others within
        # LSPHUB_AUTH_CACHE_SECONDS).
        assert httpx.get(f"{server.url}/api/v1/me", headers=headers).status_code == 401
