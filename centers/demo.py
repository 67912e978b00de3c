"""The demo federation: the real six municipal centers and eleven district
centers (DOMAIN.md §1), deterministic schools and teachers, and one account
per role. Loading twice changes nothing."""

import random
from datetime import date

from django.contrib.auth import get_user_model

from core.models import Membership
from core.roles import Role

from .models import (
    CareerStage,
    Center,
    CenterKind,
    District,
    Ownership,
    School,
    SchoolStage,
    Teacher,
    TeacherRole,
    Title,
    Vendor,
)
from .validators import id_check_digit

DEMO_PASSWORD = "Gz-Demo-2026"

# (code, name, ID-number region code)
DISTRICTS = [
    ("yuexiu", "越秀区", "440104"),
    ("liwan", "荔湾区", "440103"),
    ("haizhu", "海珠区", "440105"),
    ("tianhe", "天河区", "440106"),
    ("baiyun", "白云区", "440111"),
    ("huangpu", "黄埔区", "440112"),
    ("panyu", "番禺区", "440113"),
    ("huadu", "花都区", "440114"),
    ("nansha", "南沙区", "440115"),
    ("conghua", "从化区", "440117"),
    ("zengcheng", "增城区", "440118"),
]

MUNICIPAL_CENTERS = [
    ("primary-secondary", "广州市中小学教师发展中心", "中小学中心", "广州大学桂花岗校区"),
    (
        "research-training",
        "广州市教师发展研训中心",
        "研训中心",
        "广州市教育研究院（主校区）；湾区实验学校、花城实验学校（分校区）",
    ),
    ("distance", "广州市远程培训教师发展中心", "远程中心", "广州开放大学"),
    ("private-schools", "广州市民办学校教师发展中心", "民办中心", "广州开放大学"),
    ("vocational", "广州市中职学校教师发展中心", "中职中心", "广州番禺职业技术学院"),
    ("kindergarten", "广州市幼儿园教师发展中心", "幼儿园中心", "广州市幼儿师范学校"),
]

SCHOOL_PLAN = [
    (SchoolStage.KINDERGARTEN, "幼儿园", Ownership.PUBLIC),
    (SchoolStage.PRIMARY, "第一小学", Ownership.PUBLIC),
    (SchoolStage.PRIMARY, "实验小学", Ownership.PUBLIC),
    (SchoolStage.JUNIOR, "第一中学", Ownership.PUBLIC),
    (SchoolStage.SENIOR, "高级中学", Ownership.PUBLIC),
    (SchoolStage.PRIMARY, "育才学校", Ownership.PRIVATE),
]
TEACHERS_PER_SCHOOL = 12
SUBJECTS = [
    "语文",
    "数学",
    "英语",
    "物理",
    "化学",
    "生物",
    "历史",
    "地理",
    "道德与法治",
    "音乐",
    "体育",
    "美术",
    "信息技术",
    "学前教育",
]
SURNAMES = "陈李黄张梁林刘吴罗何郑谢周曾冯邓许朱叶苏"
GIVEN = [
    "晓明",
    "丽华",
    "志强",
    "嘉欣",
    "伟杰",
    "淑仪",
    "建国",
    "慧敏",
    "子豪",
    "雅婷",
    "俊杰",
    "诗琪",
    "国栋",
    "婉婷",
    "文辉",
    "美玲",
]


def id_number(region: str, birth: date, seq: int) -> str:
    first17 = f"{region}{birth:%Y%m%d}{seq % 1000:03d}"
    return first17 + id_check_digit(first17)


