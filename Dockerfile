FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY api ./api
COPY migrations ./migrations
RUN pip install --no-cache-dir -e . && useradd --system lsphub
USER lsphub
EXPOSE 8000
CMD ["lsphub", "serve", "--host", "0.0.0.0"]
