#!/usr/bin/env bash
# Installs Debian's nginx for the cluster (scripts/run-cluster.sh, tests/production).
# Idempotent: does nothing when an nginx binary is already on PATH or in /usr/sbin.
# Prints the path of the nginx binary on stdout (everything else goes to stderr).
set -euo pipefail

find_nginx() { command -v nginx 2>/dev/null || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; } || true; }

nginx_bin=$(find_nginx)
if [[ -n "$nginx_bin" ]]; then
  echo "$nginx_bin"
  exit 0
fi

SUDO=""
if [[ "$(id -u)" -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "need root or sudo to apt-get install nginx" >&2; exit 1; }
  SUDO=sudo
fi

export DEBIAN_FRONTEND=noninteractive
# nginx-light is enough (proxy + upstream); older/newer Debian releases only ship `nginx`.
install() { $SUDO apt-get install -y -q --no-install-recommends "$@" >&2; }
if ! install nginx-light 2>/dev/null && ! install nginx 2>/dev/null; then
  $SUDO apt-get update -q >&2
  install nginx-light 2>/dev/null || install nginx
fi
# The package may start a system nginx on port 80; the cluster runs its own instance.
if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now nginx >/dev/null 2>&1 || true; fi
if [[ -f /run/nginx.pid ]]; then $SUDO /usr/sbin/nginx -s quit >/dev/null 2>&1 || true; fi

nginx_bin=$(find_nginx)
[[ -n "$nginx_bin" ]] || { echo "nginx installation failed" >&2; exit 1; }
"$nginx_bin" -v >&2
echo "$nginx_bin"
