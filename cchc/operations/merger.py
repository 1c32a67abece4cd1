"""Carrying a merged system's accounts and finished dossiers over (checklist item 42).

The format (`docs/how-to/merger-import.md`) is one JSON document, or one CSV file per kind
with the same column names. Every row is checked against the registry (agencies by their
electronic identifier, desks, areas by their statistics code, procedures by their national
code) before anything is written; a run is a dry run unless told to apply, and a run with a
refused row writes nothing unless told to carry over the rest (`partial`). Running the same
files again changes nothing: dossiers already carried over from the same system are skipped,
accounts are matched by user name or ID number.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cchc.accounts.constants import Role
from cchc.accounts.models import AccountKind, Membership, User
from cchc.core.audit import log_action
from cchc.core.errors import DomainError
from cchc.core.text import fold
from cchc.dossiers import constants as c
from cchc.dossiers.models import Dossier
from cchc.dossiers.services.imports import CarriedDossier, carry_over
from cchc.organizations.models import AdministrativeArea, Agency, Desk
from cchc.procedures.models import ProcedureVersion

from .models import MergerImport

FORMAT = "cchc-merger/1"

# the columns of each kind; those marked * are required
ACCOUNT_COLUMNS = (
    "ref*", "kind*", "username", "full_name*", "email", "phone", "id_number", "tax_code",
    "address", "password_hash", "is_active", "created_at", "agency", "role",
)  # fmt: skip
DOSSIER_COLUMNS = (
    "code*", "procedure_code*", "agency*", "desk", "channel", "applicant_kind",
    "applicant_name*", "id_number", "tax_code", "birth_date", "phone", "email", "address",
    "area", "account", "status*", "outcome", "submitted_at", "received_at", "due_at",
    "finished_at*", "returned_at", "result_summary", "result_number", "refusal_reason",
    "lookup_secret",
)  # fmt: skip

CHANNELS = {
    "in_person": c.Channel.IN_PERSON, "truc_tiep": c.Channel.IN_PERSON,
    "post": c.Channel.POST, "buu_chinh": c.Channel.POST,
    "online": c.Channel.ONLINE, "truc_tuyen": c.Channel.ONLINE,
}  # fmt: skip
PUBLIC_KINDS = (AccountKind.CITIZEN, AccountKind.ORGANISATION)
COUNT_LABELS = {
    "accounts_read": _lazy("Tài khoản đọc được"),
    "accounts_created": _lazy("Tài khoản tạo mới"),
    "accounts_matched": _lazy("Tài khoản đã có (dùng lại)"),
    "passwords_kept": _lazy("Tài khoản giữ mật khẩu cũ"),
    "dossiers_read": _lazy("Hồ sơ đọc được"),
    "dossiers_created": _lazy("Hồ sơ chuyển sang"),
    "dossiers_already": _lazy("Hồ sơ đã chuyển từ trước (bỏ qua)"),
    "rows_refused": _lazy("Dòng bị từ chối"),
}
KIND_LABELS = {"account": _lazy("tài khoản"), "dossier": _lazy("hồ sơ")}


def count_lines(counts: dict[str, int]) -> list[tuple[str, int]]:
    """The report's figures in words, in a fixed order, then the dossiers by status."""
    lines = [(str(label), counts.get(key, 0)) for key, label in COUNT_LABELS.items()]
    lines += [
        ("— " + str(c.Status(key[7:]).label), n)
        for key, n in sorted(counts.items())
        if key.startswith("status_")
    ]
    return lines


def problem_line(p: dict[str, Any]) -> str:
    return _("%(kind)s, dòng %(row)s (%(ref)s): %(message)s") % {
        "kind": KIND_LABELS.get(p["kind"], p["kind"]),
        "row": p["row"],
        "ref": p["ref"],
        "message": p["message"],
    }


DATE_VN = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


class FormatError(DomainError):
    """The file itself cannot be read (not a row of it)."""


@dataclass
class Problem:
    kind: str  # "account" or "dossier"
    row: int  # 1-based, as a spreadsheet shows it (CSV: the header is row 1)
    ref: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "row": self.row, "ref": self.ref, "message": self.message}


