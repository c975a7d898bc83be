"""The app's web server: a small ASGI app (Starlette) with a JSON API over a :class:`Workspace`.

Every route is a thin call into the workspace, run off the event loop, so a long solve in
one tab does not stop another tab's page from loading. The page and its scripts (Leaflet
from the packaged copy) are served from here: nothing is fetched from the internet unless
the planner picks a basemap that lives there.

Errors a planner can act on come back as JSON ``{"error": "..."}``: 400 for bad input, 409
when an action would replace other work (the page asks before going on), 410 when the
session has ended. Responses are gzip-compressed.
"""

from __future__ import annotations

import json
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from layers.errors import GeoplanError
from geoplan.app.workspace import PlanChanged, SessionGone, Workspace
from maps.assets import LEAFLET_CSS, LEAFLET_JS, asset_text

#: The page's own files, packaged beside this module.
STATIC = Path(__file__).with_name("static")
#: Largest request body taken (an uploaded layer), bytes.
MAX_BODY_BYTES = 50 * 1024 * 1024
_ASSETS = {
    "leaflet.js": ("text/javascript; charset=utf-8", lambda: asset_text(LEAFLET_JS)),
    "leaflet.css": ("text/css; charset=utf-8", lambda: asset_text(LEAFLET_CSS)),
    "app.js": ("text/javascript; charset=utf-8", lambda: (STATIC / "app.js").read_text(encoding="utf-8")),
    "app.css": ("text/css; charset=utf-8", lambda: (STATIC / "app.css").read_text(encoding="utf-8")),
}


def _json(value, status: int = 200) -> Response:
    body = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return Response(body, status_code=status, media_type="application/json")


def _error(exc: GeoplanError) -> Response:
    status = 410 if isinstance(exc, SessionGone) else 409 if isinstance(exc, PlanChanged) else 400
    return _json({"error": str(exc)}, status)


async def _body(request: Request) -> dict:
    try:
        data = await request.json()
    except ValueError:
        raise GeoplanError("the request body is not JSON — reload the page") from None
    if not isinstance(data, dict):
        raise GeoplanError("the request body must be a JSON object — reload the page")
    return data


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "") in ("1", "true", "yes")


def create_app(workspace: Workspace) -> Starlette:
    """The ASGI app serving ``workspace``'s page and API."""

    async def call(fn, *args, **kwargs) -> Response:
        try:
            return _json(await run_in_threadpool(fn, *args, **kwargs))
        except GeoplanError as exc:
            return _error(exc)

    async def page(request: Request) -> Response:
        html = (STATIC / "index.html").read_text(encoding="utf-8")
        return Response(html.replace("{{title}}", workspace.scenario.name), media_type="text/html; charset=utf-8",
                        headers={"Cache-Control": "no-store"})

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in _ASSETS:
            return Response("not found", status_code=404)
        media, text = _ASSETS[name]
        return Response(text(), media_type=media)

    async def describe(request: Request) -> Response:
        return await call(workspace.describe)

    async def posted(request: Request, fn) -> Response:
        """Call ``fn(body)`` with the request's JSON body; a body that is not a JSON object is a 400."""
        try:
            body = await _body(request)
        except GeoplanError as exc:
            return _error(exc)
        return await call(fn, body)

    def token(request: Request) -> str:
        return request.path_params["token"]

    async def open_session(request: Request) -> Response:
        return await posted(request, lambda b: workspace.open(
            str(b.get("kind", "")), b.get("resume") or None, bool(b.get("gcj02", False)), bool(b.get("takeover", False))))

    async def session_layers(request: Request) -> Response:
        return await call(workspace.layers, token(request), _flag(request, "gcj02"))

    async def view(request: Request) -> Response:
        return await call(workspace.view, token(request), _flag(request, "gcj02"))

    async def edits(request: Request) -> Response:
        return await posted(request, lambda b: workspace.edit(token(request), b.get("edits"), b.get("base")))

    async def suggest(request: Request) -> Response:
        return await posted(request, lambda b: workspace.suggest(token(request), str(b.get("model", "")), b.get("k"),
                                                                 b.get("time_limit_s")))

    async def save(request: Request) -> Response:
        return await posted(request, lambda b: workspace.save(token(request), b.get("name") or None,
                                                              bool(b.get("adopt")), bool(b.get("force"))))

    async def export(request: Request) -> Response:
        def run(b: dict) -> dict:
            path = workspace.export(token(request), str(b.get("format", "")), str(b.get("name", "")))
            return {"file": path.name, "folder": str(path.parent)}
        return await posted(request, run)

    async def download(request: Request) -> Response:
        try:
            data, name, media = await run_in_threadpool(workspace.download, token(request),
                                                        request.path_params["what"])
        except GeoplanError as exc:
            return _error(exc)
        return Response(data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})

    async def lines(request: Request) -> Response:
        return await call(workspace.lines, token(request))

    async def rates(request: Request) -> Response:
        return await call(workspace.district_rates, request.path_params["key"])

    async def upload(request: Request) -> Response:
        size = int(request.headers.get("content-length") or 0)
        if size > MAX_BODY_BYTES:
            return _json({"error": f"the file is larger than {MAX_BODY_BYTES // 2**20} MB — upload a smaller layer"}, 400)
        data = await request.body()
        return await call(workspace.upload, token(request), request.query_params.get("kind", ""),
                          data, request.query_params.get("name", "upload"))

    async def alive(request: Request) -> Response:
        return await call(lambda: {"ok": bool(workspace.get(token(request)))})

    async def close(request: Request) -> Response:
        await run_in_threadpool(workspace.close, token(request))
        return _json({"closed": True})

    routes = [
        Route("/", page),
        Route("/assets/{name}", asset),
        Route("/api/scenario", describe),
        Route("/api/sessions", open_session, methods=["POST"]),
        Route("/api/sessions/{token}/layers", session_layers),
        Route("/api/sessions/{token}/view", view),
        Route("/api/sessions/{token}/edits", edits, methods=["POST"]),
        Route("/api/sessions/{token}/suggest", suggest, methods=["POST"]),
        Route("/api/sessions/{token}/save", save, methods=["POST"]),
        Route("/api/sessions/{token}/export", export, methods=["POST"]),
        Route("/api/sessions/{token}/download/{what}", download),
        Route("/api/sessions/{token}/lines", lines),
        Route("/api/sessions/{token}/upload", upload, methods=["POST"]),
        Route("/api/sessions/{token}/alive", alive, methods=["POST"]),
        Route("/api/sessions/{token}/close", close, methods=["POST"]),
        Route("/api/indicators/{key}", rates),
        Route("/health", lambda request: Response("ok")),
        Route("/favicon.ico", lambda request: Response(status_code=204)),  # no icon, and no 404 in the console
    ]
    return Starlette(routes=routes, middleware=[Middleware(GZipMiddleware, minimum_size=500)])
