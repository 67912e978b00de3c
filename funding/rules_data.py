"""The funding rules in force, as data: loaded by a data migration and by the
demo loader (``services.ensure_rules``). Thresholds are the figures of the
source documents; a district's own share is a row with its district (the
bureau adds it), and editing a row changes the check, no code."""

# (code, description (Chinese, shown as written), metric, threshold %, source)
RULES = [
    (
        "school-five-percent",
        "中小学按照年度公用经费预算总额的 5% 安排教师培训经费",
        "school_training_share",
        "5",
        "湖南省教师队伍建设情况报告（002）",
    ),
    (
        "district-payroll",
        "按教师核定工资总额不低于 2.5% 的比例落实教师培训专项经费",
        "district_payroll_share",
        "2.5",
        "关于进一步加强区教师进修学校建设的实施意见（003）",
    ),
    (
        "training-school-sixty",
        "预算内教师培训经费拨付到教师进修学校的比例不少于 60%",
        "training_school_share",
        "60",
        "关于进一步加强区教师进修学校建设的实施意见（003）",
    ),
]
