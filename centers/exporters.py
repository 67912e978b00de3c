from django.utils.translation import gettext_lazy as _

from core.exports import Exporter, registry

from .models import Center


@registry.register
class CenterListExporter(Exporter):
    identifier = "centers"
    name = _("List of centers")
    description = _("Every center you may see, with kind, district and host institution.")
    permission = "centers.view_center"

    def queryset(self):
        return (
            Center.objects.restrict(self.user).select_related("district").order_by("kind", "code")
        )

    def headers(self):
        return [
            _("Name"),
            _("Kind"),
            _("District"),
            _("Host institution"),
            _("Address"),
            _("Established on"),
        ]

    def count(self):
        return self.queryset().count()

    def rows(self):
        for c in self.queryset().iterator(chunk_size=500):
            yield [
                c.name,
                c.get_kind_display(),
                c.district.name if c.district else "",
                c.host_institution,
                c.address,
                c.established_on,
            ]
