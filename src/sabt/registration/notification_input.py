"""Hospital notifications, as the contract defines them (docs/contracts/birth-notification.md),
read from plain JSON or a FHIR R4B Bundle into one internal form. Pure: no I/O.

A FHIR death names its place the way FHIR can: an Encounter with a serviceProvider is a
death in that hospital; otherwise the Patient's first address says where (`country` other
than IR: abroad; `use` home: at home; `district`: the county code).

`fhir.resources` checks a Bundle's structure but not its value-set bindings, so the codes
(gender, role codes, LOINC, identifier systems) are checked here.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from sabt.kit import input_errors, params
from sabt.kit.errors import SabtError, UnsupportedMedia
from sabt.registration.schemas import NAME_MAX, BirthNotificationJSON, DeathNotificationJSON

NATIONAL_CODE = "urn:sabt:national-code"
OFFICE = "urn:sabt:office"
NOTIFICATION = "urn:sabt:notification:"
BIRTH_TIME = "http://hl7.org/fhir/StructureDefinition/patient-birthTime"
PLURALITY = "urn:sabt:ext:plurality"
ROLE_CODES = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
LOINC = "http://loinc.org"
BIRTH_WEIGHT = "8339-4"
CAUSE_OF_DEATH = "69453-9"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
# ICD-10 code shape (chapter letter, two digits, optional subdivision): the full code list
# is WHO-licensed and not shipped, so the shape is what Sabt can check.
ICD10_CODE = re.compile(r"[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?")
DEATH_PLACES = ("hospital", "home", "other", "abroad")
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


@dataclass(frozen=True)
class DeathPlace:
    kind: str  # one of DEATH_PLACES
    office: str | None = None  # the hospital
    county: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2, abroad only


@dataclass(frozen=True)
class DeathNotice:
    notification_id: str
    reporter: str
    national_code: str
    died_at: datetime  # aware
    place: DeathPlace
    cause_icd10: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "notification_id": self.notification_id,
            "reporter": self.reporter,
            "national_code": self.national_code,
            "died_at": self.died_at.isoformat(),
            "place": {
                "kind": self.place.kind,
                "office": self.place.office,
                "county": self.place.county,
                "country": self.place.country,
            },
            "cause_icd10": self.cause_icd10,
        }


MEDIA_TYPES = ("application/json", "application/fhir+json")


def _is_fhir(content_type: str) -> bool:
    """Which encoding the body is in; any media type but the two is refused with 415, so
    nothing (text/plain, XML, none) is ever guessed to be JSON."""
    media = content_type.split(";")[0].strip().lower()
    if media not in MEDIA_TYPES:
        raise UnsupportedMedia(
            "unsupported_media_type",
            "نوع محتوا باید application/json یا application/fhir+json باشد",
            f"Content-Type must be application/json or application/fhir+json, not {media!r}",
        )
    return media == "application/fhir+json"


def read_birth(body: bytes, content_type: str) -> BirthNotice:
    """A birth notification from either encoding, with its codes and ranges checked."""
    notice = _birth_from_fhir(body) if _is_fhir(content_type) else _birth_from_json(body)
    _check_birth(notice)
    return notice


def read_death(body: bytes, content_type: str) -> DeathNotice:
    """A death notification from either encoding, with its codes checked."""
    notice = _death_from_fhir(body) if _is_fhir(content_type) else _death_from_json(body)
    _check_death(notice)
    return notice


def _death_from_json(body: bytes) -> DeathNotice:
    try:
        n = DeathNotificationJSON.model_validate_json(body)
    except ValidationError as exc:
        raise _invalid(exc) from exc
    place = DeathPlace(n.place.kind, n.place.office, n.place.county, n.place.country)
    return DeathNotice(
        n.notification_id, n.reporter, n.national_code, n.died_at, place, n.cause_icd10
    )


def _death_from_fhir(body: bytes) -> DeathNotice:
    bundle = _bundle(body)
    resources = _resources(bundle)
    patient = _one(resources, "Patient")
    reporter, notification_id = _bundle_identifier(bundle)
    codes = [i.value for i in patient.identifier or [] if i.system == NATIONAL_CODE]
    if len(codes) != 1:
        raise bad(
            "invalid_fhir",
            "کد ملی متوفی نیامده",
            "the Patient needs exactly one urn:sabt:national-code identifier",
        )
    died_at = patient.deceasedDateTime
    if not isinstance(died_at, datetime) or died_at.tzinfo is None:
        raise bad(
            "missing_death_time",
            "زمان فوت با منطقهٔ زمانی لازم است",
            "Patient.deceasedDateTime with a zoned time is required",
        )
    return DeathNotice(
        notification_id, reporter, str(codes[0]), died_at, _death_place(resources, patient),
        _cause(resources),
    )  # fmt: skip


def _death_place(resources: list[Any], patient: Any) -> DeathPlace:
    encounters = [r for r in resources if r.get_resource_type() == "Encounter"]
    if encounters:
        provider = _one(resources, "Encounter").serviceProvider
        office = provider.identifier.value if provider and provider.identifier else None
        return DeathPlace("hospital", office=office)
    address = patient.address[0] if patient.address else None
    if address is None:
        raise bad(
            "missing_place",
            "محل فوت نیامده",
            "a death needs an Encounter (hospital) or a Patient address",
        )
    if address.country and address.country != "IR":
        return DeathPlace("abroad", country=address.country)
    kind = "home" if address.use == "home" else "other"
    return DeathPlace(kind, county=address.district)


def _cause(resources: list[Any]) -> str | None:
    for r in resources:
        if r.get_resource_type() != "Observation":
            continue
        codes = [(c.system, c.code) for c in (r.code.coding if r.code else None) or []]
        if (LOINC, CAUSE_OF_DEATH) not in codes:
            raise bad(
                "unknown_observation",
                "مشاهدهٔ ناشناخته",
                f"only LOINC {CAUSE_OF_DEATH} (cause of death) is accepted, got {codes}",
            )
        concept = r.valueCodeableConcept
        icd = [c.code for c in (concept.coding if concept else None) or [] if c.system == ICD10]
        if len(icd) != 1:
            raise bad(
                "bad_cause",
                "علت فوت باید یک کد ICD-10 باشد",
                f"the cause of death needs one coding with system {ICD10}",
            )
        return str(icd[0])
    return None


def _check_time(at: datetime, field: str) -> None:
    """The same range as the JSON form's `Instant`, for the FHIR form too."""
    if not params.instant_in_range(at):
        raise bad(
            "date_out_of_range",
            f"تاریخ {field} باید میان ۱۸۰۰ و ۲۱۹۹ میلادی باشد",
            f"{field} must be {params.RANGE_EN}",
        )


