"""Mandates: which municipal center is responsible for a piece of work."""

from __future__ import annotations

#: How much a matching field counts: a mandate naming the kind of training is
#: more specific than one naming an ownership, a stage or a target group.
MANDATE_WEIGHTS = {"training_kind": 8, "ownership": 4, "stage": 2, "target_group": 1}


def route_mandate(*, training_kind="", target_group="", stage="", ownership="", mandates=None):
    """The mandate responsible for a piece of work (a training project, a
    studio): among the mandates whose set fields all match, the one whose
    matching fields weigh most (``MANDATE_WEIGHTS``), then the highest
    priority. One query (none when ``mandates`` is given)."""
    from ..models import Mandate

    wanted = {
        "training_kind": training_kind or "",
        "target_group": target_group or "",
        "stage": stage or "",
        "ownership": ownership or "",
    }
    if mandates is None:
        mandates = Mandate.objects.select_related("center")
    best, best_key = None, None
    for mandate in mandates:
        score = 0
        for field, weight in MANDATE_WEIGHTS.items():
            value = getattr(mandate, field)
            if not value:
                continue
            if value != wanted[field]:
                break
            score += weight
        else:
            key = (score, mandate.priority, -mandate.pk)
            if best_key is None or key > best_key:
                best, best_key = mandate, key
    return best


def responsible_center(**work):
    """The municipal center responsible for the work (see ``route_mandate``)."""
    mandate = route_mandate(**work)
    return mandate.center if mandate else None


def load_mandates() -> int:
    """Write the charter's mandates (``mandates_data``) for the centers that
    exist; loading twice changes nothing. Returns the number of rows."""
    from ..mandates_data import MANDATES
    from ..models import Center, Mandate

    centers = {c.code: c for c in Center.objects.filter(code__in={m[0] for m in MANDATES})}
    count = 0
    for code, kind, group, stage, ownership, priority, description in MANDATES:
        if code not in centers:
            continue
        Mandate.objects.update_or_create(
            training_kind=kind,
            target_group=group,
            stage=stage,
            ownership=ownership,
            defaults={
                "center": centers[code],
                "priority": priority,
                "description": description,
                "source": "《广州市市级教师发展中心联盟章程》第七条",
            },
        )
        count += 1
    return count
