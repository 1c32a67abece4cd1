from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from cchc.accounts.constants import Role
from cchc.accounts.models import AccountKind, ExternalIdentity, Membership, User
from cchc.dossiers.demo import give_demo_codes
from cchc.indices.demo import load_demo_indices
from cchc.organizations.constants import AgencyKind, DeskKind
from cchc.organizations.models import Agency, Counter, Desk
from cchc.site.demo_citizen import give_citizen_dossiers

DEMO_PASSWORD = "demo-cchc-2026"


class Command(BaseCommand):
    help = "Create the demo accounts (idempotent) and print their logins. Never in production."

    @transaction.atomic
    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        center = Desk.objects.filter(kind=DeskKind.PROVINCIAL_CENTER).first()
        commune_desk = Desk.objects.filter(kind=DeskKind.COMMUNE_CENTER).order_by("name").first()
        department = Agency.objects.filter(kind=AgencyKind.DEPARTMENT, name="Sở Tài chính").first()
        home_affairs = Agency.objects.filter(kind=AgencyKind.DEPARTMENT, name="Sở Nội vụ").first()
        commune_pc = (
            Agency.objects.on(timezone.localdate())
            .filter(area=commune_desk.area, kind=AgencyKind.COMMUNE_PEOPLES_COMMITTEE)
            .first()
            if commune_desk
            else None
        )
        if not (center and commune_desk and department and home_affairs and commune_pc):
            self.stderr.write(
                "Chưa có dữ liệu tham chiếu: chạy `manage.py load_reference_data` trước."
            )
            return
        give_demo_codes()  # made-up agency codes, flagged as demo, so desks can number dossiers
        for desk in (center, commune_desk):  # counters, so that a rating tablet can be bound
            for number in (1, 2):
                Counter.objects.get_or_create(desk=desk, number=number)
        catalog_editors, _ = Group.objects.get_or_create(name="Biên tập danh mục thủ tục")
        catalog_editors.permissions.set(
            Permission.objects.filter(content_type__app_label="procedures")
        )
        people = [
            ("quantri", "Quản trị hệ thống (demo)", None, None, Role.ADMINISTRATOR, True),
            (
                "tiepnhan.xa",
                "Cán bộ một cửa cấp xã (demo)",
                commune_desk.agency,
                commune_desk,
                Role.RECEPTIONIST,
                False,
            ),
            (
                "tiepnhan.tinh",
                "Cán bộ Trung tâm PVHCC tỉnh (demo)",
                center.agency,
                center,
                Role.RECEPTIONIST,
                False,
            ),
            (
                "chuyenvien.xa",
                "Công chức UBND cấp xã (demo)",
                commune_pc,
                None,
                Role.SPECIALIST,
                False,
            ),
            ("chuyenvien.xa", "", commune_pc, None, Role.DIVISION_HEAD, False),
            ("chuyenvien.xa", "", commune_pc, None, Role.CLERK, False),
            (
                "chutich.xa",
                "Chủ tịch UBND cấp xã (demo)",
                commune_pc,
                None,
                Role.AGENCY_LEADER,
                False,
            ),
            (
                "chuyenvien.stc",
                "Chuyên viên Sở Tài chính (demo)",
                department,
                None,
                Role.SPECIALIST,
                False,
            ),
            ("chuyenvien.stc", "", department, None, Role.DIVISION_HEAD, False),
            (
                "lanhdao.stc",
                "Lãnh đạo Sở Tài chính (demo)",
                department,
                None,
                Role.AGENCY_LEADER,
                False,
            ),
            (
                "giamsat.tinh",
                "Giám sát Trung tâm PVHCC tỉnh (demo)",
                center.agency,
                center,
                Role.CENTER_SUPERVISOR,
                False,
            ),
            (
                "cchc.snv",
                "Cán bộ CCHC Sở Nội vụ (demo)",
                home_affairs,
                None,
                Role.REFORM_OFFICER,
                True,
            ),
        ]
        rows = []
        for username, name, agency, desk, role, staff in people:
            user, created = User.objects.get_or_create(
                username=username, defaults={"full_name": name, "is_staff": staff}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                if role == Role.ADMINISTRATOR:
                    user.is_superuser = True
                user.save()
            if role == Role.REFORM_OFFICER:
                user.groups.add(catalog_editors)
            if agency is not None:
                Membership.objects.get_or_create(user=user, agency=agency, desk=desk, role=role)
            if name:
                rows.append((username, name))
        citizen, created = User.objects.get_or_create(
            username="congdan@example.org",
            defaults={
                "full_name": "Lò Thị Dân (demo)",
                "email": "congdan@example.org",
                "kind": AccountKind.CITIZEN,
                "id_number": "014190000001",
                "verified_at": timezone.now(),
            },
        )
        if created:
            citizen.set_password(DEMO_PASSWORD)
            citizen.save()
        rows.append((citizen.username, "Công dân, cổng dịch vụ công (demo)"))
        if settings.CCHC_VNEID and settings.CCHC_SIMULATORS:
            # the VNeID simulator's "Lò Thị Dân (demo)" is this account's national identity
            from cchc.integrations.vneid.simulator import PERSONAS

            ExternalIdentity.objects.get_or_create(
                provider=settings.CCHC_VNEID_PROVIDER,
                subject=PERSONAS["dan"]["TechID"],
                defaults={"user": citizen, "level": int(PERSONAS["dan"]["IAL"])},
            )

        office = User.objects.get(username="cchc.snv")
        indices = load_demo_indices(office)
        if indices:
            self.stdout.write(f"Chỉ số CCHC: {indices}")
        # after the survey round: the sample is drawn from the generated workload alone
        made = give_citizen_dossiers(citizen)
        if made:
            self.stdout.write(f"Hồ sơ của công dân demo: {made}")
        self.stdout.write(f"\nTài khoản demo (mật khẩu chung: {DEMO_PASSWORD}):")
        for username, name in rows:
            self.stdout.write(f"  {username:<20} {name}")
        base = settings.CCHC_PUBLIC_BASE_URL.rstrip("/")
        self.stdout.write(
            f"Trang nhân viên: {base}/  ·  Cổng dịch vụ công: {base}/dich-vu-cong/  ·  "
            f"Quản trị: {base}/quan-tri/  ·  API: {base}/api/v1/docs\n"
        )
        if settings.CCHC_VNEID and settings.CCHC_SIMULATORS:
            self.stdout.write(
                f"Đăng nhập VNeID (mô phỏng): {base}/dang-nhap/?next=/dich-vu-cong/ → "
                "“Đăng nhập bằng tài khoản định danh điện tử VNeID” → chọn “Lò Thị Dân (demo)”.\n"
            )
