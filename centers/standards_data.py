"""The standards in force, as data: loaded by a data migration and by the
demo loader (``services.ensure_standards``). Thresholds are the figures of the
source documents; editing a rule's row changes the evaluation, no code."""

STANDARD_CODE = "research-training-standard"
STANDARD_NAME = "教师发展中心（教师进修学校）研训师资与条件标准"
STANDARD_SOURCE = (
    "《关于进一步加强区教师进修学校建设的实施意见》；"
    "广州市教育局穗教案〔2021〕176号答复（至少能容纳100名学员同时培训）"
)

# (code, description (Chinese, shown as written), metric, comparison, threshold)
RULES = [
    ("part-time-ratio", "兼职教师与专职教师之比不低于 1:1", "part_time_ratio", "gte", "1"),
    (
        "senior-or-intermediate",
        "中高级职称占专职教师总数 90% 以上",
        "senior_or_intermediate_share",
        "gte",
        "90",
    ),
    ("senior", "高级职称占专职教师总数 50% 以上", "senior_share", "gte", "50"),
    (
        "capacity",
        "能同时容纳不少于 100 名学员培训（教学场室座位合计）",
        "teaching_seats",
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
]
