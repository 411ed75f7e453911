# The API, the migration job and the webhook worker share this image (docker-compose.yml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY api ./api
COPY migrations ./migrations
COPY openapi ./openapi
# Editable install: `lsphub migrate` finds alembic.ini and migrations/ beside the package.
RUN pip install -e . && useradd --system --no-create-home lsphub
USER lsphub
EXPOSE 8000
# Forwarded headers count only from LSPHUB_TRUSTED_PROXIES (CIDRs), applied by the application;
# the server's own handling is off so that no other address is believed. Two workers are
# forked by gunicorn's arbiter from the application it loaded (api/core/web/server.py;
# docs/performance.md, memory).
CMD ["lsphub", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2", \
     "--no-access-log"]
