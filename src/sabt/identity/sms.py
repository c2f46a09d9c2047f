"""SMS through a gateway: an outbox file for the demo and tests (one JSON line per message,
`$SABT_HOME/sms/outbox.jsonl`), or an HTTP provider configured by settings
(`SABT_SMS_GATEWAY=http`, `SABT_SMS_URL`, `SABT_SMS_API_KEY`).

The HTTP adapter POSTs `{"to", "text"}` as JSON with the key as a bearer token: the shape
of the common Iranian SMS panels' REST APIs; a provider with another shape needs only its
own `Gateway`."""

import json
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Protocol

from sabt.kit import clock
from sabt.kit.errors import SabtError
from sabt.kit.settings import Settings


class NotSent(SabtError):
    status = 503


class Gateway(Protocol):
    def send(self, mobile: str, text: str) -> None: ...


class Outbox:
    """Messages appended to a file (the demo's and the tests' phone)."""

    _lock = threading.Lock()

    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, mobile: str, text: str) -> None:
        line = json.dumps({"at": clock.now().isoformat(), "to": mobile, "text": text},
                          ensure_ascii=False)  # fmt: skip
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as out:
                out.write(line + "\n")


class HttpProvider:
    def __init__(self, url: str, api_key: str | None, timeout: float = 10.0) -> None:
        self.url, self.api_key, self.timeout = url, api_key, timeout

    def send(self, mobile: str, text: str) -> None:
        body = json.dumps({"to": mobile, "text": text}, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                if answer.status >= 300:
                    raise _not_sent(f"HTTP {answer.status}")
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise _not_sent(str(exc)) from exc


def _not_sent(why: str) -> NotSent:
    return NotSent(
        "sms_not_sent",
        "پیامک فرستاده نشد؛ کمی بعد دوباره تلاش کنید",
        f"the SMS gateway did not take the message ({why}); try again shortly",
    )


def outbox_path(home: Path) -> Path:
    return home / "sms" / "outbox.jsonl"


def gateway(settings: Settings) -> Gateway:
    if settings.sms_gateway == "http" and settings.sms_url:
        return HttpProvider(settings.sms_url, settings.sms_api_key)
    return Outbox(outbox_path(settings.home))
