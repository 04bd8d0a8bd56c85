# syntax=docker/dockerfile:1
# watchpost: multi-stage build. The builder compiles the release binary; the runtime image holds
# only the binary, CA certificates (HTTPS probes, Slack, webhooks) and curl for the healthcheck.

FROM rust:1.95-bookworm AS builder
WORKDIR /src
COPY . .
# The cache mounts keep the crate registry and target dir between builds (BuildKit, the default
# builder of current Docker); the binary is copied out because the target cache is not in the image.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin watchpost \
    && install -m 0755 target/release/watchpost /usr/local/bin/watchpost

FROM debian:bookworm-slim
# Unpinned on purpose: bookworm's point releases replace these versions (security fixes), and a
# pinned version would stop building once the mirror drops it.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/*
# A fixed, unprivileged uid/gid so the named volume's ownership is stable across rebuilds.
RUN groupadd --system --gid 10001 watchpost \
    && useradd --system --uid 10001 --gid watchpost --no-create-home \
         --home-dir /var/lib/watchpost --shell /usr/sbin/nologin watchpost \
    && mkdir -p /etc/watchpost /var/lib/watchpost \
    && chown watchpost:watchpost /var/lib/watchpost
COPY --from=builder /usr/local/bin/watchpost /usr/local/bin/watchpost
COPY deploy/watchpost.yml /etc/watchpost/watchpost.yml
USER 10001:10001
WORKDIR /var/lib/watchpost
VOLUME ["/var/lib/watchpost"]
EXPOSE 39101
HEALTHCHECK --interval=15s --timeout=3s --start-period=15s --retries=3 \
    CMD ["curl", "--fail", "--silent", "--show-error", "--max-time", "2", "http://127.0.0.1:39101/-/healthy"]
ENTRYPOINT ["/usr/local/bin/watchpost"]
CMD ["run", "--config.file=/etc/watchpost/watchpost.yml"]
