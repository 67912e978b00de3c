"""Base page views every app builds on. Each one asks ``core.permissions``:
no right to the model at all → 403; an object outside the user's scope → 404;
lists are narrowed by ``restrict`` and filtered by the app's filter set."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.views import generic

from .permissions import can

PAGE_SIZE = 25


class ScopedMixin(LoginRequiredMixin):
    model = None
    action = "view"

    def get_permission_model(self):
        if self.model is None:
            raise ImproperlyConfigured(f"{type(self).__name__} needs a model")
        return self.model

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can(
            request.user, self.action, self.get_permission_model()
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return self.model._default_manager.all()

    def get_queryset(self):
        return self.get_base_queryset().restrict(self.request.user, self.action)


class ScopedListView(ScopedMixin, generic.ListView):
    """A paginated, filterable list: ``filterset_class`` is the app's filter
    set, the same one its API view uses."""

    filterset_class = None
    paginate_by = PAGE_SIZE
    template_name = "core/object_list.html"
    title = ""
    columns: list[tuple[str, str]] = []  # (label, attribute) for the generic template
    create_url_name = ""
    empty_message = _("Nothing here yet.")

    def paginate_queryset(self, queryset, page_size):
        """``?page=999`` (or ``?page=abc``) shows the last (or first) page, not an error."""
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(
                self.request.GET or None, queryset=queryset, request=self.request
            )
            if self.filterset.is_bound and not self.filterset.is_valid():
                return queryset.none()
            queryset = self.filterset.qs
        else:
            self.filterset = None
        return queryset

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx.update(
            title=self.title or self.model._meta.verbose_name_plural,
            filterset=self.filterset,
            columns=self.columns,
            querystring=query.urlencode(),
            can_add=can(self.request.user, "add", self.model),
            create_url_name=self.create_url_name,
            empty_message=self.empty_message,
        )
        return ctx


class ScopedDetailView(ScopedMixin, generic.DetailView):
    pass


class ScopedFormMixin:
    template_name = "core/object_form.html"
    success_message = _("Saved.")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if "user" in getattr(self.get_form_class(), "wants", ()):
            kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, self.success_message)
        return response


class ScopedCreateView(ScopedFormMixin, ScopedMixin, generic.CreateView):
    action = "add"


class ScopedUpdateView(ScopedFormMixin, ScopedMixin, generic.UpdateView):
    action = "change"


class ScopedDeleteView(ScopedMixin, generic.DeleteView):
    action = "delete"
    template_name = "core/object_confirm_delete.html"
