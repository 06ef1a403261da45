"""The demo data of the core: offices with real-looking Thai names and one user of each role.

Later issues add their own demo data (rounds, indicators, entries) from their apps; the
``seed_demo`` command calls each in turn. Everything here is an upsert, so running it twice changes
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from krs.models import Office, Role, User

PRIMARY = Office.Kind.PRIMARY
SECONDARY = Office.Kind.SECONDARY
BUREAU = Office.Kind.BUREAU
ADMINISTRATION = Office.Kind.ADMINISTRATION

# (code, Thai name, English name, short name, kind)
DEMO_OFFICES: list[tuple[str, str, str, str, str]] = [
    ("1001", "สำนักงานเขตพื้นที่การศึกษาประถมศึกษากรุงเทพมหานคร", "Bangkok Primary Educational Service Area Office",
     "สพป.กรุงเทพมหานคร", PRIMARY),
    ("1002", "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาเชียงใหม่ เขต 1", "Chiang Mai Primary Educational Service Area Office 1",
     "สพป.เชียงใหม่ เขต 1", PRIMARY),
    ("1003", "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาขอนแก่น เขต 1", "Khon Kaen Primary Educational Service Area Office 1",
     "สพป.ขอนแก่น เขต 1", PRIMARY),
    ("1004", "สำนักงานเขตพื้นที่การศึกษาประถมศึกษานครราชสีมา เขต 1", "Nakhon Ratchasima Primary Educational Service Area Office 1",
     "สพป.นครราชสีมา เขต 1", PRIMARY),
    ("1005", "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาสงขลา เขต 1", "Songkhla Primary Educational Service Area Office 1",
     "สพป.สงขลา เขต 1", PRIMARY),
    ("1006", "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาอุบลราชธานี เขต 1", "Ubon Ratchathani Primary Educational Service Area Office 1",
     "สพป.อุบลราชธานี เขต 1", PRIMARY),
    ("1007", "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาลำปาง เขต 1", "Lampang Primary Educational Service Area Office 1",
     "สพป.ลำปาง เขต 1", PRIMARY),
    ("1008", "สำนักงานเขตพื้นที่การศึกษาประถมศึกษาสุราษฎร์ธานี เขต 1", "Surat Thani Primary Educational Service Area Office 1",
     "สพป.สุราษฎร์ธานี เขต 1", PRIMARY),
    ("2001", "สำนักงานเขตพื้นที่การศึกษามัธยมศึกษากรุงเทพมหานคร เขต 1", "Bangkok Secondary Educational Service Area Office 1",
     "สพม.กรุงเทพมหานคร เขต 1", SECONDARY),
    ("2002", "สำนักงานเขตพื้นที่การศึกษามัธยมศึกษาเชียงใหม่", "Chiang Mai Secondary Educational Service Area Office",
     "สพม.เชียงใหม่", SECONDARY),
    ("2003", "สำนักงานเขตพื้นที่การศึกษามัธยมศึกษาขอนแก่น", "Khon Kaen Secondary Educational Service Area Office",
     "สพม.ขอนแก่น", SECONDARY),
    ("2004", "สำนักงานเขตพื้นที่การศึกษามัธยมศึกษานครราชสีมา", "Nakhon Ratchasima Secondary Educational Service Area Office",
     "สพม.นครราชสีมา", SECONDARY),
    ("2005", "สำนักงานเขตพื้นที่การศึกษามัธยมศึกษาสงขลา สตูล", "Songkhla Satun Secondary Educational Service Area Office",
     "สพม.สงขลา สตูล", SECONDARY),
    ("2006", "สำนักงานเขตพื้นที่การศึกษามัธยมศึกษาอุบลราชธานี อำนาจเจริญ",
     "Ubon Ratchathani Amnat Charoen Secondary Educational Service Area Office", "สพม.อุบลราชธานี อำนาจเจริญ", SECONDARY),
    ("B-FIN", "สำนักการคลังและสินทรัพย์", "Bureau of Finance and Assets", "สคส.", BUREAU),
    ("B-PLN", "สำนักนโยบายและแผนการศึกษาขั้นพื้นฐาน", "Bureau of Basic Education Policy and Planning", "สนผ.", BUREAU),
    ("B-ACA", "สำนักวิชาการและมาตรฐานการศึกษา", "Bureau of Academic Affairs and Educational Standards", "สวก.", BUREAU),
    ("B-TCH", "สำนักพัฒนาครูและบุคลากรการศึกษาขั้นพื้นฐาน", "Bureau of Teacher and Educational Personnel Development", "สพค.", BUREAU),
    ("B-MON", "สำนักติดตามและประเมินผลการจัดการศึกษาขั้นพื้นฐาน", "Bureau of Monitoring and Evaluation", "สตผ.", BUREAU),
    ("ADM", "กลุ่มพัฒนาระบบบริหาร สำนักงานคณะกรรมการการศึกษาขั้นพื้นฐาน", "Public Sector Development Group, OBEC",
     "กพร.สพฐ.", ADMINISTRATION),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    office_code: str
    first_name: str
    last_name: str


# Shown by `make run` and in the README. A user who changed their password keeps it: seeding again
# only creates what is missing.
DEMO_LOGINS: list[DemoLogin] = [
    DemoLogin("admin", "krs-admin-2569", Role.ADMINISTRATOR, "ADM", "สมชาย", "ใจดี"),
    DemoLogin("executive", "krs-exec-2569", Role.EXECUTIVE, "ADM", "วิไลวรรณ", "ศรีสุข"),
    DemoLogin("finance", "krs-finance-2569", Role.BUREAU_CERTIFIER, "B-FIN", "ประภาพร", "มั่นคง"),
    DemoLogin("planning", "krs-planning-2569", Role.BUREAU_CERTIFIER, "B-PLN", "ธนากร", "วงศ์สวัสดิ์"),
    # The other owners of PMQA 2565 (seed 004): category 6 and ITA (1.2), category 5, KPI 4.1.2.
    DemoLogin("monitoring", "krs-monitoring-2569", Role.BUREAU_CERTIFIER, "B-MON", "ปิยะนุช", "รัตนพันธ์"),
    DemoLogin("personnel", "krs-personnel-2569", Role.BUREAU_CERTIFIER, "B-TCH", "วีระพงษ์", "ศรีวงศ์"),
    DemoLogin("academic", "krs-academic-2569", Role.BUREAU_CERTIFIER, "B-ACA", "จันทร์เพ็ญ", "ใจงาม"),
    DemoLogin("bkk1", "krs-bkk1-2569", Role.DISTRICT_REPORTER, "1001", "สุดารัตน์", "แก้วมณี"),
    DemoLogin("cm1", "krs-cm1-2569", Role.DISTRICT_REPORTER, "1002", "อนุชา", "ทองคำ"),
    DemoLogin("sec-bkk1", "krs-secbkk1-2569", Role.DISTRICT_REPORTER, "2001", "กมลชนก", "บุญมา"),
]


def seed() -> dict[str, int]:
    """The ``seed_demo`` entry point of this app."""
    return seed_offices_and_users()


@transaction.atomic
def seed_offices_and_users() -> dict[str, int]:
    """Upsert the demo offices and create the demo users that are missing; return what was created."""
    existing = {office.code: office for office in Office.objects.filter(code__in=[row[0] for row in DEMO_OFFICES])}
    created_offices = 0
    for code, name_th, name_en, short_name, kind in DEMO_OFFICES:
        office = existing.get(code)
        if office is None:
            existing[code] = Office.objects.create(
                code=code, name_th=name_th, name_en=name_en, short_name=short_name, kind=kind
            )
            created_offices += 1
        elif (office.name_th, office.name_en, office.short_name, office.kind) != (name_th, name_en, short_name, kind):
            office.name_th, office.name_en, office.short_name, office.kind = name_th, name_en, short_name, kind
            office.save()

    taken = set(User.objects.filter(username__in=[login.username for login in DEMO_LOGINS]).values_list("username", flat=True))
    created_users = 0
    for login in DEMO_LOGINS:
        if login.username in taken:
            continue
        user = User(
            username=login.username,
            first_name=login.first_name,
            last_name=login.last_name,
            email=f"{login.username}@krs.example.go.th",
            office=existing[login.office_code],
            role=login.role,
        )
        user.set_password(login.password)
        user.full_clean()
        user.save()
        created_users += 1
    return {"offices": created_offices, "users": created_users}
