import pytest

from app.app import create_app


@pytest.fixture
def client():
    app = create_app()
    app.config.update(TESTING=True)
    return app.test_client()


def test_home_says_hello(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "hello flask"


def test_healthz_is_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
