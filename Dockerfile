# syntax=docker/dockerfile:1
#
# Suara: one static binary that carries its migrations, default config,
# tenant manifests, themes and templates (go:embed), on a distroless base
# with no shell, run as a non-root user.
#
#   docker build -t suara .
#   docker run --rm suara doctor        # any command: serve, worker, migrate, tenants apply, doctor
#
# See docs/deploy.md. NOTE: this file was written without a Docker daemon at
# hand; the build steps it runs were exercised on the host (see the doc).

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
# Modules first: this layer is reused until go.mod or go.sum change.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
# Only what the binary is built from, listed on purpose: a plain `COPY . .`
# would send the local PostgreSQL cluster in .data/ (and any evidence) into
# the build context's image layers. A new embedded folder must be added here.
COPY embed.go ./
COPY cmd ./cmd
COPY internal ./internal
COPY migrations ./migrations
COPY config ./config
COPY tenants ./tenants
COPY themes ./themes
# CGO off: a static binary that runs on distroless/static. timetzdata
# embeds the zone database (SLA clocks run on Asia/Jakarta) whatever the base.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=linux go build -trimpath -tags timetzdata \
      -ldflags "-s -w" -o /out/suara ./cmd/suara
# The data folder (evidence) must exist in the image, owned by the runtime
# user, so a fresh named volume mounted there inherits that ownership.
RUN mkdir -p /out/var/lib/suara/evidence

FROM gcr.io/distroless/static-debian12:nonroot
# nonroot is uid/gid 65532; the image has CA certificates (S3, SMTP, WhatsApp
# APIs over TLS) and no shell, package manager or compiler.
COPY --from=build /out/suara /usr/local/bin/suara
COPY --from=build --chown=65532:65532 /out/var/lib/suara /var/lib/suara
ENV SUARA_PATHS_DATA=/var/lib/suara \
    SUARA_HTTP_ADDR=:8080
USER 65532:65532
WORKDIR /var/lib/suara
VOLUME ["/var/lib/suara"]
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/suara"]
CMD ["serve"]
