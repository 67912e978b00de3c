"""The session engine (``SESSION_ENGINE``): Django's database sessions, the
session read by a statement compiled once (``core.statements``), since every
request of a signed-in user reads its session first. The same table, rows and
expiry: a session past its ``expire_date`` is none, as in Django's own."""

from django.contrib.sessions.backends import db
from django.utils import timezone

from .statements import Prepared, instance_columns


def _session_by_key(_key, *, session_key):
    from django.contrib.sessions.models import Session

    return Session.objects.filter(session_key=session_key).values_list(*instance_columns(Session))


_SESSION_BY_KEY = Prepared(_session_by_key, strings=("session_key",))


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        model = self.model
        if self.session_key:
            using = model.objects.db
            rows = _SESSION_BY_KEY.rows(using, session_key=self.session_key)
            if rows:
                session = model.from_db(using, instance_columns(model), rows[0])
                if session.expire_date > timezone.now():
                    return session
        self._session_key = None
        return None
