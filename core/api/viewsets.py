"""Base classes of every API view: the queryset always goes through
``restrict``, filters are the app's filter sets (shared with the pages)."""

from rest_framework import mixins, viewsets

from .permissions import view_action


class ScopedViewSetMixin:
    """``queryset`` names the model's base queryset; each request narrows it
    to the user's scope for the request's action."""

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset.restrict(self.request.user, view_action(self, self.request))

    def perform_create(self, serializer):
        serializer.save()


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    pass


class ScopedCreateListRetrieveViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    pass
