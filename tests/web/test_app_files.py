"""The web app's files at /app: real files, the single-page app's fallback to index.html, caching, the
security headers, and the answer before the app is built. Served from a small app directory of the test's
own (``Settings.app_dir``), so the tests hold whatever server/static/app contains."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from server.webapp import CONTENT_SECURITY_POLICY, WebApp
from tests.conftest import RunningServer
from tests.web.conftest import app_server, base_url

INDEX = '<!doctype html><html lang="en"><head><title>Perfgraph</title></head><body><main id="app"></main></body></html>'
SCRIPT = "console.log('the app');\n"


def built_app(root: Path) -> Path:
    """A built app as Vite writes it: index.html, hashed assets, a file of public/; and a file beside it."""
    app = root / "app"
    (app / "assets").mkdir(parents=True)
    (app / "index.html").write_text(INDEX)
    (app / "assets" / "index-3f9a1c.js").write_text(SCRIPT)
    (app / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (root / "secret.txt").write_text("not part of the app")
    return app


@pytest_asyncio.fixture(loop_scope="session")
async def http(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with app_server(app_dir=str(built_app(tmp_path))) as server, \
            httpx.AsyncClient(base_url=base_url(server)) as client:
        yield client


def strict(answer: httpx.Response) -> None:
    assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert "connect-src 'self' ws: wss:" in CONTENT_SECURITY_POLICY
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"


async def test_every_path_of_the_app_is_its_index_page(http: httpx.AsyncClient) -> None:
    for path in ("/app", "/app/", "/app/sign-in?code=abc", "/app/org-chart/5f2b", "/app/assets/gone-1234.js",
                 "/app/assets", "/app/index.html"):
        answer = await http.get(path)
        assert answer.status_code == 200, path
        assert answer.text == INDEX, path
        assert answer.headers["content-type"] == "text/html; charset=utf-8"
        assert answer.headers["cache-control"] == "no-cache"
        strict(answer)


async def test_built_files_are_served_and_assets_cached_for_good(http: httpx.AsyncClient) -> None:
    asset = await http.get("/app/assets/index-3f9a1c.js")
    assert asset.status_code == 200
    assert asset.text == SCRIPT
    assert asset.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    strict(asset)
    icon = await http.get("/app/favicon.svg")
    assert icon.headers["content-type"] == "image/svg+xml"
    assert icon.headers["cache-control"] == "no-cache"
    strict(icon)
    head = await http.head("/app/assets/index-3f9a1c.js")
    assert head.status_code == 200 and head.content == b""


async def test_no_path_leaves_the_app_directory(http: httpx.AsyncClient) -> None:
    for path in ("/app/../secret.txt", "/app/%2e%2e/secret.txt", "/app/assets/..%2f..%2fsecret.txt",
                 "/app/%2fetc%2fpasswd", "/app//etc/passwd"):
        answer = await http.get(httpx.URL(base_url_of(http) + path))
        assert "not part of the app" not in answer.text, path
        assert "root:" not in answer.text, path


def base_url_of(http: httpx.AsyncClient) -> str:
    return str(http.base_url).rstrip("/")


def test_a_path_names_a_file_only_inside_the_directory(tmp_path: Path) -> None:
    app = WebApp(built_app(tmp_path))
    (app.directory / "outside.txt").symlink_to(tmp_path / "secret.txt")
    assert app.file("assets/index-3f9a1c.js") == app.directory / "assets" / "index-3f9a1c.js"
    for path in ("../secret.txt", "assets/../../secret.txt", "/etc/passwd", "outside.txt", "assets", "",
                 "a\x00b", "nothing.js"):
        assert app.file(path) is None, path


async def test_before_the_app_is_built_it_says_how_to_build_it(tmp_path: Path) -> None:
    async with app_server(app_dir=str(tmp_path / "nothing")) as server, \
            httpx.AsyncClient(base_url=base_url(server)) as http:
        for path in ("/app", "/app/org-chart"):
            answer = await http.get(path)
            assert answer.status_code == 503
            assert answer.headers["content-type"].startswith("text/plain")
            assert "make web" in answer.text and answer.text.count("\n") == 1
            strict(answer)


async def test_the_api_beside_the_app_is_unchanged(http: httpx.AsyncClient) -> None:
    answer = await http.get("/health")
    assert answer.status_code == 200
    assert "content-security-policy" not in answer.headers


async def test_the_committed_build_is_served_when_there_is_one() -> None:
    committed = Path(__file__).parents[2] / "server" / "static" / "app" / "index.html"
    if not committed.is_file():
        pytest.skip("server/static/app has no build on this branch (make web)")
    server: RunningServer
    async with app_server() as server, httpx.AsyncClient(base_url=base_url(server)) as http:
        answer = await http.get("/app/")
    assert answer.status_code == 200
    assert answer.text == committed.read_text()