def load(stdout=None):
    districts = {}
    for order, (code, name, _region) in enumerate(DISTRICTS, start=1):
        districts[code], _ = District.objects.update_or_create(
            code=code, defaults={"name": name, "order": order}
        )
    for code, name, short, host in MUNICIPAL_CENTERS:
        Center.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "short_name": short,
                "kind": CenterKind.MUNICIPAL,
                "host_institution": host,
                "established_on": date(2019, 11, 1),
            },
        )
    for code, name, _region in DISTRICTS:
        Center.objects.update_or_create(
            code=f"district-{code}",
            defaults={
                "name": f"广州市{name}教师发展中心",
                "short_name": f"{name}中心",
                "kind": CenterKind.DISTRICT,
                "district": districts[code],
                "host_institution": f"{name}教师发展中心",
                "established_on": date(2020, 10, 1),
            },
        )
    rng = random.Random(20261124)
    for code, name, region in DISTRICTS:
        district = districts[code]
        for s_index, (stage, suffix, ownership) in enumerate(SCHOOL_PLAN, start=1):
            school, _ = School.objects.get_or_create(
                district=district,
                name=f"{name[:-1]}{suffix}",
                defaults={
                    "stage": stage,
                    "ownership": ownership,
                    "external_id": f"{code}-S{s_index:03d}",
                },
            )
            if school.teachers.exists():
                continue
            for t_index in range(1, TEACHERS_PER_SCHOOL + 1):
                birth = date(1965 + rng.randrange(35), rng.randrange(1, 13), rng.randrange(1, 29))
                is_head = t_index == 1
                role = (
                    TeacherRole.KINDERGARTEN_DIRECTOR
                    if is_head and stage == SchoolStage.KINDERGARTEN
                    else TeacherRole.PRINCIPAL
                    if is_head
                    else TeacherRole.TEACHER
                )
                Teacher.objects.create(
                    school=school,
                    name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                    id_number=id_number(region, birth, s_index * 100 + t_index),
                    subject="学前教育"
                    if stage == SchoolStage.KINDERGARTEN
                    else rng.choice(SUBJECTS[:13]),
                    stage=stage,
                    title=rng.choice(
                        [Title.SENIOR, Title.FIRST, Title.FIRST, Title.SECOND, Title.THIRD]
                    ),
                    role=role,
                    career_stage=CareerStage.PRINCIPAL_KEY
                    if is_head
                    else rng.choice(
                        [
                            CareerStage.NEW,
                            CareerStage.ADAPTING,
                            CareerStage.QUALIFIED,
                            CareerStage.QUALIFIED,
                            CareerStage.KEY,
                            CareerStage.EXPERT,
                        ]
                    ),
                    external_id=f"{code}-T{s_index:03d}{t_index:03d}",
                )
    Vendor.objects.get_or_create(
        name="广州市师训教育咨询有限公司", defaults={"credit_code": "91440101MA5DEMO01X"}
    )
    _accounts(districts)


def _user(username, name):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"name": name})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _member(user, role, organisation_id=None):
    Membership.objects.get_or_create(
        user=user,
        role=role,
        organisation_id=organisation_id,
        defaults={"starts_on": date(2020, 1, 1)},
    )


def _accounts(districts):
    tianhe = districts["tianhe"]
    chair = Center.objects.get(code="primary-secondary")
    school = School.objects.filter(district=tianhe).order_by("pk").first()
    teacher = Teacher.objects.filter(school=school, role=TeacherRole.TEACHER).order_by("pk")[0]
    vendor = Vendor.objects.order_by("pk").first()

    _member(_user("bureau", "市教育局 王处长"), Role.BUREAU)
    _member(_user("secretariat", "联盟秘书处 陈秘书"), Role.CENTER_STAFF, chair.pk)
    _member(_user("center", "中小学中心 李老师"), Role.CENTER_STAFF, chair.pk)
    _member(_user("district", "天河区中心 张老师"), Role.DISTRICT_STAFF, tianhe.pk)
    _member(_user("school", f"{school.name} 管理员"), Role.SCHOOL_ADMIN, school.pk)
    teacher_user = _user("teacher", teacher.name)
    if teacher.user_id != teacher_user.pk:
        teacher.user = teacher_user
        teacher.save(update_fields=["user"])
    _member(teacher_user, Role.TEACHER, teacher.pk)
    _member(_user("vendor", f"{vendor.name} 项目经理"), Role.VENDOR, vendor.pk)
    _member(_user("tianhe-system", "天河区教育信息系统"), Role.DISTRICT_SYSTEM, tianhe.pk)


ACCOUNTS = [
    ("bureau", "市教育局 / bureau official"),
    ("secretariat", "联盟秘书处 / alliance secretariat"),
    ("center", "中心工作人员 / center staff"),
    ("district", "区教师发展中心 / district staff"),
    ("school", "学校管理员 / school admin"),
    ("teacher", "教师 / teacher"),
    ("vendor", "承办机构 / vendor staff"),
    ("tianhe-system", "区系统 (API) / district system"),
]
