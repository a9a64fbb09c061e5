"""The console's stylesheet and small script: `/admin/static/{name}`."""

from __future__ import annotations

from starlette.responses import Response

from callplane.admin.web import HERE, STATIC, page_router
from callplane.errors import NotFound

router = page_router()


@router.get("/static/{name}")
async def static(name: str) -> Response:
    """The stylesheet and the small script."""
    media = STATIC.get(name)
    if media is None:
        raise NotFound("file")
    response = Response((HERE / "static" / name).read_bytes(), media_type=media)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
