"""The career ladders the seeds name, as data (issue 13). Training's target
groups and studios' hosts refer to a ladder by its code and a step by its
code; ``services.ladders()`` and ``GET /api/v1/standards/ladders/`` read them.

Each ladder: (code, name, source, [(step code, step name), … from the first]).
"""

LADDERS = [
    (
        "district-teacher",
        "教师成长五个梯级",
        "《关于进一步加强区教师进修学校建设的实施意见》（新任教师、合格教师、骨干教师、"
        "学科带头人、名师名校长五个梯级成长机制）",
        [
            ("new", "新任教师"),
            ("qualified", "合格教师"),
            ("key", "骨干教师"),
            ("subject_leader", "学科带头人"),
            ("famous", "名师名校长"),
        ],
    ),
    (
        "principal",
        "校长培养四级梯次",
        "穗教案〔2021〕176号答复（校(园)长任职资格培训、校长全员培训、高水平校长培训、"
        "教育家型校长培训四级梯次）",
        [
            ("qualification", "任职资格培训"),
            ("whole_staff", "全员培训"),
            ("high_level", "高水平培训"),
            ("educator", "教育家型培训"),
        ],
    ),
    (
        "municipal-teacher",
        "教师培养四级梯次",
        "穗教案〔2021〕176号答复（新教师、骨干教师培训、名教师培养对象培训、工作室主持人培训"
        "四级梯次）",
        [
            ("new", "新教师"),
            ("key", "骨干教师"),
            ("famous_candidate", "名教师培养对象"),
            ("studio_host", "工作室主持人"),
        ],
    ),
]


def step_names() -> dict[str, tuple[str, str]]:
    """``"ladder:step"`` → (step name, ladder name), for every step."""
    return {
        f"{code}:{step}": (step_name, name)
        for code, name, _source, steps in LADDERS
        for step, step_name in steps
    }
