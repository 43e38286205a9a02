# Sourced by scripts/run.sh: the shared secrets between Rasa and the app in development.
# (Production sets them itself: deploy/production.env.example; the app refuses to start without.)

# use_secret VAR FILE: keep $VAR when the caller set it, else generate one for this start; either
# way write it to FILE (mode 0600, so local tools such as scripts/bench.py can read it) and export it.
use_secret() {
  local var=$1 file=$2 value
  value=${!var:-}
  if [ -z "$value" ]; then
    value=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
  fi
  (umask 077 && printf '%s\n' "$value" >"$file.tmp")
  chmod 600 "$file.tmp"
  mv "$file.tmp" "$file"
  export "$var=$value"
}

# render_dev_endpoints SRC DEST APP_URL: SRC with the action endpoint at APP_URL/webhook and the
# header Rasa sends the app's action token in. The token itself stays in the environment
# (${WYC_ACTION_TOKEN}, unquoted: Rasa substitutes only plain YAML scalars), not in DEST.
render_dev_endpoints() {
  local src=$1 dest=$2 app_url=$3
  awk -v url="${app_url}/webhook" '
    /^action_endpoint:/ { in_action = 1; print; next }
    /^[^ #]/ { in_action = 0 }
    in_action && /^  url:/ {
      print "  url: \"" url "\""
      print "  headers:"
      print "    X-Action-Token: ${WYC_ACTION_TOKEN}"
      next
    }
    { print }
  ' "$src" >"$dest"
  grep -q 'X-Action-Token' "$dest" || { echo "error: no action_endpoint url in $src" >&2; return 1; }
}
