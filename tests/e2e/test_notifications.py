"""Notifications in the browser: a member changes which e-mails they receive; after an
officer schedules a meeting, an administrator reads one of its notices in the Outbox, before
and after a worker pass. Keyboard, axe-core and 375 px."""

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from api.core import clock
from tests.e2e.conftest import Spa, login_token
from tests.live import LiveServer, lsphub

pytestmark = pytest.mark.e2e


def no_sideways_scroll(spa: Spa) -> None:
    width = spa.page.evaluate("document.documentElement.scrollWidth")
    assert width <= spa.page.viewport_size["width"], width


class TestPreferences:
    def test_a_member_changes_their_preferences_by_keyboard(self, spa: Spa, phone: Spa) -> None:
        spa.login("member")
        link = spa.page.get_by_role("link", name="Notifications")
        link.focus()
        spa.page.keyboard.press("Enter")
        spa.page.get_by_role("heading", name="Notification settings", level=1).wait_for()
        spa.settle()
        page = spa.page
        required = page.get_by_label("Meeting notices")
        assert required.is_checked() and required.is_disabled()
        digest = page.get_by_label("Weekly digest")
        reminders = page.get_by_label("Update reminders")
        was_digest, was_reminders = digest.is_checked(), reminders.is_checked()
        digest.focus()
        page.keyboard.press("Space")
        reminders.focus()
        page.keyboard.press("Space")
        page.get_by_role("button", name="Save settings").click()
        page.get_by_role("status").filter(has_text="saved").wait_for()
        spa.check_accessibility()
        page.reload()
        spa.settle()
        assert page.get_by_label("Weekly digest").is_checked() is (not was_digest)
        assert page.get_by_label("Update reminders").is_checked() is (not was_reminders)

        phone.login("member")
        phone.goto("/settings/notifications")
        phone.page.get_by_role("heading", name="Notification settings", level=1).wait_for()
        phone.settle()
        no_sideways_scroll(phone)
        phone.check_accessibility()

    def test_the_outbox_is_not_offered_to_a_member(self, spa: Spa) -> None:
        spa.login("member")
        nav = spa.page.get_by_role("navigation", name="Main")
        assert nav.get_by_role("link", name="Outbox").count() == 0
        spa.goto("/outbox")
        spa.page.get_by_role("heading", level=1).filter(has_text="access").wait_for()


def officer_schedules_a_meeting(server: LiveServer) -> str:
    headers = {"Authorization": f"Bearer {login_token(server, 'officer')}"}
    with httpx.Client(base_url=server.url, headers=headers) as officer:
        me = officer.get("/api/v1/me").json()
        managed = [m for m in me["memberships"] if m["role"] in ("chair", "vice_chair", "officer")]
        day = clock.now() + timedelta(days=30)
        title = f"Extra meeting {day:%H%M%S}"
        r = officer.post(
            "/api/v1/meetings",
            json={
                "partnership_id": managed[0]["partnership_id"],
                "title": title,
                "starts_at": day.isoformat(),
                "location": "Town hall",
            },
        )
        assert r.status_code == 201, r.text
    return title


class TestOutbox:
    def test_an_admin_reads_a_meeting_notice(
        self, spa: Spa, phone: Spa, server: LiveServer, tmp_path: Path
    ) -> None:
        title = officer_schedules_a_meeting(server)
        spa.login("admin")
        spa.page.get_by_role("navigation", name="Main").get_by_role("link", name="Outbox").click()
        spa.page.get_by_role("heading", name="Outbox", level=1).wait_for()
        spa.settle()
        page = spa.page
        row = page.locator("tbody tr").filter(has_text=title).first
        assert "Queued" in row.inner_text()
        link = row.get_by_role("link")
        spa.check_accessibility()
        link.focus()
        page.keyboard.press("Enter")
        page.get_by_role("heading", level=1).filter(has_text=title).wait_for()
        spa.settle()
        assert "notice of meeting" in page.get_by_role("heading", level=1).inner_text()
        body = page.get_by_label("Text of the message").inner_text()
        assert "You are invited to a meeting" in body and "Town hall" in body
        assert "invite.ics" in page.locator("main").inner_text()
        spa.check_accessibility()

        # One worker pass (no SMTP server: .eml files), then the message shows as sent.
        mail_dir = tmp_path / "mail"
        lsphub(
            server.database_url, "send-mail", env={**server.env, "LSPHUB_MAIL_DIR": str(mail_dir)}
        )
        assert list(mail_dir.glob("*.eml"))
        page.reload()
        page.get_by_text("Sent", exact=True).first.wait_for()

        phone.login("admin")
        phone.goto("/outbox?status=sent")
        phone.page.get_by_role("heading", name="Outbox", level=1).wait_for()
        phone.settle()
        phone.page.get_by_role("link", name=title).first.wait_for()
        no_sideways_scroll(phone)
        phone.check_accessibility()
