# Sluice container image: `make image` builds it as sluice:latest, and the
# reference shop's services (examples/shop) as sluice-shop:latest (--target shop).
# The bases are build arguments so that machines without an image registry
# can use ones made from Debian's packages (scripts/make-base-image).
ARG BUILD_BASE=debian:bookworm
ARG RUN_BASE=debian:bookworm-slim

FROM ${BUILD_BASE} AS build
WORKDIR /src
COPY scripts/install-deps scripts/runtime-packages scripts/embed-assets scripts/
RUN scripts/install-deps build && rm -rf /var/lib/apt/lists/*
COPY Makefile ./
COPY src src
COPY console console
COPY examples/shop/shop.mk examples/shop/
COPY examples/shop/lib examples/shop/lib
COPY examples/shop/services examples/shop/services
RUN make -j"$(nproc)" all CFLAGS=-O2 && strip build/sluice build/shop/shop-* && \
    scripts/runtime-packages build/sluice > build/runtime-packages && \
    for b in build/shop/shop-*; do scripts/runtime-packages "$b"; done | sort -u > build/shop-runtime-packages

# The shop's services, one image for all: the command names the binary
# (shop-orders, shop-payments, ..., shop-gateway, shop-traffic, shop-replay).
FROM ${RUN_BASE} AS shop
COPY --from=build /src/build/shop-runtime-packages /tmp/runtime-packages
RUN apt-get update -qq && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(cat /tmp/runtime-packages) && \
    rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log /tmp/runtime-packages && \
    useradd --system --user-group --uid 10002 --home-dir /var/lib/shop --shell /usr/sbin/nologin shop && \
    install -d -o shop -g shop -m 0750 /var/lib/shop
COPY --from=build /src/build/shop/shop-* /usr/bin/
# Their HTTP listeners (orders 8090, payments 8091, inventory 8092, shipping
# 8093, notifications 8094, gateway 8095) bind every interface in here.
ENV SHOP_HTTP_ADDRESS=0.0.0.0 \
    SHOP_DATA_DIR=/var/lib/shop
VOLUME /var/lib/shop
USER shop
WORKDIR /var/lib/shop
STOPSIGNAL SIGTERM
CMD ["shop-orders"]

FROM ${RUN_BASE}
COPY --from=build /src/build/runtime-packages /tmp/runtime-packages
RUN apt-get update -qq && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(cat /tmp/runtime-packages) && \
    rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log /tmp/runtime-packages && \
    useradd --system --user-group --uid 10001 --home-dir /var/lib/sluice --shell /usr/sbin/nologin sluice && \
    install -d -o sluice -g sluice -m 0750 /var/lib/sluice
COPY --from=build /src/build/sluice /usr/bin/sluice

# PLAINTEXT binds all interfaces; its clients are told
# SLUICE_ADVERTISED_LISTENERS (e.g. PLAINTEXT://localhost:19092 when the port
# is published as 19092), otherwise the container's host name. INTERNAL is
# loopback only and never published: it advertises itself, so the CLI run
# with `docker exec` (SLUICE_BOOTSTRAP) works whatever the published port.
ENV SLUICE_LISTENERS=PLAINTEXT://0.0.0.0:9092,INTERNAL://127.0.0.1:9093 \
    SLUICE_LISTENER_SECURITY_PROTOCOL_MAP=PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT \
    SLUICE_BOOTSTRAP=127.0.0.1:9093 \
    SLUICE_HTTP_LISTENERS=http://0.0.0.0:8080 \
    SLUICE_LOG_DIRS=/var/lib/sluice
# 9092 Kafka protocol, 8080 HTTP (metrics, health, API, console), 8081 schema registry.
EXPOSE 9092 8080 8081
VOLUME /var/lib/sluice
USER sluice
WORKDIR /var/lib/sluice
# No curl in the image: bash speaks the one HTTP request itself.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/ready HTTP/1.0\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]
# The broker is PID 1; it blocks SIGTERM and reads it from a signalfd, so
# `docker stop` is a clean shutdown (everything flushed, checkpoint written).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/sluice"]
CMD ["serve"]
