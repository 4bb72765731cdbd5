"""The web app at ``/app``: the built single-page app (``server/static/app``, Vite's output, committed).

``GET /app``, ``/app/`` and ``/app/<anything>``: the file under the app's directory when there is one
(``assets/*`` are content-hashed, so cached for a year as immutable), otherwise ``index.html`` (the app's
own router reads the path; never cached). Without a built ``index.html`` the answer is 503 and says how to
build it. Every answer carries a strict Content-Security-Policy: the page loads only its own files and talks
only to its own origin (``/graphql`` over HTTP and WebSocket).
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

APP_DIR = Path(__file__).parent / "static" / "app"
CONTENT_SECURITY_POLICY = ("default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
                           "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
IMMUTABLE = "public, max-age=31536000, immutable"
NOT_BUILT = ("The web app is not built: run `make web` (needs Node.js), or `make serve`, which builds it "
             "when Node.js is present.\n")


class WebApp:
    """The app's files in ``directory``; a path never leaves it (``..``, symbolic links)."""

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory or APP_DIR).resolve()

    def file(self, path: str) -> Path | None:
        """The existing file ``path`` names inside the directory, or None."""
        if not path or "\x00" in path:
            return None
        try:
            found = (self.directory / path).resolve()
        except (OSError, ValueError):
            return None
        if not found.is_relative_to(self.directory) or not found.is_file():
            return None
        return found

    async def respond(self, request: Request) -> Response:
        index = self.directory / "index.html"
        if not index.is_file():
            return PlainTextResponse(NOT_BUILT, status_code=503,
                                     headers={**SECURITY_HEADERS, "Cache-Control": "no-store"})
        path = request.path_params.get("path", "")
        found = self.file(path)
        if found is None or found == index:
            return FileResponse(index, media_type="text/html; charset=utf-8",
                                headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"})
        assets = found.is_relative_to(self.directory / "assets")
        return FileResponse(found, headers={**SECURITY_HEADERS, "Cache-Control": IMMUTABLE if assets else "no-cache"})


def app_routes(directory: str | Path | None = None) -> list[BaseRoute]:
    app = WebApp(directory)
    return [Route("/app", app.respond, methods=["GET", "HEAD"]),
            Route("/app/{path:path}", app.respond, methods=["GET", "HEAD"])]
