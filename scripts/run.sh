#!/usr/bin/env bash
# Starts the whole service (called by `make run` after `make setup`):
#   1. the catalog: a shipped region (WYC_REGION, default 511602 广安区) is loaded if needed; a
#      county imported by hand (python -m catalog.cli import-…, README "Loading another county") is
#      left as it is (scripts/lib/model.sh),
#   2. regenerates the NLU vocabulary from it and trains the Rasa model only when its inputs changed
#      (scripts/train.sh, scripts/region-model.sh: models/<name>-<hash>.tar.gz),
#   3. runs `rasa run` (bot env) and the FastAPI app (app env, which also serves the action
#      webhook), and stops both on Ctrl-C / TERM or when either of them exits.
# Env: PORT (app, default 8000), RASA_PORT (default 5005), WYC_DATABASE_URL (the catalog; default
# var/catalog.db, or var/catalog_<code>.db for another WYC_REGION), WYC_* settings (.env.example).
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false
export PYTHONDONTWRITEBYTECODE=1

APP=.venv/app/bin/python
RASA=.venv/bot/bin/rasa
PORT=${PORT:-8000}
RASA_PORT=${RASA_PORT:-5005}
export WYC_RASA_URL=${WYC_RASA_URL:-http://127.0.0.1:${RASA_PORT}}
export WYC_PUBLIC_BASE_URL=${WYC_PUBLIC_BASE_URL:-http://127.0.0.1:${PORT}}
APP_URL="http://127.0.0.1:${PORT}"
STARTUP_TIMEOUT_SECONDS=${STARTUP_TIMEOUT_SECONDS:-300}

for tool in "$APP" "$RASA"; do
  [ -x "$tool" ] || { echo "error: $tool missing; run 'make setup' first" >&2; exit 1; }
done
mkdir -p var models

# One catalog for every step below and for the app (catalog.db's default when unset).
WYC_DATABASE_URL=${WYC_DATABASE_URL:-$("$APP" -c 'from catalog.db import database_url_from_env as u; print(u())')}
export WYC_DATABASE_URL
# shellcheck source=scripts/lib/model.sh
source scripts/lib/model.sh
prepare_model
echo "using $model"
guide_page=/guide/open-restaurant  # an authored bundle of 广安区's catalog
[ "$served_region" = 511602 ] || guide_page="/guide/<item code>"

# Shared secrets of this start (docs/OPERATIONS.md "Security"): Rasa sends WYC_ACTION_TOKEN with every action
# call, and its HTTP API (/status for /health, /model/parse for the benchmark) needs WYC_RASA_TOKEN.
# Set either to keep it; otherwise each start makes new ones, kept in var/ (mode 0600) for local tools.
# shellcheck source=scripts/lib/secrets.sh
source scripts/lib/secrets.sh
use_secret WYC_ACTION_TOKEN var/action-token
use_secret WYC_RASA_TOKEN var/rasa-token
# assistant/endpoints.yml, with the app's address (PORT) and the header carrying the action token.
endpoints=var/endpoints.run.yml
render_dev_endpoints assistant/endpoints.yml "$endpoints" "$APP_URL"

# shellcheck source=scripts/lib/supervise.sh
source scripts/lib/supervise.sh  # (the working directory is the repository root)

echo "== starting Rasa on 127.0.0.1:${RASA_PORT} (log: var/rasa.log)"
PYTHONPATH=. "$RASA" run --enable-api --auth-token="$WYC_RASA_TOKEN" --endpoints "$endpoints" \
  --credentials assistant/credentials.yml -m "$model" --port "$RASA_PORT" -i 127.0.0.1 >var/rasa.log 2>&1 &
pids+=($!)

echo "== starting the app on ${APP_URL}"
"$APP" -m uvicorn --factory api.main:create_app --host 127.0.0.1 --port "$PORT" &
pids+=($!)

# /health is 200 only once the catalog answers and Rasa has loaded its model.
wait_until_ready "${APP_URL}/health" "$STARTUP_TIMEOUT_SECONDS" var/rasa.log

cat <<EOF

问一次 is running:
  web chat widget   ${APP_URL}/
  agent console     ${APP_URL}/agent
  guide + QR        ${APP_URL}${guide_page}
  chat API          POST ${APP_URL}/api/chat   (docs: ${APP_URL}/docs)
  health            ${APP_URL}/health
  Rasa              ${WYC_RASA_URL}  (HTTP API token: var/rasa-token)
Press Ctrl-C to stop both.
EOF

# Stop everything as soon as either process ends.
wait -n "${pids[@]}"
echo "a process exited; stopping the other" >&2
exit 1
