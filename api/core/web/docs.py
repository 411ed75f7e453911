"""The API documentation at ``/docs``: Swagger UI from the ``swagger-ui-bundle-v2`` package,
served by this server, so it works offline and loads nothing from a CDN.

Only the files the page needs are served, under a path naming the bundled version (cached
for a year), and the page starts Swagger UI from a file: no inline script.
"""

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse
from swagger_ui_bundle import swagger_ui_path

from api.core.errors import NotFound

OPENAPI_URL = "/api/v1/openapi.json"
SWAGGER_UI = Path(str(swagger_ui_path))
VERSION = SWAGGER_UI.name.removeprefix("swagger-ui-")
ASSETS = f"/docs/assets/{VERSION}"
FILES: dict[str, tuple[Path, str]] = {
    "swagger-ui-bundle.js": (SWAGGER_UI / "swagger-ui-bundle.js", "text/javascript"),
    "swagger-ui.css": (SWAGGER_UI / "swagger-ui.css", "text/css"),
    "favicon-32x32.png": (SWAGGER_UI / "favicon-32x32.png", "image/png"),
    "docs.js": (Path(__file__).resolve().parents[2] / "static" / "docs.js", "text/javascript"),
}

PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>LSP Hub API</title>
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
<link rel="icon" type="image/png" href="{ASSETS}/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{OPENAPI_URL}"></div>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script src="{ASSETS}/docs.js"></script>
</body>
</html>
"""

router = APIRouter(include_in_schema=False)


@router.get("/docs")
def docs() -> HTMLResponse:
    return HTMLResponse(PAGE, headers={"Cache-Control": "no-cache"})


@router.get("/docs/assets/{version}/{name}")
def docs_asset(version: str, name: str) -> FileResponse:
    if version != VERSION or name not in FILES:
        raise NotFound("No such documentation asset")
    path, media_type = FILES[name]
    return FileResponse(
        path,
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )
