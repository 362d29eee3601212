# Framework Atlas: migrations, then serve. Runs as a non-root user.
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /srv
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project
COPY app ./app
COPY migrations ./migrations
COPY alembic.ini ./
COPY seed ./seed
RUN uv sync --locked --no-dev \
 && useradd --system --uid 10001 atlas && mkdir -p /srv/data && chown atlas /srv/data
USER atlas
ENV PATH="/srv/.venv/bin:$PATH" FWATLAS_HOST=0.0.0.0 FWATLAS_PORT=8000
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz')"
# fwatlas serve: its access log on stdout, timeouts and trusted proxies as in
# docs/serving.md (FWATLAS_WORKERS, FWATLAS_FORWARDED_ALLOW_IPS, ...). `exec` makes it
# PID 1, so SIGTERM starts its graceful shutdown; give it its --graceful-timeout (30 s).
STOPSIGNAL SIGTERM
CMD ["sh", "-c", "fwatlas seed-if-empty && exec fwatlas serve"]
