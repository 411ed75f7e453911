"""Users in the browser: an administrator adds a user, who chooses a password with the
one-time link and signs in; then the administrator changes and deactivates them."""

import httpx
import pytest

from tests.e2e.conftest import Spa
from tests.live import LiveServer

pytestmark = pytest.mark.e2e

PASSWORD = "a-browser-chosen-passphrase"


def open_users(spa: Spa) -> None:
    spa.login("admin")
    spa.page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    spa.page.get_by_role("heading", name="Users", level=1).wait_for()
    spa.settle()


def add_user(spa: Spa, name: str, email: str) -> str:
    """Fill in the form; returns the one-time link shown."""
    page = spa.page
    form = page.get_by_role("form", name="Add a user")
    form.get_by_label("Name").fill(name)
    form.get_by_label("E-mail address").fill(email)
    form.get_by_label("Role", exact=True).select_option("member")
    form.get_by_label("Organisation").select_option(index=1)
    form.get_by_role("button", name="Add user").click()
    link = page.get_by_label(f"One-time link for {name}")
    link.wait_for()
    return link.inner_text().strip()


class TestUsers:
    def test_a_new_user_chooses_a_password_with_the_link_and_signs_in(
        self, spa: Spa, phone: Spa, server: LiveServer
    ) -> None:
        open_users(spa)
        spa.check_accessibility()
        spa.screenshot("users")
        link = add_user(spa, "Robin Example", "robin.example@example.org")
        assert link.startswith(f"{server.url}/set-password#token=")
        row = spa.page.get_by_role("row").filter(has_text="robin.example@example.org")
        assert "never" in row.inner_text() and "Active" in row.inner_text()
        spa.page.reload()
        spa.settle()
        assert spa.page.get_by_label("One-time link for Robin Example").count() == 0, "shown once"

        # The new user, on a phone, signed out: the link, a password, then signing in.
        new = phone
        new.page.goto(link)
        new.page.get_by_role("heading", name="Choose a password").wait_for()
        new.check_accessibility()
        new.screenshot("set-password")
        new.page.get_by_label("New password").fill(PASSWORD)
        new.page.get_by_label("Type it again").fill(PASSWORD + "x")
        new.page.get_by_role("button", name="Set password").click()
        new.page.get_by_text("The two passwords are not the same.").wait_for()
        new.page.get_by_label("Type it again").fill(PASSWORD)
        new.page.get_by_role("button", name="Set password").click()
        new.page.get_by_text("Your password is set. Sign in with it now.").wait_for()
        assert new.page.get_by_label("Email address").input_value() == "robin.example@example.org"
        new.page.get_by_label("Password").fill(PASSWORD)
        new.page.get_by_role("button", name="Sign in").click()
        new.page.get_by_role("heading", name="Dashboard", level=1).wait_for()
        assert new.page.url == f"{server.url}/"
        assert new.page.evaluate("document.documentElement.scrollWidth") <= 375

        # The link works once.
        new.page.get_by_role("button", name="Sign out").click()
        new.page.get_by_label("Email address").wait_for()
        new.expect_http_error(422)
        new.page.goto(link)
        new.page.get_by_label("New password").fill("another-long-passphrase")
        new.page.get_by_label("Type it again").fill("another-long-passphrase")
        new.page.get_by_role("button", name="Set password").click()
        new.page.get_by_role("alert").get_by_text("expired or has already been used").wait_for()

        spa.page.reload()
        row = spa.page.get_by_role("row").filter(has_text="robin.example@example.org")
        row.wait_for()
        assert "never" not in row.inner_text(), "the last sign-in shows"

    def test_change_role_reset_and_deactivate(self, spa: Spa, server: LiveServer) -> None:
        open_users(spa)
        link = add_user(spa, "Sam Example", "sam.example@example.org")
        token = link.split("#token=", 1)[1]
        done = httpx.post(
            f"{server.url}/api/v1/auth/set-password", json={"token": token, "password": PASSWORD}
        )
        assert done.status_code == 200, done.text
        session = httpx.post(
            f"{server.url}/api/v1/auth/token",
            json={"email": "sam.example@example.org", "password": PASSWORD},
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {session}"}

        page = spa.page
        page.reload()  # choosing the password changed the user: start from their new version
        spa.settle()
        row = page.get_by_role("row").filter(has_text="sam.example@example.org")
        row.get_by_role("button", name="Change").click()
        edit = page.get_by_role("form", name="Change Sam Example")
        edit.get_by_label("Role", exact=True).select_option("officer")
        edit.get_by_role("button", name="Save changes").click()
        edit.wait_for(state="detached")
        row.get_by_text("Officer").wait_for()
        me = httpx.get(f"{server.url}/api/v1/me", headers=headers)
        assert me.json()["role"] == "officer"

        page.once("dialog", lambda dialog: dialog.accept())
        row.get_by_role("button", name="Reset password").click()
        reset = page.get_by_label("One-time link for Sam Example")
        reset.wait_for()
        reset_link = reset.inner_text().strip()
        assert reset_link != link
        assert httpx.get(f"{server.url}/api/v1/me", headers=headers).status_code == 401
        spa.check_accessibility()

        page.once("dialog", lambda dialog: dialog.accept())
        row.get_by_role("button", name="Deactivate").click()
        row.get_by_text("Deactivated").wait_for()
        row.get_by_role("button", name="Reactivate").wait_for()
        reset_token = reset_link.split("#token=", 1)[1]
        refused = httpx.post(
            f"{server.url}/api/v1/auth/set-password",
            json={"token": reset_token, "password": PASSWORD},
        )
        assert refused.status_code == 422, "a deactivated user's link no longer works"
