#!/usr/bin/env bash
# Opt-in test of the Dockerfile (not part of scripts/test.sh or CI: a cold build compiles the
# release binary inside the builder stage, ~20 min on 2 cores). It builds the image with
# BUILD_INDEX=0 (the same stages as the default image, minus the 6-minute full-index build),
# builds a fixture index with the image's own binary, runs the image with that index mounted
# read-only, waits for /readyz, then checks a search, the non-root user, the HEALTHCHECK, the
# JSON logs and a clean SIGTERM stop. The container is removed at the end; the image is kept
# (CONTAINER_TEST_RMI=1 removes it), so a rerun only rebuilds what changed.
#
# Usage: scripts/container_test.sh                 (as root with podman, or a docker user)
#   CONTAINER_ENGINE=podman|docker   default: podman if installed, else docker
#   CONTAINER_ENGINE_FLAGS="..."     extra global engine flags; default: probed (see below)
#   CONTAINER_TEST_LOCAL_BASES=auto|1|0
#       The base images (rust:<RUST_VERSION>-bookworm, debian:bookworm-slim) come from Docker Hub.
#       Where no image registry is reachable, `auto` (the default, podman only) builds stand-ins
#       tagged localhost/rust:<v>-bookworm and localhost/debian:bookworm-slim from Debian
#       packages (mmdebstrap, deb.debian.org) and the Rust toolchain from static.rust-lang.org,
#       the way the official rust image installs it (rustup-init, minimal profile). The
#       Dockerfile's short names resolve to them. The rust stand-in holds a subset of
#       buildpack-deps' packages (compilers, libc/libssl headers, curl, git), so a build that
#       passes on it also has what it needs on the real image. 1: always build them, 0: never.
#       The rust stand-in also trusts the host's extra CA certificates (CONTAINER_TEST_EXTRA_CA).
#
# On a machine where the default podman settings fail (seen on a cgroup v1/v2 hybrid host
# without CAP_SYS_RESOURCE: "crun: cgroups in hybrid mode not supported" and
# "setrlimit RLIMIT_NOFILE: Operation not permitted"), the probe falls back to
# `--runtime runc` and explicit --ulimit values for build and run.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'container_test: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

engine="${CONTAINER_ENGINE:-}"
if [ -z "$engine" ]; then
  if command -v podman >/dev/null 2>&1; then engine=podman; else engine=docker; fi
fi
command -v "$engine" >/dev/null 2>&1 || die "$engine not found (apt-get install podman)"

rust_version=$(sed -n 's/^ARG RUST_VERSION=//p' Dockerfile)
debian_release=$(sed -n 's/^ARG DEBIAN_RELEASE=//p' Dockerfile)
[ -n "$rust_version" ] && [ -n "$debian_release" ] || die "cannot read the ARGs of Dockerfile"
rust_image="rust:${rust_version}-${debian_release}"
slim_image="debian:${debian_release}-slim"
image="${CONTAINER_TEST_IMAGE:-localhost/boussole:container-test}"
name="boussole-container-test-$$"
work="target/container-test"
index_dir="$work/indexes"    # holds `default` -> default.versions/<v>, mounted whole
mkdir -p "$work"
started=$(date +%s)

# Engine flags: as given, or the defaults if a trivial container runs, or the fallback.
read -r -a eflags <<<"${CONTAINER_ENGINE_FLAGS:-}"
ulimits=()
probe_flags() {
  local img="$1"
  [ -n "${CONTAINER_ENGINE_FLAGS+x}" ] && return 0
  if "$engine" run --rm "$img" true >/dev/null 2>"$work/probe.err"; then
    return 0
  fi
  log "a plain '$engine run' fails: $(tail -n1 "$work/probe.err")"
  [ "$engine" = podman ] || die "cannot run a container with $engine"
  eflags=(--runtime runc)
  local nofile
  nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] && nofile=1048576
  ulimits=(--ulimit "nofile=$nofile:$nofile" --ulimit nproc=4096:4096)
  command -v runc >/dev/null 2>&1 || die "install runc (apt-get install runc) or set CONTAINER_ENGINE_FLAGS"
  "$engine" "${eflags[@]}" run --rm "${ulimits[@]}" "$img" true \
    || die "no container runs, even with: ${eflags[*]} ${ulimits[*]}"
  log "using: $engine ${eflags[*]} (build/run: ${ulimits[*]})"
}
ce() { "$engine" "${eflags[@]}" "$@"; }

have_image() { ce image inspect "$1" >/dev/null 2>&1; }

