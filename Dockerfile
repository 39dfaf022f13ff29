# syntax=docker/dockerfile:1
#
# Gavel: one binary, embedded SQLite under /data.
#   docker build -t gavel .
#   docker run -p 8080:8080 -v gavel-data:/data gavel
# Configuration is config.yaml plus GAVEL_* environment variables (GAVEL_ + upper-cased key
# path with "_", e.g. GAVEL_AUTH_JWT_SECRET); set a JWT secret of at least 32 bytes, or tokens
# do not survive a restart. compose.yaml builds this image and seeds demo data on first start.

ARG SWIFT_VERSION=6.3

# ---- build ------------------------------------------------------------------------------------
FROM swift:${SWIFT_VERSION}-bookworm AS build

# GRDB links the system SQLite. (Versions are not pinned: the Debian release is, and its
# security updates should come in.)
# hadolint ignore=DL3008
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends libsqlite3-dev \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /build

# Dependencies first, in a layer of their own: it is rebuilt only when the manifest changes.
# (Package.resolved is not in the repository; .dockerignore keeps a local one out.)
COPY Package.swift ./
RUN swift package resolve

COPY Sources ./Sources
# Release build with the Swift runtime linked in, so the runtime image needs no Swift toolchain.
# Resources are embedded in the binary (.embedInCode), so there is no resource bundle to copy.
RUN swift build -c release --product gavel --static-swift-stdlib \
    && mkdir -p /staging \
    && cp "$(swift build -c release --show-bin-path)/gavel" /staging/ \
    && cp /usr/libexec/swift/linux/swift-backtrace-static /staging/

# ---- runtime ----------------------------------------------------------------------------------
FROM debian:bookworm-slim

# libsqlite3-0: the SQLite GRDB links; curl: the health check. Gavel makes no outgoing TLS
# connections, so no CA certificates are needed.
# hadolint ignore=DL3008
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends libsqlite3-0 curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --user-group --uid 10001 --home-dir /app --shell /usr/sbin/nologin gavel \
    && mkdir -p /data \
    && chown gavel:gavel /data

WORKDIR /app
COPY --from=build /staging/ /app/
COPY config.yaml /app/config.yaml

# A named volume mounted here starts as a copy of this directory, owned by gavel.
VOLUME /data
ENV PATH=/app:$PATH \
    GAVEL_SERVER_HOST=0.0.0.0 \
    GAVEL_DATABASE_SQLITE_PATH=/data/gavel.sqlite \
    SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=/app/swift-backtrace-static

USER 10001:10001
EXPOSE 8080

# /health is liveness only (cheap, no storage); orchestrators that want readiness use /ready.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:8080/health"]

# gavel is PID 1 and handles SIGTERM itself: it stops taking requests, commits queued bids, exits 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["gavel"]
CMD ["serve", "--config", "/app/config.yaml"]
