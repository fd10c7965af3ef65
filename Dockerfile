# Guichet application image: the web server (gunicorn), the Celery worker and Celery beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=crm.settings \
    GUICHET_VAR_DIR=/var/lib/guichet \
    MEDIA_ROOT=/var/lib/guichet/media

# Pango (and HarfBuzz, fonts) for WeasyPrint's PDFs; gettext to compile the translations.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first, so that a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN pip install "."

COPY manage.py ./
COPY crm ./crm
COPY contacts ./contacts
COPY requests_app ./requests_app
COPY tasks_app ./tasks_app
COPY reporting ./reporting
COPY templates ./templates
COPY static ./static
COPY locale ./locale

# Translations and static files are built into the image (hashed, compressed by WhiteNoise).
RUN DEBUG=1 python manage.py compilemessages -v0 \
    && DEBUG=0 SECRET_KEY=image-build ALLOWED_HOSTS=localhost \
        python manage.py collectstatic --noinput -v0 \
    && rm -rf "$GUICHET_VAR_DIR/celery-broker" \
    && useradd --system --home-dir /app --shell /usr/sbin/nologin guichet \
    && mkdir -p "$MEDIA_ROOT" \
    && chown -R guichet:guichet "$GUICHET_VAR_DIR"

USER guichet
EXPOSE 8000

CMD ["gunicorn", "crm.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-"]
