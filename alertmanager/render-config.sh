#!/bin/sh
# Renders an Alertmanager configuration template: every ${NAME} (NAME of letters, digits and
# underscores) is replaced by the environment variable NAME, and the run fails, naming the variable
# and the line, if NAME is not set. Values are inserted literally (no shell or sed expansion), so
# they may contain any character except the template's own quote ('), a newline or a backslash
# sequence that YAML would interpret. Secrets are not meant to pass through here: alertmanager.yml
# reads them from files (*_file options).
#
#   usage: render-config.sh TEMPLATE OUTPUT [-- COMMAND [ARG...]]
# With "-- COMMAND", the command is exec'd after a successful render (the container entrypoint).
# POSIX sh and awk only: runs in the busybox-based prom/alertmanager image and on a developer host.
set -eu
if [ "$#" -lt 2 ]; then
  echo "usage: render-config.sh TEMPLATE OUTPUT [-- COMMAND [ARG...]]" >&2
  exit 2
fi
template=$1
output=$2
shift 2
tmp="$output.tmp.$$"
if ! awk '
  {
    rest = $0
    rendered = ""
    while (match(rest, /\$\{[A-Za-z_][A-Za-z0-9_]*\}/)) {
      name = substr(rest, RSTART + 2, RLENGTH - 3)
      if (!(name in ENVIRON)) {
        printf "render-config: %s:%d: environment variable %s is not set\n", FILENAME, FNR, name > "/dev/stderr"
        failed = 1
      }
      rendered = rendered substr(rest, 1, RSTART - 1) ENVIRON[name]
      rest = substr(rest, RSTART + RLENGTH)
    }
    print rendered rest
  }
  END { exit failed }
' "$template" >"$tmp"; then
  rm -f "$tmp"
  echo "render-config: $template was not rendered" >&2
  exit 1
fi
mv "$tmp" "$output"
if [ "$#" -gt 0 ]; then
  if [ "$1" = "--" ]; then shift; fi
  exec "$@"
fi
