"""The app's routes, through Flask's test client."""

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient

from app.app import create_app


def make_client(app: Flask) -> FlaskClient:
    app.config.update(TESTING=True)
    return app.test_client()


@pytest.fixture
def client() -> FlaskClient:
    return make_client(create_app())


def test_home_says_hello(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "hello flask"


def test_healthz_is_ok(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def external_home_url(
    monkeypatch: pytest.MonkeyPatch, trusted_proxies: str | None
) -> str:
    """url_for(..., _external=True) for a request that came through an https proxy."""
    if trusted_proxies is None:
        monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    else:
        monkeypatch.setenv("TRUSTED_PROXIES", trusted_proxies)
    app = create_app()

    @app.get("/where")
    def where() -> str:
        return url_for("home", _external=True)

    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "example.org"}
    return make_client(app).get("/where", headers=headers).get_data(as_text=True)


def test_forwarded_headers_are_ignored_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert external_home_url(monkeypatch, None) == "http://localhost/"
    assert external_home_url(monkeypatch, "0") == "http://localhost/"


def test_forwarded_headers_are_trusted_when_enabled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert external_home_url(monkeypatch, "1") == "https://example.org/"
