"""The web page at /, and the security headers every response carries.

The page is static HTML, CSS and JavaScript that calls the JSON API with fetch: no second
code path on the server.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, make_response, render_template, request

from . import i18n

bp = Blueprint("web", __name__)

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI sets style attributes and inline SVG images.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# Every response's headers besides its CSP (the web server's own error answers carry them too).
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@bp.get("/")
def index():
    """Show the checker page, in the language asked for (?lang=es) or the browser's (Accept-Language)."""
    lang = i18n.choose(request.args.get("lang"), request.accept_languages)
    response = make_response(render_template(
        "index.html", lang=lang, _=i18n.translator(lang), page_texts=i18n.script_texts(lang),
        languages=list(i18n.LANGUAGE_NAMES.items())))
    response.headers["Content-Language"] = lang
    response.vary.add("Accept-Language")
    return response


def security_headers(response: Response) -> Response:
    """Add the security headers: a CSP without inline script, nosniff, no framing, no referrer."""
    html = response.mimetype == "text/html"
    if request.path.startswith("/api/v1/docs"):
        csp = DOCS_CSP
    else:
        csp = PAGE_CSP if html else API_CSP
    response.headers.setdefault("Content-Security-Policy", csp)
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.after_request(security_headers)
