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
# uvicorn's own handling is off so that no other address is believed.
CMD ["uvicorn", "api.main:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000", \
     "--workers", "2", "--loop", "uvloop", "--http", "httptools", "--no-proxy-headers", \
     "--no-access-log"]