def _check_death(n: DeathNotice) -> None:
    _check_notification_id(n.notification_id)
    _check_time(n.died_at, "died_at")
    if n.cause_icd10 is not None and not ICD10_CODE.fullmatch(n.cause_icd10):
        raise bad(
            "bad_cause",
            f"کد ICD-10 نامعتبر است: {n.cause_icd10}",
            f"{n.cause_icd10!r} is not an ICD-10 code (like I21.9)",
        )
    p = n.place
    if p.kind == "abroad" and not (p.country and re.fullmatch(r"[A-Z]{2}", p.country)):
        raise bad(
            "missing_country",
            "برای فوت در خارج، کشور (کد دوحرفی) لازم است",
            "a death abroad needs place.country as an ISO 3166 alpha-2 code",
        )
    if p.kind == "hospital" and not p.office:
        raise bad(
            "missing_office", "بیمارستان محل فوت نیامده", "a hospital death needs place.office"
        )
    if p.kind == "other" and not p.county:
        raise bad("missing_county", "شهرستان محل فوت نیامده", "place kind other needs a county")


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
    fa, en = input_errors.describe(exc.errors())
    return bad("invalid_notification", f"اعلام نامعتبر است: {fa}", f"invalid notification: {en}")


def _bundle(body: bytes) -> Bundle:
    try:
        bundle = Bundle.model_validate_json(body)
    except (ValidationError, ValueError) as exc:
        if isinstance(exc, ValidationError):
            raise _invalid(exc) from exc
        raise bad("invalid_fhir", "بستهٔ FHIR نامعتبر است", f"invalid FHIR Bundle: {exc}") from exc
    if bundle.type != "collection":
        raise bad("invalid_fhir", "نوع بسته باید collection باشد", "Bundle.type must be collection")
    _typed_as_parsed(orjson.loads(body), bundle, "Bundle")
    return bundle


def _mistyped(where: str, value: Any, wanted: str, wanted_fa: str) -> BadNotification:
    return bad(
        "invalid_fhir", f"مقدار {where} باید {wanted_fa} باشد",
        f"{where} must be a JSON {wanted}, not {value!r}",
    )  # fmt: skip


def _typed_as_parsed(raw: Any, parsed: Any, where: str) -> None:
    """Every boolean and integer of the Bundle as JSON wrote it: `fhir.resources` turns
    "yes" or 1 into True and "2" into 2 even in strict mode, and a stillbirth must never be
    recorded from a string. Walks the raw JSON beside the parsed resources."""
    if isinstance(raw, list) and isinstance(parsed, list):
        for i, (r, p) in enumerate(zip(raw, parsed, strict=False)):
            _typed_as_parsed(r, p, f"{where}[{i}]")
        return
    if not isinstance(raw, dict) or parsed is None or isinstance(parsed, dict):
        return
    for key, value in raw.items():
        inner = getattr(parsed, key, None) if key.isidentifier() else None
        if isinstance(inner, bool) and not isinstance(value, bool):
            raise _mistyped(f"{where}.{key}", value, "boolean", "true یا false")
        if isinstance(inner, int) and (isinstance(value, bool) or not isinstance(value, int)):
            raise _mistyped(f"{where}.{key}", value, "integer", "عدد صحیح")
        _typed_as_parsed(value, inner, f"{where}.{key}")


def _birth_from_fhir(body: bytes) -> BirthNotice:
    bundle = _bundle(body)
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
    _check_time(n.born_at, "born_at")
    if n.proposed_first_name is not None and len(n.proposed_first_name) > NAME_MAX:
        raise bad(  # the JSON form's own limit, for the FHIR form too
            "name_too_long",
            f"نام پیشنهادی بیش از {NAME_MAX} نویسه است",
            f"the proposed first name is longer than {NAME_MAX} characters",
        )
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
    _check_notification_id(n.notification_id)


def _check_notification_id(notification_id: str) -> None:
    if not notification_id.strip() or len(notification_id) > 64:
        raise bad(
            "bad_notification_id",
            "شناسهٔ اعلام نامعتبر است",
            "notification_id must be 1-64 characters",
        )
