"""Routes of the estimator page and the policy browser (HTML, their static files, the form's JSON).

    /                      the estimator (Chinese; ?lang=en for English); state in the query
    /policies              every installed edition, grouped by kind
    /policies/{ref}        one edition: parameters as written, sources, assumed numbers
    /web/form.json         what the form offers (schemes, categories, levels, products, regions)
    /web/static/{name}     scripts, styles and the icon; nothing is loaded from elsewhere

The page settles through the public API (POST /v1/estimates) with fetch.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from yibao.api.deps import policy_set
from yibao.errors import NotFoundError
from yibao.policy.lookup import PolicySet
from yibao.web.browser import policy_groups, policy_page
from yibao.web.catalog import form_document
from yibao.web.i18n import Lang, pick_lang, words
from yibao.web.seed import SEED_STATE

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)

MEDIA_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}
STATIC_NAME = re.compile(r"^[a-z0-9][a-z0-9\-]*\.(css|js|svg)$")
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

Policies = Annotated[PolicySet, Depends(policy_set)]
LangQuery = Annotated[str | None, Query(pattern="^(zh|en)$")]


def _page(
    request: Request, name: str, lang: Lang, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """Render a page with the shared context: language, words, the language switch."""
    other: Lang = "en" if lang == "zh" else "zh"
    query = dict(request.query_params)
    query["lang"] = other
    switch = request.url.path + "?" + urlencode(query)
    shared = {"lang": lang, "other_lang": other, "t": words(lang), "switch_href": switch}
    response = templates.TemplateResponse(request, name, {**shared, **context}, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response


@router.get("/", response_class=HTMLResponse)
def estimator(request: Request, policies: Policies, lang: LangQuery = None) -> HTMLResponse:
    """The estimator: a form pre-filled with the seed situation, results fetched from /v1/estimates."""
    chosen = pick_lang(lang)
    data = {"lang": chosen, "words": words(chosen), "form": form_document(policies), "seed": SEED_STATE}
    return _page(request, "estimator.html", chosen, {"page": "estimate", "page_data": data})


@router.get("/policies", response_class=HTMLResponse)
def policy_list(request: Request, policies: Policies, lang: LangQuery = None) -> HTMLResponse:
    """Every installed edition, grouped by kind, with validity and the count of assumed blocks."""
    chosen = pick_lang(lang)
    context = {"page": "policies", "groups": policy_groups(policies, chosen)}
    return _page(request, "policies.html", chosen, context)


@router.get("/policies/{ref}", response_class=HTMLResponse)
def policy_detail(request: Request, ref: str, policies: Policies, lang: LangQuery = None) -> HTMLResponse:
    """One edition in full; an unknown ref is a 404 page naming the policies that exist."""
    chosen = pick_lang(lang)
    try:
        context = policy_page(policies, ref, chosen)
    except NotFoundError as exc:
        missing = {"page": "policies", "missing": str(exc), "title": ref}
        return _page(request, "policy.html", chosen, missing, status_code=404)
    return _page(request, "policy.html", chosen, {"page": "policies", **context})


@router.get("/web/form.json")
def form_json(policies: Policies) -> dict[str, Any]:
    """What the form offers: schemes with editions, levels, categories, kinds; products; regions."""
    return form_document(policies)


@router.get("/web/static/{name}")
def static_file(name: str) -> Response:
    """A file of the page; only plain names of files that ship with yibao."""
    path = STATIC_DIR / name
    if not STATIC_NAME.match(name) or not path.is_file():
        raise NotFoundError(f"no static file {name!r}")
    media_type = MEDIA_TYPES[path.suffix]
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "no-cache"})
