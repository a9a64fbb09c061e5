# callplane: one image for the API replicas, the worker, migrations and the sandbox.
#   docker build -t callplane .
#   docker run --rm callplane migrate            (migrations are their own step)
#   docker run callplane serve --host 0.0.0.0 --no-migrate
#   docker run callplane worker
# Settings come from CALLPLANE_* environment variables (README, docs/deploy.md).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-cache-dir --upgrade pip \
 && pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    CALLPLANE_LOG_JSON=true
RUN useradd --system --uid 10001 --home-dir /home/callplane --create-home callplane
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER 10001
WORKDIR /home/callplane
EXPOSE 8000
ENTRYPOINT ["callplane"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--no-migrate"]
