# The portal's production image: gunicorn serves the app (static files through
# whitenoise); the same image runs the Celery worker and beat (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings

WORKDIR /app

# PostgreSQL's client programs for `manage.py backup` and `restore_drill`
# (Debian bookworm's are version 15, as the db service).
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client \
 && rm -rf /var/lib/apt/lists/*

# Dependencies first, so code changes do not reinstall them: the pinned uv (checked
# by hash), then exactly what uv.lock lists (hashes checked; a lock that disagrees
# with pyproject.toml fails the build). Test tools and uv's own pin stay out.
ENV UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_NO_CACHE=1 \
    PATH=/opt/venv/bin:$PATH
COPY requirements/bootstrap.txt requirements/
RUN pip install --require-hashes --no-deps -r requirements/bootstrap.txt
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-default-groups --python /usr/local/bin/python

COPY . .

# Translations and static files are built into the image. The build needs
# production-shaped settings but no secrets: this key exists only at build time.
RUN DJANGO_DEBUG=0 ALLOWED_HOSTS=build \
    SECRET_KEY=build-only-key-not-used-at-run-time-6c1f0e8a2b7d4e9f3a5c8b1d0e7f2a4c \
    sh -c "python manage.py compiletranslations && python manage.py collectstatic --no-input" \
 && useradd --system --uid 1000 --home-dir /app --shell /usr/sbin/nologin portal \
 && mkdir -p /data/media /data/backups \
 && chown -R portal:portal /data

USER portal
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["python", "-m", "config.health", "web"]

CMD ["gunicorn", "config.wsgi:application", "-c", "config/gunicorn.py"]
