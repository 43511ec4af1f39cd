# hdsguard in a container: `docker build -t hdsguard .`, then, from your infra repository,
# `docker run --rm -v "$PWD:/work" hdsguard check` (see docs/install.md).
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY src ./src
COPY policies ./policies
COPY schemas ./schemas
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.12-slim
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels \
    && useradd --create-home --uid 10001 hdsguard
USER hdsguard
WORKDIR /work
# The cache lives inside the container: it is discarded with it, which is safe.
ENV HDSGUARD_CACHE_DIR=/tmp/hdsguard-cache
ENTRYPOINT ["hdsguard"]
CMD ["check"]
