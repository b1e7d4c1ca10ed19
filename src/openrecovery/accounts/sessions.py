"""The database session store, with the session row read by a prepared query.

``SESSION_ENGINE`` names this module. Every staff request reads its session row; the
ORM spent more CPU building that one query than running it (docs/performance.md). The
row is looked up by key only and its expiry checked here, so exactly what Django's store
refuses is refused: a missing key, an unknown key, an expired row (read as "no session",
and the key is dropped so a new one is issued).
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from openrecovery.core.prepared import PreparedQuery

_SESSION = PreparedQuery(
    lambda session_key: Session.objects.filter(session_key=session_key), session_key=str
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Session | None:
        key = self.session_key
        rows = _SESSION.fetch(session_key=key) if isinstance(key, str) and key else []
        if rows and rows[0].expire_date > timezone.now():
            return rows[0]
        self._session_key = None
        return None
