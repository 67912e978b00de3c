"""Business rules of the centers app, one module per topic; every public
name is re-exported here (``from centers import services``):

- ``staff``: research-staff entry conditions (003) and activity;
- ``mandates``: which municipal center is responsible for a piece of work;
- ``standards``: the standards' rules and the evaluation of centers;
- ``sync``: batch upserts of schools, teachers and staff — the district-sync
  API and the Excel imports (``centers.imports``), built on ``core.batch``;
- ``id_numbers``: showing a whole ID number, audited;
- ``appointments``: 互聘, trainers appointed by another member center.
"""

from .appointments import (
    appoint,
    decide_appointment,
    decline_appointment,
    end_appointment,
    register_appointments,
    withdraw_appointment,
)
from .id_numbers import reveal_id_number
from .mandates import MANDATE_WEIGHTS, load_mandates, responsible_center, route_mandate
from .staff import (
    ENTRY_MAX_AGE,
    ENTRY_MIN_DEGREE,
    ENTRY_MIN_HONOUR,
    ENTRY_MIN_TITLE,
    ENTRY_MIN_YEARS_TEACHING,
    INACTIVE_YEARS,
    RELAXING_DEGREE,
    RELAXING_HONOUR,
    Condition,
    age_on,
    current_school_year,
    entry_conditions,
    is_inactive,
    meets_entry_conditions,
    move_out_inactive,
    record_status_change,
    relaxed_entry,
    staff_meets_standard,
    standard_shortfall,
    trainer_conditions,
)
from .standards import (
    NEW_HIRE_YEARS,
    CenterEvaluation,
    Ladder,
    RuleResult,
    active_rules,
    ensure_standards,
    evaluate_center,
    evaluate_centers,
    ladder,
    ladder_step_choices,
    ladder_step_name,
    ladders,
)
from .sync import (
    BATCH_WRITERS,
    MAX_BATCH_ROWS,
    SCHOOL_FIELDS,
    STAFF_FIELDS,
    TEACHER_FIELDS,
    BatchError,
    BatchResult,
    clean_rows,
    import_staff,
    sync_schools,
    sync_teachers,
)

__all__ = [
    "appoint",
    "decide_appointment",
    "decline_appointment",
    "register_appointments",
    "end_appointment",
    "withdraw_appointment",
    "BATCH_WRITERS",
    "ENTRY_MAX_AGE",
    "ENTRY_MIN_DEGREE",
    "ENTRY_MIN_HONOUR",
    "ENTRY_MIN_TITLE",
    "ENTRY_MIN_YEARS_TEACHING",
    "INACTIVE_YEARS",
    "MANDATE_WEIGHTS",
    "MAX_BATCH_ROWS",
    "NEW_HIRE_YEARS",
    "RELAXING_DEGREE",
    "RELAXING_HONOUR",
    "SCHOOL_FIELDS",
    "STAFF_FIELDS",
    "TEACHER_FIELDS",
    "BatchError",
    "BatchResult",
    "CenterEvaluation",
    "Ladder",
    "Condition",
    "RuleResult",
    "active_rules",
    "age_on",
    "clean_rows",
    "current_school_year",
    "ensure_standards",
    "entry_conditions",
    "evaluate_center",
    "evaluate_centers",
    "import_staff",
    "is_inactive",
    "ladder",
    "ladder_step_choices",
    "ladder_step_name",
    "ladders",
    "load_mandates",
    "meets_entry_conditions",
    "move_out_inactive",
    "record_status_change",
    "relaxed_entry",
    "trainer_conditions",
    "reveal_id_number",
    "responsible_center",
    "route_mandate",
    "staff_meets_standard",
    "standard_shortfall",
    "sync_schools",
    "sync_teachers",
]
