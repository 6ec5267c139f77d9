# One image for the web server, the Celery worker and Celery beat; docker-compose.yml
# picks the command. Build: docker build -t customs-portal .

# --- Build stage: the virtualenv with the pinned runtime requirements. ---------------
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python -m venv /opt/venv
COPY requirements.txt /tmp/requirements.txt
# Runtime requirements only: test and lint tools (requirements-dev.txt) stay out of the image.
RUN /opt/venv/bin/pip install -r /tmp/requirements.txt


# --- Runtime stage. ------------------------------------------------------------------
FROM python:3.11-slim

# Production settings unless a command says otherwise (manage.py and celery would
# otherwise default to the local ones). gunicorn reads its worker count from
# WEB_CONCURRENCY; set it in .env to change it.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=customs_portal.settings.production \
    WEB_CONCURRENCY=3

# A fixed uid/gid so that files on named volumes keep one owner across rebuilds.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home app

COPY --from=build /opt/venv /opt/venv

WORKDIR /app
# The code stays owned by root: the app user can read it but not change it.
COPY . .

# The static files are built into the image and served by whitenoise. The build settings
# are production's with placeholder secrets and an in-memory database and broker; they
# serve collectstatic only and never reach the running containers, which need the real
# secrets from .env.
RUN PIP="python -m pip" scripts/ensure_font.sh
RUN DJANGO_SETTINGS_MODULE=customs_portal.settings.build python manage.py collectstatic --noinput -v 0

# var/ holds Celery beat's schedule and media/ the uploaded files; both are volumes in
# docker-compose.yml, and an empty named volume takes over this ownership.
RUN mkdir -p /app/var /app/media && chown app:app /app/var /app/media

USER app

EXPOSE 8000

# Access and error logs go to stdout/stderr, where `docker compose logs` finds them.
# The worker count comes from WEB_CONCURRENCY. No control socket: nothing in a
# container uses gunicornc, and /app is not writable by the app user.
CMD ["gunicorn", "customs_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--no-control-socket"]