# ---------------------------------------------------------------------------------------------
# Base images: pulled, or built from Debian packages + static.rust-lang.org.
build_local_bases() {
  [ "$engine" = podman ] || die "local base images are only wired for podman"
  command -v mmdebstrap >/dev/null 2>&1 || die "install mmdebstrap (apt-get install mmdebstrap)"
  local mirror="http://deb.debian.org/debian" sec="http://deb.debian.org/debian-security"
  local sources=("deb $mirror $debian_release main"
                 "deb $mirror $debian_release-updates main"
                 "deb $sec $debian_release-security main")
  if ! have_image "localhost/$slim_image"; then
    log "building localhost/$slim_image (mmdebstrap --variant=minbase)"
    mmdebstrap --quiet --variant=minbase "$debian_release" "$work/slim.tar" "${sources[@]}"
    ce import --change 'CMD ["bash"]' "$work/slim.tar" "localhost/$slim_image" >/dev/null
    rm -f "$work/slim.tar"
  fi
  probe_flags "localhost/$slim_image"
  if ! have_image "localhost/$rust_image"; then
    log "building localhost/$rust_image (Debian build packages + rustup $rust_version)"
    local pkgs=ca-certificates,curl,wget,netbase,git,openssh-client,procps,dpkg-dev,file,gcc,g++
    pkgs+=,libc6-dev,libssl-dev,make,patch,pkg-config,unzip,xz-utils,zlib1g-dev,bzip2
    if ! have_image "localhost/rust-base:$debian_release"; then
      mmdebstrap --quiet --variant=minbase --include="$pkgs" "$debian_release" \
        "$work/rust-base.tar" "${sources[@]}"
      ce import "$work/rust-base.tar" "localhost/rust-base:$debian_release" >/dev/null
      rm -f "$work/rust-base.tar"
    fi
    rm -rf "$work/rust-ctx"
    mkdir -p "$work/rust-ctx/extra-ca"
    extra_ca >"$work/rust-ctx/extra-ca/extra.crt"
    if [ -s "$work/rust-ctx/extra-ca/extra.crt" ]; then
      log "the builder trusts $(grep -c 'BEGIN CERT' "$work/rust-ctx/extra-ca/extra.crt") extra CA certificate(s) of this host"
    else
      rm "$work/rust-ctx/extra-ca/extra.crt"
    fi
    cat >"$work/rust-ctx/Containerfile" <<EOF
FROM localhost/rust-base:$debian_release
COPY extra-ca/ /usr/local/share/ca-certificates/
RUN update-ca-certificates
ENV RUSTUP_HOME=/usr/local/rustup CARGO_HOME=/usr/local/cargo \\
    PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    RUST_VERSION=$rust_version
RUN set -eux; arch=x86_64-unknown-linux-gnu; \\
    base=https://static.rust-lang.org/rustup/dist/\$arch/rustup-init; \\
    curl -fsSLo rustup-init "\$base"; \\
    echo "\$(curl -fsSL "\$base.sha256" | cut -d' ' -f1) *rustup-init" | sha256sum -c -; \\
    chmod +x rustup-init; \\
    ./rustup-init -y --no-modify-path --profile minimal --default-toolchain \$RUST_VERSION \\
        --default-host \$arch; \\
    rm rustup-init; chmod -R a+w \$RUSTUP_HOME \$CARGO_HOME; \\
    rustup --version; cargo --version; rustc --version
CMD ["bash"]
EOF
    ce build --format docker "${ulimits[@]}" -t "localhost/$rust_image" "$work/rust-ctx"
  fi
}

# The CA certificates this host trusts beyond Debian's (a TLS-intercepting proxy, say): the
# builder stand-in needs them for static.rust-lang.org, crates.io and PyPI. A PEM file in
# CONTAINER_TEST_EXTRA_CA replaces the guess; CONTAINER_TEST_EXTRA_CA=none adds nothing.
extra_ca() {
  case "${CONTAINER_TEST_EXTRA_CA:-auto}" in
    none) ;;
    auto) python3 - <<'PY'
import glob, re
pem = re.compile(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", re.S)
def certs(path):
    try:
        return pem.findall(open(path).read())
    except OSError:
        return []
debian = {c for f in glob.glob("/usr/share/ca-certificates/mozilla/*.crt") for c in certs(f)}
if debian:
    for c in certs("/etc/ssl/certs/ca-certificates.crt"):
        if c not in debian:
            print(c)
PY
      ;;
    *) cat "$CONTAINER_TEST_EXTRA_CA" ;;
  esac
}

local_bases="${CONTAINER_TEST_LOCAL_BASES:-auto}"
if [ "$local_bases" = 1 ]; then
  build_local_bases
