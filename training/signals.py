"""Signals other apps listen to (apps above training react to it without
training importing them): ``subproject_closed`` is sent, with
``subproject_id``, after the transaction that closed a sub-project commits."""

from django.dispatch import Signal

subproject_closed = Signal()
