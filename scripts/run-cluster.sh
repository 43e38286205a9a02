#!/usr/bin/env bash
# The production shape on one machine (`make run-cluster`, docs/DESIGN.md §7), against the local
# PostgreSQL and Redis:
#   catalog migrated + loaded into PostgreSQL → model trained or reused (scripts/train.sh) →
#   two `rasa run` replicas (SQLTrackerStore on PostgreSQL, Redis lock store) → the app with two
#   uvicorn workers → nginx on $PORT: `/` → the app, and a Rasa upstream on $NGINX_RASA_PORT that
#   moves a request to the other replica when one is down. Ctrl-C stops everything.
# Env (defaults): PORT=8000 APP_PORT=8001 RASA_PORTS="5005 5006" NGINX_RASA_PORT=5100
#   PG_ADMIN_URL=postgresql://postgres@127.0.0.1:5432/test CLUSTER_DB=wyc_cluster
#   REDIS_HOST=127.0.0.1 REDIS_PORT=6379 REDIS_DB=0
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false PYTHONDONTWRITEBYTECODE=1
export SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=2

APP=.venv/app/bin/python
BOT=.venv/bot/bin/python
RASA=.venv/bot/bin/rasa
PORT=${PORT:-8000}
APP_PORT=${APP_PORT:-8001}
RASA_PORTS=${RASA_PORTS:-"5005 5006"}
NGINX_RASA_PORT=${NGINX_RASA_PORT:-5100}
CLUSTER_DB=${CLUSTER_DB:-wyc_cluster}
PG_HOST=${PG_HOST:-127.0.0.1}
PG_PORT=${PG_PORT:-5432}
PG_USER=${PG_USER:-postgres}
export PG_ADMIN_URL=${PG_ADMIN_URL:-postgresql://${PG_USER}@${PG_HOST}:${PG_PORT}/test}
REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_PORT=${REDIS_PORT:-6379}
REDIS_DB=${REDIS_DB:-0}
STARTUP_TIMEOUT_SECONDS=${STARTUP_TIMEOUT_SECONDS:-300}
RUN_DIR=var/cluster
URL="http://127.0.0.1:${PORT}"

for tool in "$APP" "$BOT" "$RASA"; do
  [ -x "$tool" ] || { echo "error: $tool missing; run 'make setup' first" >&2; exit 1; }
done
mkdir -p "$RUN_DIR" models

echo "== nginx"
NGINX=$(scripts/install-nginx.sh)

# --- the production profile, from the environment only (assistant/endpoints.production.yml) ---
export WYC_ENVIRONMENT=production
export WYC_DATABASE_URL="postgresql+psycopg://${PG_USER}@${PG_HOST}:${PG_PORT}/${CLUSTER_DB}"
export WYC_REDIS_URL="redis://${REDIS_HOST}:${REDIS_PORT}/${REDIS_DB}"
export WYC_RASA_URL="http://127.0.0.1:${NGINX_RASA_PORT}"
export WYC_RASA_TIMEOUT_SECONDS=${WYC_RASA_TIMEOUT_SECONDS:-45}
export WYC_PUBLIC_BASE_URL=${WYC_PUBLIC_BASE_URL:-$URL}
export WYC_LOAD_DEFAULT_CATALOG=false
# A local demo needs a real-looking agent token; keep the one you set, else make one per run.
if [ -z "${WYC_AGENT_TOKEN:-}" ]; then
  WYC_AGENT_TOKEN=$("$APP" -c 'import secrets; print(secrets.token_urlsafe(24))')
  export WYC_AGENT_TOKEN
fi
# Rasa ↔ app secrets (production requires both): keep the ones you set, else make them per run.
# shellcheck source=scripts/lib/secrets.sh
source scripts/lib/secrets.sh
use_secret WYC_ACTION_TOKEN "$RUN_DIR/action-token"
use_secret WYC_RASA_TOKEN "$RUN_DIR/rasa-token"
export WYC_ACTION_ENDPOINT_URL="http://127.0.0.1:${APP_PORT}/webhook"
export WYC_TRACKER_DB_HOST=$PG_HOST WYC_TRACKER_DB_PORT=$PG_PORT WYC_TRACKER_DB_NAME=$CLUSTER_DB
export WYC_TRACKER_DB_USER=$PG_USER WYC_TRACKER_DB_PASSWORD=${WYC_TRACKER_DB_PASSWORD:-}
export WYC_REDIS_HOST=$REDIS_HOST WYC_REDIS_PORT=$REDIS_PORT WYC_REDIS_PASSWORD=${WYC_REDIS_PASSWORD:-}
export WYC_REDIS_LOCK_DB=$REDIS_DB WYC_REDIS_LOCK_PREFIX=${WYC_REDIS_LOCK_PREFIX:-wyccluster}
export TICKET_LOCK_LIFETIME=${TICKET_LOCK_LIFETIME:-20} SQL_POOL_SIZE=${SQL_POOL_SIZE:-10} SQL_MAX_OVERFLOW=${SQL_MAX_OVERFLOW:-10}

echo "== PostgreSQL database ${CLUSTER_DB}: catalog migrations + default catalog"
"$APP" deploy/database.py ensure "$CLUSTER_DB"
"$APP" -m catalog.cli load-default
"$APP" -m api.exchange_log purge   # creates the exchange log table and applies the retention

echo "== NLU vocabulary and Rasa model"
"$APP" -m catalog.export_vocab
model=$(scripts/train.sh)
echo "using $model"

echo "== Rasa tracker-store tables"
PYTHONPATH=. "$BOT" deploy/prepare_tracker_store.py assistant/endpoints.production.yml

# shellcheck source=scripts/lib/supervise.sh
source scripts/lib/supervise.sh  # (the working directory is the repository root)

for rasa_port in $RASA_PORTS; do
  echo "== Rasa replica on 127.0.0.1:${rasa_port} (log: ${RUN_DIR}/rasa-${rasa_port}.log)"
  PYTHONPATH=. "$RASA" run --enable-api --auth-token="$WYC_RASA_TOKEN" --endpoints assistant/endpoints.production.yml \
    --credentials assistant/credentials.yml -m "$model" --port "$rasa_port" -i 127.0.0.1 \
    >"${RUN_DIR}/rasa-${rasa_port}.log" 2>&1 &
  pids+=($!)
done

echo "== app: 2 uvicorn workers on 127.0.0.1:${APP_PORT} (log: ${RUN_DIR}/app.log)"
"$APP" -m uvicorn --factory api.main:create_app --host 127.0.0.1 --port "$APP_PORT" --workers 2 \
  --proxy-headers --forwarded-allow-ips 127.0.0.1 >"${RUN_DIR}/app.log" 2>&1 &
pids+=($!)

echo "== nginx on ${URL} (Rasa upstream on 127.0.0.1:${NGINX_RASA_PORT})"
conf=$(NGINX_LISTEN_PORT=$PORT RASA_PORTS="$RASA_PORTS" APP_PORTS="$APP_PORT" NGINX_RASA_PORT=$NGINX_RASA_PORT \
  "$APP" deploy/render_nginx.py "$RUN_DIR/nginx")
"$NGINX" -e "$PWD/$RUN_DIR/nginx/error.log" -p "$PWD/$RUN_DIR/nginx" -c "$conf" &
pids+=($!)

# Ready when /health through nginx is 200 and every Rasa replica has loaded its model.
all_replicas_ready() {
  local n=0
  for p in $RASA_PORTS; do curl -fsS "http://127.0.0.1:${p}/status?token=${WYC_RASA_TOKEN}" 2>/dev/null | grep -q '"model_file":"[^"]' && n=$((n+1)); done
  [ "$n" -eq "$(wc -w <<<"$RASA_PORTS")" ]
}
wait_until_ready "${URL}/health" "$STARTUP_TIMEOUT_SECONDS" "${RUN_DIR}/*.log" all_replicas_ready

cat <<EOF

问一次 cluster is running (production profile):
  web chat widget   ${URL}/
  agent console     ${URL}/agent?token=${WYC_AGENT_TOKEN}
  chat API          POST ${URL}/api/chat
  health            ${URL}/health
  Rasa replicas     ${RASA_PORTS} (via nginx 127.0.0.1:${NGINX_RASA_PORT}); tracker store + catalog: PostgreSQL ${CLUSTER_DB}
  lock store        Redis ${REDIS_HOST}:${REDIS_PORT}/${REDIS_DB} (prefix ${WYC_REDIS_LOCK_PREFIX})
  soak test         .venv/app/bin/python scripts/soak.py --url ${URL} --minutes 10
Press Ctrl-C to stop everything.
EOF

wait -n "${pids[@]}"
echo "a process exited; stopping the others" >&2
exit 1
