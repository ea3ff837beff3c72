# syntax=docker/dockerfile:1

# The picus container: one executable compiled by `bun build --compile`, on a distroless base.
#
#   docker buildx build --platform linux/arm64 -t picus .
#
# The build stage runs on the builder's own platform and cross-compiles for the target
# (no QEMU): `bun scripts/build.ts` is the very script `bun run build` runs, with the same
# flags (scripts/test/dockerfile.test.ts checks it). Cross-compiling fetches the target's Bun
# runtime (@oven/bun-linux-aarch64) from the npm registry, as `bun run build` does.
#
# Base images are pinned by exact version tag; the distroless one also by digest (the
# multi-platform index). Re-resolve with `docker buildx imagetools inspect <image>`.

ARG BUN_IMAGE=oven/bun:1.4.5-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/base-nossl-debian12:nonroot@sha256:be40c00dfabd86576d92666e87e406714d5618342de1a0c213ad232de255172e

FROM --platform=$BUILDPLATFORM ${BUN_IMAGE} AS build
WORKDIR /src
ENV CI=true
# Dependencies first: this layer is reused until package.json or bun.lock change.
COPY package.json bun.lock bunfig.toml ./
RUN --mount=type=cache,target=/root/.bun/install/cache \
    bun install --frozen-lockfile --production
# Then the sources the binary is built from.
COPY tsconfig.json ./
COPY scripts/build.ts ./scripts/build.ts
COPY scripts/lib ./scripts/lib
COPY contracts ./contracts
COPY domain ./domain
COPY adapters ./adapters
COPY entrypoints ./entrypoints
ARG TARGETARCH
RUN --mount=type=cache,target=/root/.bun/install/cache \
    bun scripts/build.ts --container-only --target=linux-${TARGETARCH} \
    && cp dist/picus-server-linux-${TARGETARCH} /picus-server

# glibc, CA certificates and tzdata; no shell, no package manager, no OpenSSL (Bun brings its own TLS).
FROM ${RUNTIME_IMAGE}
LABEL org.opencontainers.image.title="picus" \
      org.opencontainers.image.description="picus REST API (container part: list, put, get, health)"
COPY --from=build --chown=0:0 --chmod=0555 /picus-server /app/picus-server
# The same numeric user the ECS task definition runs as; the binary is root-owned and read-only to it.
USER 10001:10001
WORKDIR /app
ENV PORT_APP=8000 \
    HOST=0.0.0.0
EXPOSE 8000
STOPSIGNAL SIGTERM
# No curl here: the binary probes its own /health. (ECS uses the task definition's copy of this.)
HEALTHCHECK --interval=10s --timeout=5s --start-period=15s --retries=3 \
    CMD ["/app/picus-server", "--healthcheck"]
ENTRYPOINT ["/app/picus-server"]
