"""The SPA and the API docs under the Content-Security-Policy, and no source maps served.

Every browser test fails on a console error, and Chromium reports each CSP violation as one,
so the other screens' tests check the policy too; these look at it directly.
"""

import re

import httpx
import pytest

from tests.e2e.conftest import Spa
from tests.live import LiveServer

pytestmark = pytest.mark.e2e


class TestContentSecurityPolicy:
    def test_the_spa_runs_under_a_policy_without_inline_script(
        self, spa: Spa, server: LiveServer
    ) -> None:
        response = spa.page.goto(server.url + "/")
        assert response is not None
        policy = response.headers["content-security-policy"]
        assert "script-src 'self';" in policy and "unsafe" not in policy
        spa.login("member")
        # An injected inline script would be refused, and the refusal reported.
        spa.page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.injected = true'; document.body.append(s); }"
        )
        assert spa.page.evaluate("window.injected === undefined")
        refused = [e for e in spa.console_errors if "Content Security Policy" in e]
        assert refused, spa.console_errors
        spa.console_errors.clear()

    def test_the_api_docs_work_from_local_files(self, spa: Spa, server: LiveServer) -> None:
        external: list[str] = []
        spa.page.on(
            "request",
            lambda request: (
                external.append(request.url) if not request.url.startswith(server.url) else None
            ),
        )
        spa.goto("/docs")
        # Swagger UI renders only once the whole document (~160 operations) has arrived, and
        # the server builds it on the first request: more than the default 10 s when the
        # machine is busy (seen beside the PostgreSQL suite).
        heading = spa.page.get_by_role("heading", name=re.compile("LSP Hub")).first
        heading.wait_for(timeout=30_000)
        spa.page.locator(".opblock").first.wait_for(timeout=30_000)
        assert spa.page.locator(".opblock").count() > 100
        assert external == []


class TestSourceMaps:
    def test_the_production_build_ships_none(self, server: LiveServer) -> None:
        index = httpx.get(f"{server.url}/").text
        scripts = re.findall(r'src="(/assets/[^"]+\.js)"', index)
        assert scripts
        for script in scripts:
            body = httpx.get(f"{server.url}{script}").text
            assert "sourceMappingURL" not in body
            assert httpx.get(f"{server.url}{script}.map").status_code == 404
