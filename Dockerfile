# syntax=docker/dockerfile:1
#
# CryoProtect API gateway: production image.
#
#   docker build -t cryoprotect-gateway .
#   docker run --rm -p 8080:8080 -p 8081:8081 \
#     -e FLASK_BLUE_URL=https://... -e FLASK_GREEN_URL=https://... \
#     -e RDKIT_URL=https://... -e CONVEX_URL=https://... cryoprotect-gateway
#
# Route files and policy files ship in the image under /app/routes and /app/filters-conf
# (the gateway's default directories, relative to WORKDIR /app), so the image runs on its
# own. On Kubernetes both are mounted from ConfigMaps instead (GATEWAY_ROUTES_DIR and
# GATEWAY_FILTERS_CONF_DIR, see k8s/), and those are what a cluster runs.

# ---- build ---------------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build

# Only what the build needs; local target/ directories never enter the build.
COPY pom.xml ./
COPY gateway/pom.xml gateway/
COPY gateway/src gateway/src
# The config files' JSON Schemas are packaged into the jar, which validates with them.
COPY routes/*.schema.json routes/
COPY filters-conf/*.schema.json filters-conf/

# The cache mount keeps ~/.m2 between builds (BuildKit) without putting it in a layer.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -DskipTests package

# ---- runtime -------------------------------------------------------------------------
FROM eclipse-temurin:17-jre

# A fixed numeric non-root user: Kubernetes' runAsNonRoot can only verify a numeric USER.
RUN groupadd --system --gid 10001 cryoprotect \
    && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin cryoprotect

WORKDIR /app

COPY --from=build --chown=root:root /build/gateway/target/cryoprotect-gateway.jar /app/cryoprotect-gateway.jar
COPY --chown=root:root routes/ /app/routes/
COPY --chown=root:root filters-conf/ /app/filters-conf/

# Sized for a 512 MiB container (the JVM takes the memory limit as its RAM):
#   heap    MaxRAMPercentage=60      307 MiB at most, request bodies held for retry included
#                                    (gateway.resilience.retry-buffer.max-bytes, 64 MB)
#   direct  MaxDirectMemorySize=64m   64 MiB at most, Netty's buffers of the bytes in flight only;
#                                    ~6 MiB used under forty concurrent 9 MiB PUTs
#   native  ~115 MiB (metaspace ~50, symbols ~13, class archive ~12, code cache ~20 and
#           growing with JIT, thread stacks, GC and JIT arenas) + ~20 MiB of mapped files
#   total   ~505 MiB with heap and direct both at their maximum
# Without MaxDirectMemorySize the JVM lets direct buffers grow as large as the heap, 307 MiB
# more: far past the limit, and the kernel kills the container.
# RetryBufferMemoryTests runs the gateway with these flags and -XX:MaxRAM=512m.
# SerialGC: the gateway runs with 2 cores or fewer and a small heap, where the serial
# collector has the least overhead and footprint and its pauses stay short. The JVM would
# pick it by itself only when it *sees* <2 CPUs or <1792 MB; with a CPU request but no CPU
# limit it sees the whole node and would choose G1, so it is set explicitly.
# ExitOnOutOfMemoryError: a half-dead JVM is worse than a restart by the orchestrator.
# egd: never block on /dev/random for SecureRandom (TLS, random sticky ids).
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=60 -XX:InitialRAMPercentage=30 -XX:MaxDirectMemorySize=64m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -Djava.security.egd=file:/dev/./urandom"

# Class data sharing and Spring AOT: the jar is extracted, and one training run (it exits once
# ready and one request has gone through: CdsTraining) writes an archive of the classes the
# gateway loads up to then. The training run and the gateway both use the bean definitions
# Spring AOT generated at build time (-Dspring.aot.enabled=true) instead of working them out
# from annotations at every start.
# AOT fixes the bean switches at their defaults (every policy on, no profile, a management port of
# its own); the gateway refuses to start against them (AotFrozenSettings). bench/RESULTS.md has
# the startup times. The training run uses the image's own routes, policies and JVM flags, so the
# archive matches what runs.
RUN java -Djarmode=tools -jar /app/cryoprotect-gateway.jar extract --destination /app/extracted \
    && java -XX:ArchiveClassesAtExit=/app/extracted/app.jsa -Dspring.aot.enabled=true \
         -Dgateway.cds-training=true -jar /app/extracted/cryoprotect-gateway.jar --gateway.drain.delay=0s \
    && rm /app/cryoprotect-gateway.jar

USER 10001:10001

# 8080 public traffic, 8081 management (health probes, Prometheus, status).
EXPOSE 8080 8081

# SIGTERM starts the drain: readiness goes DOWN, the gateway keeps serving for
# gateway.drain.delay, then finishes in-flight requests and exits.
STOPSIGNAL SIGTERM

# No HEALTHCHECK: Kubernetes probes :8081/actuator/health/liveness and /readiness
# directly (k8s/base/deployment.yaml), and Docker HEALTHCHECK is ignored there anyway.

# Exec form: java is PID 1 and receives SIGTERM itself (no shell in between).
ENTRYPOINT ["java", "-XX:SharedArchiveFile=/app/extracted/app.jsa", "-Dspring.aot.enabled=true", "-jar", "/app/extracted/cryoprotect-gateway.jar"]