@dataclass
class Source:
    system: str = ""
    accounts: list[dict[str, Any]] = field(default_factory=list)
    dossiers: list[dict[str, Any]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    first_row: dict[str, int] = field(default_factory=lambda: {"account": 1, "dossier": 1})


def read(path: Path, kind: str | None, into: Source) -> None:
    """Add the rows of one file: a JSON document (`system`, `accounts`, `dossiers`) or a CSV
    file of `kind` ("accounts" or "dossiers"), UTF-8 with or without a byte-order mark."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(
            "unreadable", _("Không đọc được tệp %(file)s: %(error)s") % {"file": path, "error": exc}
        ) from exc
    into.files.append(path.name)
    if path.suffix.lower() == ".json":
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FormatError(
                "bad_json",
                _("Tệp %(file)s không phải JSON hợp lệ (dòng %(line)s): %(error)s")
                % {"file": path.name, "line": exc.lineno, "error": exc.msg},
            ) from exc
        if not isinstance(doc, dict) or doc.get("format", FORMAT) != FORMAT:
            raise FormatError(
                "bad_format",
                _("Tệp %(file)s phải là một đối tượng JSON theo định dạng %(format)s.")
                % {"file": path.name, "format": FORMAT},
            )
        into.system = into.system or str(doc.get("system") or "")
        for key in ("accounts", "dossiers"):
            rows = doc.get(key) or []
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise FormatError(
                    "bad_format",
                    _("Mục “%(key)s” của tệp %(file)s phải là danh sách các đối tượng.")
                    % {"key": key, "file": path.name},
                )
            getattr(into, key).extend(rows)
            into.first_row[key[:-1]] = 1
        return
    if kind not in ("accounts", "dossiers"):
        raise FormatError("bad_kind", _("Tệp CSV phải nói rõ là tài khoản hay hồ sơ."))
    reader = csv.DictReader(io.StringIO(text))
    columns = {
        name.rstrip("*") for name in (ACCOUNT_COLUMNS if kind == "accounts" else DOSSIER_COLUMNS)
    }
    unknown = [name for name in reader.fieldnames or [] if name not in columns]
    if unknown:
        raise FormatError(
            "unknown_columns",
            _("Tệp %(file)s có cột không thuộc định dạng: %(columns)s.")
            % {"file": path.name, "columns": ", ".join(unknown)},
        )
    getattr(into, kind).extend(reader)
    into.first_row[kind[:-1]] = 2  # the header is the spreadsheet's row 1


def _text(row: dict[str, Any], key: str) -> str:
    value = row.get(key)
    return "" if value is None else str(value).strip()


def parse_moment(text: str, *, end_of_day: bool = False) -> dt.datetime | None:
    """An ISO 8601 moment or date, or dd/mm/yyyy [hh:mm[:ss]]; a moment without an offset is
    Vietnam time; a bare date is the start of that day (`end_of_day`: its last second, as a
    due date without an hour means "by the end of that day")."""
    if not text:
        return None
    zone = timezone.get_default_timezone()
    match = DATE_VN.match(text)
    try:
        if match:
            day, month, year, hour, minute, second = match.groups()
            moment = dt.datetime(int(year), int(month), int(day))
            if hour is not None:
                moment = moment.replace(hour=int(hour), minute=int(minute), second=int(second or 0))
            bare = hour is None
        else:
            parsed = parse_datetime(text) if ("T" in text or ":" in text) else None
            bare = parsed is None
            if bare:
                day_only = parse_date(text)
                if day_only is None:
                    raise ValueError(text)
                parsed = dt.datetime.combine(day_only, dt.time())
            moment = parsed  # type: ignore[assignment]
    except ValueError as exc:
        raise ValueError(text) from exc
    if bare and end_of_day:
        moment = moment.replace(hour=23, minute=59, second=59)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, zone)
    return moment


class Importer:
    def __init__(self, system: str, actor: Any) -> None:
        self.system, self.actor = system, actor
        self.today = timezone.localdate()
        self.counts: Counter[str] = Counter()
        self.problems: list[Problem] = []
        self.account_refs: dict[str, int] = {}
        self.agencies = {a.eid_code: a for a in Agency.objects.exclude(eid_code="")}
        self.desks = list(Desk.objects.select_related("area"))
        self.areas: dict[str, list[AdministrativeArea]] = {}
        for area in AdministrativeArea.objects.all():
            self.areas.setdefault(area.code, []).append(area)
        self.versions: dict[str, list[ProcedureVersion]] = {}
        for v in ProcedureVersion.objects.select_related("procedure").order_by("-number"):
            self.versions.setdefault(v.procedure.code, []).append(v)

    def refuse(self, kind: str, row: int, ref: str, messages: Iterable[str]) -> None:
        for message in messages:
            self.problems.append(Problem(kind, row, ref, str(message)))

    # --- accounts -----------------------------------------------------------------------

    def accounts(self, rows: list[dict[str, Any]], first: int) -> None:
        seen: set[str] = set()
        for n, row in enumerate(rows, start=first):
            ref = _text(row, "ref")
            errors: list[str] = []
            if not ref:
                errors.append(_("Thiếu mã tài khoản (ref)."))
            elif ref in seen:
                errors.append(_("Mã tài khoản bị trùng trong tệp."))
            seen.add(ref)
            try:
                user = self.account(row, errors)
            except IntegrityError:
                user, errors = None, [_("Tài khoản trùng với một tài khoản đã có.")]
            if errors or user is None:
                self.refuse("account", n, ref, errors)
                continue
            self.account_refs[ref] = user.pk

    @transaction.atomic
    def account(self, row: dict[str, Any], errors: list[str]) -> User | None:
        kind = _text(row, "kind")
        full_name = _text(row, "full_name")
        email = _text(row, "email").lower()
        id_number, tax_code = _text(row, "id_number"), _text(row, "tax_code")
        if kind not in (*PUBLIC_KINDS, AccountKind.STAFF):
            errors.append(_("Loại tài khoản phải là citizen, organisation hoặc staff."))
        if not full_name:
            errors.append(_("Thiếu họ và tên."))
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(_("Địa chỉ thư điện tử không hợp lệ."))
        if id_number and not re.fullmatch(r"\d{9}|\d{12}", id_number):
            errors.append(_("Số định danh phải gồm 12 chữ số (hoặc 9 chữ số của CMND cũ)."))
        if tax_code and not re.fullmatch(r"\d{10}(-\d{3})?", tax_code):
            errors.append(_("Mã số thuế phải gồm 10 chữ số, hoặc 10 chữ số và 3 chữ số chi nhánh."))
        agency, role = None, _text(row, "role")
        if kind == AccountKind.STAFF:
            agency = self.agencies.get(_text(row, "agency"))
            if agency is None:
                errors.append(_("Không có cơ quan mang mã định danh “%s”.") % _text(row, "agency"))
            if role not in Role.values:
                errors.append(_("Vai trò “%s” không có trong hệ thống.") % role)
        username = _text(row, "username") or email
        if not username:
            if kind == AccountKind.STAFF:
                errors.append(_("Tài khoản cán bộ phải có tên đăng nhập."))
            username = f"{self.system_slug}-{_text(row, 'ref')}"
        created_at = None
        try:
            created_at = parse_moment(_text(row, "created_at"))
        except ValueError:
            errors.append(_("Ngày tạo tài khoản không hợp lệ."))
        if errors:
            return None
        existing = User.objects.filter(username=username).first()
        if existing is None and kind in PUBLIC_KINDS and (id_number or tax_code):
            number = (
                {"tax_code": tax_code}
                if kind == AccountKind.ORGANISATION
                else {"id_number": id_number}
            )
            existing = (
                User.objects.filter(kind=kind, **number).exclude(**{next(iter(number)): ""}).first()
            )
        if existing is not None:
            same = existing.kind == kind and (
                (id_number and existing.id_number == id_number)
                or (tax_code and existing.tax_code == tax_code)
                or (not id_number and not tax_code and existing.full_name == full_name)
            )
            if not same:
                errors.append(_("Tên đăng nhập “%s” đã thuộc về một người khác.") % username)
                return None
            self.counts["accounts_matched"] += 1
            return existing
        user = User(
            username=username[:150],
            kind=kind,
            full_name=full_name,
            email=email,
            phone=_text(row, "phone")[:20],
            id_number=id_number,
            tax_code=tax_code,
            address=_text(row, "address")[:300],
            is_active=_text(row, "is_active").lower() not in ("0", "false", "no", "khong"),
            date_joined=created_at or timezone.now(),
        )
        password = _text(row, "password_hash")
        if password and self.known_hash(password):
            user.password = password
            self.counts["passwords_kept"] += 1
        else:
            user.set_unusable_password()
        user.save()
        if agency is not None:
            Membership.objects.create(user=user, agency=agency, role=role, valid_from=self.today)
        log_action(
            user,
            "account.import",
            actor=self.actor,
            reason=_("Chuyển từ %s.") % self.system,
            after={
                "username": user.username,
                "kind": kind,
                "full_name": full_name,
                "imported_from": self.system,
                "agency": agency.eid_code if agency else "",
                "role": role if agency else "",
                "password": "kept" if user.has_usable_password() else "none",
            },
        )
        self.counts["accounts_created"] += 1
        return user

    @property
    def system_slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", fold(self.system).lower()).strip("-")[:40] or "legacy"

    @staticmethod
    def known_hash(encoded: str) -> bool:
        """Only a hash one of this installation's hashers can check is kept."""
        try:
            hasher = identify_hasher(encoded)
        except ValueError:
            return False
        return any(path.endswith("." + type(hasher).__name__) for path in settings.PASSWORD_HASHERS)

    # --- dossiers -----------------------------------------------------------------------

    def dossiers(self, rows: list[dict[str, Any]], first: int) -> None:
        codes = [_text(r, "code") for r in rows]
        taken = dict(
            Dossier.objects.filter(code__in=[x for x in codes if x]).values_list(
                "code", "imported_from"
            )
        )
        seen: set[str] = set()
        for n, row in enumerate(rows, start=first):
            code = _text(row, "code")
            if code in taken:
                if taken[code] == self.system:
                    self.counts["dossiers_already"] += 1
                else:
                    self.refuse(
                        "dossier", n, code, [_("Mã hồ sơ đã có trong hệ thống; không đánh lại số.")]
                    )
                continue
            errors: list[str] = []
            if not code:
                errors.append(_("Thiếu mã hồ sơ."))
            elif len(code) > 60:
                errors.append(_("Mã hồ sơ dài quá 60 ký tự."))
            elif code in seen:
                errors.append(_("Mã hồ sơ bị trùng trong tệp."))
            seen.add(code)
            rec = self.record(row, errors)
            if rec is None or errors:
                self.refuse("dossier", n, code, errors)
                continue
            try:
                carry_over(rec, actor=self.actor)
            except DomainError as exc:
                self.refuse("dossier", n, code, exc.details or [exc.message])
                continue
            except IntegrityError:
                self.refuse("dossier", n, code, [_("Hồ sơ trùng với một hồ sơ đã có.")])
                continue
            self.counts["dossiers_created"] += 1
            self.counts[f"status_{rec.status}"] += 1

    def record(self, row: dict[str, Any], errors: list[str]) -> CarriedDossier | None:
        moments: dict[str, dt.datetime | None] = {}
        for key in ("submitted_at", "received_at", "due_at", "finished_at", "returned_at"):
            try:
                moments[key] = parse_moment(_text(row, key), end_of_day=key == "due_at")
            except ValueError:
                errors.append(
                    _("“%(value)s” không phải ngày giờ hợp lệ (cột %(column)s).")
                    % {"value": _text(row, key), "column": key}
                )
        birth = None
        if _text(row, "birth_date"):
            try:
                birth = parse_moment(_text(row, "birth_date"))
            except ValueError:
                errors.append(_("Ngày sinh không hợp lệ."))
        if errors:
            return None
        if moments["finished_at"] is None:
            errors.append(_("Thiếu ngày kết thúc (finished_at)."))
            return None
        on = timezone.localdate(
            moments["received_at"] or moments["submitted_at"] or moments["finished_at"]
        )
        agency = self.agencies.get(_text(row, "agency"))
        if agency is None:
            errors.append(_("Không có cơ quan mang mã định danh “%s”.") % _text(row, "agency"))
        version = self.version(_text(row, "procedure_code"), on)
        if version is None:
            errors.append(
                _("Thủ tục mã “%s” không có trong danh mục.") % _text(row, "procedure_code")
            )
        desk = self.desk(_text(row, "desk"), agency, on)
        if desk is None:
            errors.append(_("Không xác định được bộ phận một cửa tiếp nhận; ghi cột desk."))
        area = (
            self.area(_text(row, "area"), on)
            if _text(row, "area")
            else (desk.area if desk else None)
        )
        if area is None:
            errors.append(_("Không có xã, phường mang mã “%s”.") % _text(row, "area"))
        channel = CHANNELS.get(_text(row, "channel") or "in_person")
        if channel is None:
            errors.append(_("Hình thức nộp phải là in_person, post hoặc online."))
        kind = _text(row, "applicant_kind") or c.ApplicantKind.CITIZEN
        if kind not in c.ApplicantKind.values:
            errors.append(_("Loại người nộp phải là citizen hoặc organisation."))
        if not _text(row, "applicant_name"):
            errors.append(_("Thiếu tên người nộp."))
        status = _text(row, "status")
        if status not in c.Status.values:
            errors.append(_("Trạng thái “%s” không có trong hệ thống.") % status)
        account = _text(row, "account")
        if account and account not in self.account_refs:
            errors.append(
                _("Tài khoản “%s” không có trong tệp tài khoản (hoặc bị từ chối).") % account
            )
        if (
            errors
            or agency is None
            or version is None
            or desk is None
            or area is None
            or channel is None
        ):
            return None
        submitted = moments["submitted_at"] or moments["received_at"] or moments["finished_at"]
        assert submitted is not None and moments["finished_at"] is not None
        return CarriedDossier(
            code=_text(row, "code"),
            system=self.system,
            version=version,
            desk=desk,
            agency=agency,
            applicant_area=area,
            channel=channel,
            applicant_kind=kind,
            applicant_name=_text(row, "applicant_name")[:255],
            status=status,
            outcome=_text(row, "outcome"),
            submitted_at=submitted,
            received_at=moments["received_at"],
            due_at=moments["due_at"],
            finished_at=moments["finished_at"],
            returned_at=moments["returned_at"],
            id_number=_text(row, "id_number")[:12],
            tax_code=_text(row, "tax_code")[:14],
            birth_date=birth.date() if birth else None,
            phone=_text(row, "phone")[:20],
            email=_text(row, "email")[:254],
            address=_text(row, "address")[:300],
            result_summary=_text(row, "result_summary")[:500],
            result_number=_text(row, "result_number")[:60],
            refusal_reason=_text(row, "refusal_reason"),
            lookup_secret=_text(row, "lookup_secret")[:12],
            applicant_user_id=self.account_refs.get(account),
        )

    def version(self, code: str, on: dt.date) -> ProcedureVersion | None:
        """The version in force on the reception day; failing that the last one published
        before it; failing that the first one (an old record of a procedure the catalog has
        only in a later version)."""
        versions = self.versions.get(code) or []
        if not versions:
            return None
        in_force = ProcedureVersion.objects.in_force_for(code, on)
        if in_force is not None:
            return in_force
        earlier = [v for v in versions if v.valid_from is None or v.valid_from <= on]
        return earlier[0] if earlier else versions[-1]

    def desk(self, ref: str, agency: Agency | None, on: dt.date) -> Desk | None:
        if ref:
            named = [d for d in self.desks if ref in (d.reference_key, d.name)]
            return named[0] if named else None
        if agency is None:
            return None
        # the agency's own desk; else the desk of its area (a commune's center receives for
        # the commune's People's Committee, the provincial center for the departments)
        own = [d for d in self.desks if d.agency_id == agency.pk]
        own = own or [d for d in self.desks if d.area_id == agency.area_id]
        current = [d for d in own if (d.valid_from or on) <= on and (d.valid_to or on) >= on]
        return (current or own or [None])[0]

    def area(self, code: str, on: dt.date) -> AdministrativeArea | None:
        found = self.areas.get(code) or []
        current = [a for a in found if (a.valid_from or on) <= on and (a.valid_to or on) >= on]
        return (current or found or [None])[0]


def run(
    source: Source, *, apply: bool = False, partial: bool = False, actor: Any = None
) -> MergerImport:
    """Check (and with `apply`, write) a source; every run leaves its report."""
    system = source.system.strip()
    if not system:
        raise FormatError("no_system", _("Phải ghi tên hệ thống nguồn (system)."))
    importer = Importer(system, actor)
    with transaction.atomic():
        importer.accounts(source.accounts, source.first_row["account"])
        importer.dossiers(source.dossiers, source.first_row["dossier"])
        applied = apply and (partial or not importer.problems)
        if not applied:
            transaction.set_rollback(True)
    batch = MergerImport.objects.create(
        system=system,
        files=source.files,
        dry_run=not apply,
        applied=applied,
        counts={
            "accounts_read": len(source.accounts),
            "dossiers_read": len(source.dossiers),
            "rows_refused": len({(p.kind, p.row) for p in importer.problems}),
            **importer.counts,
        },
        problems=[p.as_dict() for p in importer.problems],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    if applied:
        log_action(
            batch,
            "operations.merger_import",
            actor=actor,
            after={"system": system, "files": source.files, "counts": batch.counts},
        )
    return batch
