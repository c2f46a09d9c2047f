"""The headers of every server-rendered page (DESIGN.md): a nonce-based
Content-Security-Policy that admits no script, only the page's own style (and the
application's own fonts and images), forms posted to the application (and to the origins
named), never framed, never cached, never sniffed, no referrer."""

import secrets


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def page_headers(nonce: str, form_action: str = "") -> dict[str, str]:
    forms = f"'self' {form_action}".strip()
    csp = (
        f"default-src 'none'; style-src 'nonce-{nonce}'; font-src 'self'; img-src 'self'; "
        f"form-action {forms}; frame-ancestors 'none'; base-uri 'none'"
    )
    return {
        "content-security-policy": csp, "cache-control": "no-store",
        "x-content-type-options": "nosniff", "referrer-policy": "no-referrer",
    }  # fmt: skip
