"""Private files: every stored file reaches its reader through a view that asked
``restrict``/``can`` first; this module only writes the answer.

In production the bytes need not pass through a gunicorn worker: with
``PRIVATE_FILES_ACCEL_PREFIX`` set (e.g. ``/_private/``) the view answers an empty
response carrying ``X-Accel-Redirect: <prefix><file name>`` and nginx, whose
``location /_private/ { internal; alias /data/media/; }`` no client can reach
directly, sends the file (docs/deploy.md, "Private files"). Unset (development,
tests, a proxy that cannot), Django streams the file itself.
"""

from __future__ import annotations

import mimetypes
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header


def private_file_response(field, filename: str | None = None):
    """Answer the stored file ``field`` (a ``FieldFile``) as an attachment named
    ``filename`` (default: the stored name's last part). The caller has checked
    the reader's right to it."""
    if not field:
        raise Http404
    filename = filename or field.name.rsplit("/", 1)[-1]
    prefix = settings.PRIVATE_FILES_ACCEL_PREFIX
    if not prefix:
        return FileResponse(field.open("rb"), as_attachment=True, filename=filename)
    response = HttpResponse(
        content_type=mimetypes.guess_type(filename)[0] or "application/octet-stream"
    )
    response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(field.name.lstrip("/"))
    response["Content-Disposition"] = content_disposition_header(True, filename)
    # the proxy must not cache a file that only its owner may read
    response["Cache-Control"] = "private, no-store"
    return response
