"""The headers of every server-rendered page (DESIGN.md): a nonce-based
Content-Security-Policy that admits no script (but the script files a page names with its
nonce, when it asks), only the page's own style (and the application's own fonts and
images), forms posted to the application (and to the origins named), never framed, never
cached, never sniffed, no referrer."""

import secrets


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def page_headers(nonce: str, form_action: str = "", scripts: bool = False) -> dict[str, str]:
    """`scripts`: the page loads script files, each with the nonce (the observatory's charts)."""
    forms = f"'self' {form_action}".strip()
    script = f"script-src 'nonce-{nonce}'; " if scripts else ""
    csp = (
        f"default-src 'none'; {script}style-src 'nonce-{nonce}'; font-src 'self'; "
        f"img-src 'self'; form-action {forms}; frame-ancestors 'none'; base-uri 'none'"
    )
    return {
        "content-security-policy": csp, "cache-control": "no-store",
        "x-content-type-options": "nosniff", "referrer-policy": "no-referrer",
    }  # fmt: skip