elif have_image "$rust_image" && have_image "$slim_image"; then
  log "base images present: $rust_image, $slim_image"
  probe_flags "$slim_image"
elif timeout 120 "$engine" pull "docker.io/library/$slim_image" >/dev/null 2>"$work/pull.err" \
     && timeout 900 "$engine" pull "docker.io/library/$rust_image" >/dev/null 2>>"$work/pull.err"; then
  log "pulled $rust_image and $slim_image"
  probe_flags "$slim_image"
elif [ "$local_bases" = auto ]; then
  log "cannot pull the base images ($(tail -n1 "$work/pull.err")); building local stand-ins"
  build_local_bases
else
  die "cannot pull the base images: $(tail -n1 "$work/pull.err")"
fi

# ---------------------------------------------------------------------------------------------
# The image, without the full index.
build_flags=(--build-arg BUILD_INDEX=0 -t "$image")
[ "$engine" = podman ] && build_flags+=(--format docker)   # SHELL and HEALTHCHECK need it
log "building $image (BUILD_INDEX=0)"
t0=$(date +%s)
if [ "$engine" = docker ]; then
  DOCKER_BUILDKIT=1 ce build "${build_flags[@]}" .
else
  ce build "${ulimits[@]}" "${build_flags[@]}" .
fi
log "image built in $(( $(date +%s) - t0 )) s"

# A fixture index, built by the image's binary with the image's model (no host build needed).
rm -rf "$index_dir"
mkdir -p "$index_dir"
log "building the fixture index with the image's binary"
ce run --rm "${ulimits[@]}" --user "$(id -u):$(id -g)" --entrypoint boussole \
  -v "$PWD/datasets/fixtures:/data:ro" -v "$PWD/$index_dir:/out" "$image" \
  build --data-dir /data --out /out/default --no-progress

# ---------------------------------------------------------------------------------------------
# Run it and query it.
cleanup() {
  ce rm -f -t 0 "$name" >/dev/null 2>&1 || true
  if [ "${CONTAINER_TEST_RMI:-0}" = 1 ]; then ce rmi -f "$image" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
port="${CONTAINER_TEST_PORT:-$((20000 + RANDOM % 20000))}"
ce run -d --name "$name" "${ulimits[@]}" -p "127.0.0.1:$port:8080" \
  -v "$PWD/$index_dir:/srv/boussole/indexes:ro" "$image" >/dev/null
base="http://127.0.0.1:$port"
ready=0
for _ in $(seq 1 120); do
  if curl -fsS -o /dev/null "$base/readyz" 2>/dev/null; then ready=1; break; fi
  [ "$(ce inspect -f '{{.State.Running}}' "$name")" = true ] || break
  sleep 0.5
done
if [ "$ready" != 1 ]; then
  ce logs "$name" >&2 || true
  die "/readyz never answered on $base"
fi
log "/readyz ok on $base"

search=$(curl -fsS "$base/v1/search?q=boulanger&lang=fr&limit=3")
python3 - "$search" <<'PY' || { ce logs "$name" >&2; die "unexpected search answer: $search"; }
import json, sys
r = json.loads(sys.argv[1])["results"]
assert r and r[0]["code"] == "D1102", [x.get("code") for x in r]
print("container_test: search 'boulanger' ->", r[0]["code"], r[0]["label"], file=sys.stderr)
PY

uid=$(ce exec "$name" id -u)
[ "$uid" = 10001 ] || die "the server runs as uid $uid, not 10001"
if [ "$engine" = podman ]; then
  ce healthcheck run "$name" >/dev/null || die "HEALTHCHECK failed"
else
  ce exec "$name" sh -c 'curl -fsS -o /dev/null "http://127.0.0.1:${BOUSSOLE_ADDR##*:}/readyz"' \
    || die "HEALTHCHECK command failed"
fi
ce logs "$name" >"$work/server.log" 2>&1
python3 -c 'import json,sys; json.loads(open(sys.argv[1]).readline())' "$work/server.log" \
  || die "the first log line is not JSON: $(head -n1 "$work/server.log")"
log "uid 10001, HEALTHCHECK ok, JSON logs"

ce stop -t 20 "$name" >/dev/null
code=$(ce inspect -f '{{.State.ExitCode}}' "$name")
[ "$code" = 0 ] || { ce logs "$name" 2>&1 | tail -n 20 >&2; die "exit code $code after SIGTERM"; }
log "SIGTERM: clean exit (0)"
log "ok in $(( $(date +%s) - started )) s ($engine, image $image)"
