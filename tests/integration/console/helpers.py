"""Signing in to the console through its real form (with the pre-session CSRF token)."""

from __future__ import annotations

import re

import httpx
from fastapi.testclient import TestClient

from tests.support.factories import PASSWORD

_HIDDEN = re.compile(r'<input type="hidden" name="csrf_token" value="([^"]+)">')


def csrf_field(html: str) -> str:
    found = _HIDDEN.search(html)
    assert found is not None, "no csrf_token field in the page"
    return found.group(1)


def login(
    client: TestClient, username: str, password: str = PASSWORD, *, next_url: str = "/"
) -> httpx.Response:
    """Post the sign-in form; returns the (unfollowed) response."""
    form = client.get("/login")
    assert form.status_code == 200, form.text
    response: httpx.Response = client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf_field(form.text),
            "next": next_url,
        },
        follow_redirects=False,
    )
    return response


def signed_in(client: TestClient, username: str) -> None:
    response = login(client, username)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/"
