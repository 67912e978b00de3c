"""The standards in force, as data: loaded by a data migration and by the
demo loader (``services.ensure_standards``). Thresholds are the figures of the
source documents; editing a rule's row changes the evaluation, no code."""

STANDARD_CODE = "research-training-standard"
STANDARD_NAME = "教师发展中心（教师进修学校）研训师资与条件标准"
STANDARD_SOURCE = (
    "《关于进一步加强区教师进修学校建设的实施意见》；"
    "广州市教育局穗教案〔2021〕176号答复（配套生活设施能同时满足100人以上面授培训、功能场室）"
)

# (code, description (Chinese, shown as written), metric, comparison, threshold)
RULES = [
    (
        "part-time-ratio",
        "兼职教师人数按不低于教研员人数的 1:1 比例配备",
        "part_time_to_research_ratio",
        "gte",
        "1",
    ),
    (
        "senior-or-intermediate",
        "中高级职称比例占教师总数的 90% 以上",
        "senior_or_intermediate_share",
        "gte",
        "90",
    ),
    ("senior", "高级教师占教师总数的 50% 以上", "senior_share", "gte", "50"),
    (
        "capacity",
        "教学场室与配套生活设施（食堂、宿舍、体育活动场所）能同时满足 100 人以上面授培训",
        "hosting_capacity",
        "gte",
        "100",
    ),
    ("school-days", "专职教研员每人每学期到中小学不少于 20 天", "min_school_days", "gte", "20"),
    ("lessons", "专职教研员每人每学年听课不少于 120 课时", "min_lessons_observed", "gte", "120"),
    (
        "school-semester",
        "专职教研员每隔 3 年到中小学挂职或任教一个学期",
        "years_since_school_semester",
        "lte",
        "3",
    ),
    ("inactive", "无两年以上未参与教研或培训工作的人员", "inactive_staff", "lte", "0"),
    (
        "entry",
        "新补充教研员符合准入条件"
        "（一级及以上职称、县级学科带头人及以上、本科、教龄 6 年以上、45 周岁左右）",
        "new_hires_meeting_entry",
        "gte",
        "100",
    ),
    (
        "rooms",
        "配备计算机网络教室、多媒体教室、多功能学术报告厅、心理健康辅导室、自习研训室、图书资料室",
        "missing_room_kinds",
        "lte",
        "0",
    ),
    ("renewal", "每五年教师队伍更新率 20% 左右", "staff_renewal", "gte", "20"),
    (
        "postgraduate",
        "研究生学历的教研员达 4 人以上",
        "postgraduate_research_staff",
        "gte",
        "4",
    ),
    (
        "demo-lessons",
        "教研员每学期必上示范课、展示课",
        "missing_demo_lessons",
        "lte",
        "0",
    ),
    (
        "subjects",
        "配齐义务教育各学科教研员",
        "uncovered_subjects",
        "lte",
        "0",
    ),
]

#: Rows corrected after the first load (migration 0006 rewrites them): code ->
#: (description, metric). Thresholds are kept as edited.
CORRECTED_RULES = ("part-time-ratio", "senior-or-intermediate", "senior", "capacity")

#: The compulsory-education subjects (义务教育各学科) research staff must cover
#: (003: 重点配齐义务教育各学科教研员). A staff member's subject is matched
#: by name.
REQUIRED_SUBJECTS = [
    "语文",
    "数学",
    "英语",
    "道德与法治",
    "历史",
    "地理",
    "物理",
    "化学",
    "生物",
    "科学",
    "信息技术",
    "音乐",
    "美术",
    "体育",
]

#: 003: 每五年教师队伍更新率20%左右 — the window of the renewal rule.
RENEWAL_YEARS = 5
