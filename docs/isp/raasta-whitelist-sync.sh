#!/bin/bash
# raasta-whitelist-sync: load Raasta's latest signed whitelist into ipset, only when it changed.
# Run from cron, e.g.  */5 * * * * root /usr/local/sbin/raasta-whitelist-sync.sh
# Needs curl, ipset and OpenSSL 3 (for `pkeyutl -rawin` with Ed25519). Match the sets in your rules:
#   iptables  -I FORWARD -m set --match-set raasta-v4 src -j ACCEPT
#   ip6tables -I FORWARD -m set --match-set raasta-v6 src -j ACCEPT
# An operator with approved subscribers also gets its own subscriber feed (docs/isp/subscribers.md), written to
# SUBSCRIBERS_FILE, then SUBSCRIBERS_RELOAD runs; an ISP without subscribers is told 404 and nothing changes.
# Needs curl, ipset and OpenSSL 3 as above; set SUBSCRIBERS_FORMAT= (empty) to leave the feed out.
set -euo pipefail

RAASTA_URL=${RAASTA_URL:-https://raasta.example.pk}          # the portal
TOKEN_FILE=${TOKEN_FILE:-/etc/raasta/token}                  # an isp account's API token, mode 0600
STATE=${STATE:-/var/lib/raasta-sync}                         # ETag, pinned key, last good list
KEY="$STATE/raasta.pub.pem"
SUBSCRIBERS_FORMAT=${SUBSCRIBERS_FORMAT-radius}              # radius, csv or json; empty: no subscriber feed
SUBSCRIBERS_FILE=${SUBSCRIBERS_FILE:-$STATE/subscribers.$SUBSCRIBERS_FORMAT}  # e.g. a FreeRADIUS users file
SUBSCRIBERS_RELOAD=${SUBSCRIBERS_RELOAD:-}                   # e.g. "systemctl reload freeradius"

fetch() {  # fetch PATH OUTPUT [ETAG]: prints the HTTP status; headers go to OUTPUT.headers
  curl --silent --show-error --max-time 300 --output "$2" --dump-header "$2.headers" --write-out '%{http_code}' \
       --header "Authorization: Bearer $(cat "$TOKEN_FILE")" ${3:+--header "If-None-Match: $3"} \
       "$RAASTA_URL/api/v1/$1"
}

header() {  # header NAME FILE: the value of one response header
  grep -i "^$1:" "$2" | tail -n 1 | cut -d: -f2- | tr -d ' \r'
}

verify() {  # verify BODY SIGNATURE KEY: exit 0 only if SIGNATURE is KEY's Ed25519 signature of BODY
  openssl pkeyutl -verify -pubin -inkey "$3" -rawin -in "$1" -sigfile "$2" >/dev/null
}

sync() {
  mkdir -p "$STATE" && cd "$STATE"
  if [ ! -s "$KEY" ]; then  # pinned on first use: compare its fingerprint with the regulator's letter
    [ "$(fetch signing-key "$KEY.new")" = 200 ] || { echo "cannot fetch the signing key" >&2; exit 1; }
    mv "$KEY.new" "$KEY"
  fi
  status=$(fetch whitelist/latest.ipset body.new "$(cat etag 2>/dev/null || true)")
  case $status in
    304) return 0 ;;  # nothing new since the list we loaded
    200) ;;
    *) echo "raasta: latest.ipset answered HTTP $status" >&2; exit 1 ;;
  esac
  serial=$(header X-Whitelist-Serial body.new.headers)
  # The signature of that very version (latest may move on between the two requests).
  [ "$(fetch "whitelist/$serial.ipset.sig" body.sig)" = 200 ] || { echo "no signature for $serial" >&2; exit 1; }
  verify body.new body.sig "$KEY" || { echo "raasta: version $serial FAILED signature check; not loaded" >&2; exit 1; }
  # The file fills raasta-v4-new / raasta-v6-new and swaps each with the live set atomically.
  ipset restore < body.new
  mv body.new current.ipset
  header ETag body.new.headers > etag
  echo "$serial" > serial
  logger -t raasta-sync "loaded whitelist version $serial" 2>/dev/null || true
}

sync_subscribers() {  # this organisation's own subscriber feed, verified the same way
  [ -n "$SUBSCRIBERS_FORMAT" ] || return 0
  cd "$STATE"
  status=$(fetch "isp/subscribers/latest.$SUBSCRIBERS_FORMAT" feed.new "$(cat feed.etag 2>/dev/null || true)")
  case $status in
    304|404|403) return 0 ;;  # nothing new; no approved subscriber of yours yet; an account of no operator
    200) ;;
    *) echo "raasta: subscribers/latest.$SUBSCRIBERS_FORMAT answered HTTP $status" >&2; exit 1 ;;
  esac
  serial=$(header X-Whitelist-Serial feed.new.headers)
  [ "$(fetch "isp/subscribers/$serial.$SUBSCRIBERS_FORMAT.sig" feed.sig)" = 200 ] \
    || { echo "no signature for subscriber feed $serial" >&2; exit 1; }
  verify feed.new feed.sig "$KEY" || { echo "raasta: subscriber feed $serial FAILED signature check" >&2; exit 1; }
  cp feed.new "$SUBSCRIBERS_FILE.new" && mv "$SUBSCRIBERS_FILE.new" "$SUBSCRIBERS_FILE"  # atomic on one filesystem
  [ -z "$SUBSCRIBERS_RELOAD" ] || sh -c "$SUBSCRIBERS_RELOAD"
  header ETag feed.new.headers > feed.etag
  echo "$serial" > feed.serial
  logger -t raasta-sync "loaded subscriber feed of version $serial" 2>/dev/null || true
}

case ${1:-sync} in
  sync) sync; sync_subscribers ;;
  verify) shift; verify "$@" ;;
  *) echo "usage: $0 [sync | verify BODY SIGNATURE KEY]" >&2; exit 2 ;;
esac
