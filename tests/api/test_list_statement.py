"""A list nothing narrows (an administrator's, unfiltered) runs a statement built once per
sort, limit and offset (``api.crud.service._whole_page``); every narrowed or filtered list
builds its own. Both must answer as before, on both databases."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from api.crud import service

Client = Callable[[str], TestClient]


def test_an_unnarrowed_list_builds_its_statement_once(as_role: Client) -> None:
    admin = as_role("admin")
    service._whole_page.cache_clear()
    first = admin.get("/api/v1/tasks", params={"limit": 3, "sort": "-id"}).json()
    assert [t["id"] for t in first["items"]] == sorted(
        (t["id"] for t in first["items"]), reverse=True
    )
    assert admin.get("/api/v1/tasks", params={"limit": 3, "sort": "-id"}).json() == first
    assert (service._whole_page.cache_info().hits, service._whole_page.cache_info().misses) == (
        1,
        1,
    )

    # Another page or order is a statement of its own, with the same total.
    second = admin.get("/api/v1/tasks", params={"limit": 3, "offset": 3, "sort": "-id"}).json()
    assert second["total"] == first["total"] and second["offset"] == 3
    assert max(t["id"] for t in second["items"]) < min(t["id"] for t in first["items"])
    rows = admin.get("/api/v1/tasks", params={"limit": 500, "sort": "id"}).json()["items"]
    assert [t["id"] for t in rows] == sorted(t["id"] for t in rows)
    assert len(rows) == first["total"]
    past_end = admin.get("/api/v1/tasks", params={"offset": 10_000}).json()
    assert (past_end["items"], past_end["total"]) == ([], first["total"])
    built = service._whole_page.cache_info().misses

    # Narrowed by the policy (a partner key) or by a filter: built for the request.
    partner = as_role("partner").get("/api/v1/tasks", params={"limit": 500}).json()
    assert 0 < partner["total"] < first["total"]
    rated = admin.get("/api/v1/tasks", params={"limit": 500, "not_rated": "false"}).json()
    assert all(t["rag"] is not None for t in rated["items"])
    assert rated["total"] < first["total"]
    assert service._whole_page.cache_info().misses == built
