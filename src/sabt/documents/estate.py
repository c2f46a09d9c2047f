"""The inheritance certificate's facts (pure): the heirs and their shares in each division
table, heirs who died after the decedent, the reserve of a provisional division, the articles
applied and the objection notice. The division itself is the inheritance part's (its engine
and the register's resolver); this only states it.

Since 1404 the registry issues the certificate itself; an heir may object within 10 days to
the registry's dispute board (7th Development Plan Art. 113(ث) and its bylaw)."""

import re
from datetime import date, timedelta
from typing import Any

from sabt.inheritance.case import Person as Heir
from sabt.inheritance.case import parse_case
from sabt.inheritance.heirs import Resolution
from sabt.inheritance.law import Reason, Result
from sabt.inheritance.texts import FA_RELATION
from sabt.persian.jalali import from_jalali

OBJECTION_DAYS = 10
FORUM_FA = "هیأت حل اختلاف ثبت احوال"
FORUM_EN = "the civil registration dispute board"
TABLE_FA = {
    "any": "همهٔ ترکه",
    "movables": "اموال منقول، ابنیه و اشجار",
    "land": "زمین (عین و قیمت)",
}
CODE = re.compile(r"\d{10}")
DECLARED = ("pregnancy", "will", "review")
UNBORN_FA = "حمل (فرزند متوفی)"


def certificate_facts(
    deceased: dict[str, Any], resolution: Resolution, tables: list[tuple[str, Result]],
    issued_on: date, declared: dict[str, Any] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """The certificate's facts: `deceased` is the identity block with its death; `tables`
    the division tables (inheritance.service.certificate_tables); `declared`, what a
    registrar recorded on the estate that the register cannot know, stated as given:
    `pregnancy` (the forensic certificate's reference; bylaw Art. 11), `will` (a will was
    declared: this certificate does not apply it), `review` (the registrar's note on gaps of
    the register they reviewed)."""
    people = {p.id: p for p in parse_case(resolution.case).people}
    provisional = any(r.status == "provisional" for _, r in tables)
    facts = {
        "deceased": deceased,
        "status": "provisional" if provisional else "final",
        "tables": [_table(assets, r, people, resolution.names) for assets, r in tables],
        "articles": _articles(tables),
        "steps": _steps(tables),
        "objection": _objection(issued_on),
    }
    for key in DECLARED:
        if (declared or {}).get(key):
            facts[key] = declared[key]  # type: ignore[index]
    return facts


def _objection(issued_on: date) -> dict[str, Any]:
    until = issued_on + timedelta(days=OBJECTION_DAYS)
    return {"days": OBJECTION_DAYS, "until": until.isoformat(), "forum_fa": FORUM_FA,
            "forum_en": FORUM_EN}  # fmt: skip


def _table(
    assets: str, result: Result, people: dict[str, Heir], names: dict[str, str]
) -> dict[str, Any]:
    parts = result.parts()
    heirs = []
    for pid, share in result.shares.items():
        if not share:
            continue
        p = people[pid]
        heirs.append({
            "national_code": pid if CODE.fullmatch(pid) else None,
            "name": names.get(pid),
            "relation": p.relation,
            "relation_fa": UNBORN_FA if p.unborn else FA_RELATION.get(p.relation, p.relation),
            "share": str(share),
            "parts": parts[pid],
            "died_on": from_jalali(p.died_on).isoformat() if p.died_on else None,
            "reserve": "unborn" if p.unborn else "missing" if p.missing else None,
        })  # fmt: skip
    return {
        "assets": assets, "assets_fa": TABLE_FA[assets], "total": parts["total"],
        "state": parts.get("state", 0), "heirs": heirs,
        "excluded": [_excluded(people[pid], reason, names) for pid, reason in
                     result.excluded.items()],
    }  # fmt: skip


def _excluded(p: Heir, reason: Reason, names: dict[str, str]) -> dict[str, Any]:
    """A relative in the case who takes nothing from this table, and the article why."""
    return {
        "national_code": p.id if CODE.fullmatch(p.id) else None, "name": names.get(p.id),
        "relation_fa": FA_RELATION.get(p.relation, p.relation), "reason_fa": reason.fa,
        "article": reason.article,
    }  # fmt: skip


def _articles(tables: list[tuple[str, Result]]) -> list[str]:
    """Every Civil Code article the division applied, in the code's order ("881 bis" after
    881): a step names one or several ("901, 913, 942")."""
    found = {a.strip() for _, r in tables for s in r.steps for a in s.article.split(",")}
    return sorted(found - {""}, key=_article_order)


def _article_order(article: str) -> tuple[int, str]:
    number = re.match(r"\d+", article)
    return (int(number.group()) if number else 10**6, article)


def _steps(tables: list[tuple[str, Result]]) -> list[str]:
    seen: dict[str, None] = {}
    for _, r in tables:
        for s in r.steps:
            seen.setdefault(s.fa, None)
    return list(seen)


def key_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """What the token carries: each table's heirs as `code:parts` over its total (exact and
    short enough for one QR), and whether the division is provisional."""
    key: dict[str, Any] = {"died": facts["deceased"]["death"]["date"]}
    for table in facts["tables"]:
        heirs = " ".join(
            f"{h['national_code'] or h['reserve']}:{h['parts']}" for h in table["heirs"]
        )
        key[table["assets"]] = {"t": table["total"], "h": heirs}
    if facts["status"] == "provisional":
        key["p"] = 1
    return key
