"""Hospital notifications, as the contract defines them (contracts/birth-notification.md),
read from plain JSON or a FHIR R4B Bundle into one internal form. Pure: no I/O.

`fhir.resources` checks a Bundle's structure but not its value-set bindings, so the codes
(gender, role codes, LOINC, identifier systems) are checked here.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from sabt.kit.errors import SabtError
from sabt.registration.schemas import BirthNotificationJSON

NATIONAL_CODE = "urn:sabt:national-code"
OFFICE = "urn:sabt:office"
NOTIFICATION = "urn:sabt:notification:"
BIRTH_TIME = "http://hl7.org/fhir/StructureDefinition/patient-birthTime"
PLURALITY = "urn:sabt:ext:plurality"
ROLE_CODES = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
LOINC = "http://loinc.org"
BIRTH_WEIGHT = "8339-4"
GENDERS = ("male", "female", "other", "unknown")  # FHIR administrative-gender


class BadNotification(SabtError):
    status = 400


def bad(code: str, fa: str, en: str) -> BadNotification:
    return BadNotification(code, fa, en)


@dataclass(frozen=True)
class BirthNotice:
    notification_id: str
    hospital: str
    born_at: datetime  # aware
    sex: str  # one of GENDERS; only male/female can be registered
    weight_g: int | None
    plurality: int
    birth_order: int
    stillborn: bool
    mother: str
    father: str | None
    proposed_first_name: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "notification_id": self.notification_id,
            "hospital": self.hospital,
            "born_at": self.born_at.isoformat(),
            "sex": self.sex,
            "weight_g": self.weight_g,
            "plurality": self.plurality,
            "birth_order": self.birth_order,
            "stillborn": self.stillborn,
            "mother": self.mother,
            "father": self.father,
            "proposed_first_name": self.proposed_first_name,
        }


def read_birth(body: bytes, content_type: str) -> BirthNotice:
    """A birth notification from either encoding, with its codes and ranges checked."""
    if content_type.split(";")[0].strip().lower() == "application/fhir+json":
        notice = _birth_from_fhir(body)
    else:
        notice = _birth_from_json(body)
    _check_birth(notice)
    return notice


def _birth_from_json(body: bytes) -> BirthNotice:
    try:
        n = BirthNotificationJSON.model_validate_json(body)
    except ValidationError as exc:
        raise _invalid(exc) from exc
    return BirthNotice(
        n.notification_id, n.hospital, n.born_at, n.sex, n.weight_g, n.plurality,
        n.birth_order, n.stillborn, n.mother_national_code, n.father_national_code,
        n.proposed_first_name,
    )  # fmt: skip


def _invalid(exc: ValidationError) -> BadNotification:
    where = "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()[:5]
    )
    return bad(
        "invalid_notification", f"اعلام نامعتبر است ({where})", f"invalid notification: {where}"
    )


def _birth_from_fhir(body: bytes) -> BirthNotice:
    try:
        bundle = Bundle.model_validate_json(body)
    except (ValidationError, ValueError) as exc:
        if isinstance(exc, ValidationError):
            raise _invalid(exc) from exc
        raise bad("invalid_fhir", "بستهٔ FHIR نامعتبر است", f"invalid FHIR Bundle: {exc}") from exc
    if bundle.type != "collection":
        raise bad("invalid_fhir", "نوع بسته باید collection باشد", "Bundle.type must be collection")
    resources = _resources(bundle)
    patient = _one(resources, "Patient")
    office, notification_id = _bundle_identifier(bundle)
    provider = _one(resources, "Encounter").serviceProvider
    if provider is None or provider.identifier is None or provider.identifier.system != OFFICE:
        raise bad(
            "invalid_fhir",
            "بیمارستان در Encounter نیامده",
            "Encounter.serviceProvider needs an urn:sabt:office identifier",
        )
    if provider.identifier.value != office:
        raise bad(
            "invalid_fhir",
            "شناسهٔ بیمارستان ناسازگار است",
            "the Bundle identifier and the Encounter name different offices",
        )
    parents = _parents(resources)
    if "MTH" not in parents:
        raise bad(
            "missing_mother", "مادر در اعلام نیامده", "a RelatedPerson with role MTH is required"
        )
    name = patient.name[0].given[0] if patient.name and patient.name[0].given else None
    return BirthNotice(
        notification_id=notification_id,
        hospital=office,
        born_at=_birth_time(patient),
        sex=str(patient.gender or "unknown"),
        weight_g=_weight(resources),
        plurality=_plurality(patient),
        birth_order=int(patient.multipleBirthInteger or 1),
        stillborn=bool(patient.deceasedBoolean),
        mother=parents["MTH"],
        father=parents.get("FTH"),
        proposed_first_name=name,
    )


def _resources(bundle: Bundle) -> list[Any]:
    return [e.resource for e in bundle.entry or [] if e.resource is not None]


def _one(resources: list[Any], kind: str) -> Any:
    found = [r for r in resources if r.get_resource_type() == kind]
    if len(found) != 1:
        raise bad(
            "invalid_fhir",
            f"بسته باید دقیقاً یک {kind} داشته باشد",
            f"the Bundle needs exactly one {kind}",
        )
    return found[0]


def _bundle_identifier(bundle: Bundle) -> tuple[str, str]:
    ident = bundle.identifier
    if ident is None or not (ident.system or "").startswith(NOTIFICATION) or not ident.value:
        raise bad(
            "invalid_fhir",
            "شناسهٔ اعلام نیامده",
            f"Bundle.identifier needs system {NOTIFICATION}<office> and a value",
        )
    return str(ident.system).removeprefix(NOTIFICATION), str(ident.value)


def _parents(resources: list[Any]) -> dict[str, str]:
    parents: dict[str, str] = {}
    for r in resources:
        if r.get_resource_type() != "RelatedPerson":
            continue
        codes = [
            c.code
            for rel in r.relationship or []
            for c in rel.coding or []
            if c.system == ROLE_CODES
        ]
        ids = [i.value for i in r.identifier or [] if i.system == NATIONAL_CODE]
        if len(codes) != 1 or codes[0] not in ("MTH", "FTH") or len(ids) != 1:
            raise bad(
                "invalid_fhir",
                "نقش یا کد ملی والد نامعتبر است",
                "a RelatedPerson needs one v3-RoleCode MTH or FTH and one national code",
            )
        if codes[0] in parents:
            raise bad("invalid_fhir", "والد تکراری", f"two RelatedPersons with role {codes[0]}")
        parents[codes[0]] = str(ids[0])
    return parents


def _birth_time(patient: Any) -> datetime:
    ext = patient.birthDate__ext
    times = [e.valueDateTime for e in (ext.extension if ext else None) or [] if e.url == BIRTH_TIME]
    if len(times) != 1 or not isinstance(times[0], datetime) or times[0].tzinfo is None:
        raise bad(
            "missing_birth_time",
            "ساعت تولد با منطقهٔ زمانی لازم است",
            "the patient-birthTime extension with a zoned time is required",
        )
    return times[0]


def _plurality(patient: Any) -> int:
    values = [e.valueInteger for e in patient.extension or [] if e.url == PLURALITY]
    return int(values[0]) if values and values[0] is not None else 1


def _weight(resources: list[Any]) -> int | None:
    for r in resources:
        if r.get_resource_type() != "Observation":
            continue
        codes = [(c.system, c.code) for c in (r.code.coding if r.code else None) or []]
        if (LOINC, BIRTH_WEIGHT) not in codes:
            raise bad(
                "unknown_observation",
                "مشاهدهٔ ناشناخته",
                f"only LOINC {BIRTH_WEIGHT} (birth weight) is accepted, got {codes}",
            )
        q = r.valueQuantity
        if q is None or q.value is None or q.code != "g":
            raise bad(
                "bad_weight", "وزن تولد باید به گرم باشد", "birth weight needs a valueQuantity in g"
            )
        return int(q.value)
    return None


def _check_birth(n: BirthNotice) -> None:
    if n.sex not in GENDERS:
        raise bad(
            "bad_sex",
            f"جنسیت نامعتبر: {n.sex}",
            f"sex must be one of {', '.join(GENDERS)}, not {n.sex!r}",
        )
    if not 1 <= n.plurality <= 8 or not 1 <= n.birth_order <= n.plurality:
        raise bad(
            "bad_plurality",
            "چندقلویی یا ترتیب تولد نامعتبر است",
            "plurality must be 1-8 and birth_order 1..plurality",
        )
    if n.weight_g is not None and not 200 <= n.weight_g <= 8000:
        raise bad(
            "bad_weight", "وزن تولد ناممکن است", f"a birth weight of {n.weight_g} g is impossible"
        )
    if not n.notification_id.strip() or len(n.notification_id) > 64:
        raise bad(
            "bad_notification_id",
            "شناسهٔ اعلام نامعتبر است",
            "notification_id must be 1-64 characters",
        )
