"""Errors a user may see: each carries a code and a message in Persian and English.

The API turns them into 4xx JSON `{"code", "message_fa", "message_en"}`; the CLI prints the
message and exits with status 2.
"""


class SabtError(Exception):
    status = 400

    def __init__(self, code: str, message_fa: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_fa = message_fa
        self.message_en = message_en

    def __reduce__(self) -> tuple[type, tuple[str, str, str]]:
        # Raised in a worker process (bulk import), an error crosses back by pickle.
        return (type(self), (self.code, self.message_fa, self.message_en))

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "message_fa": self.message_fa, "message_en": self.message_en}


class BadInput(SabtError):
    status = 422


class NotFound(SabtError):
    status = 404


class Conflict(SabtError):
    status = 409


class UnsupportedMedia(SabtError):
    status = 415


class TooManyRequests(SabtError):
    """A rate limit: the answer says when to try again (`Retry-After`, in seconds)."""

    status = 429

    def __init__(self, code: str, message_fa: str, message_en: str, retry_after: int) -> None:
        super().__init__(code, message_fa, message_en)
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[type, tuple[str, str, str, int]]:  # type: ignore[override]
        return (type(self), (self.code, self.message_fa, self.message_en, self.retry_after))
