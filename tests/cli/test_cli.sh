#!/usr/bin/env bash
# shellcheck disable=SC2016  # the single-quoted $names are jq's, not ours
# End-to-end test of the sluice client subcommands (topic, produce,
# consume) against a running broker.
#
#   SLUICE_BOOTSTRAP=127.0.0.1:9092 tests/cli/test_cli.sh
#
# SLUICE is the binary to test (default: build/sluice of this checkout).
# Needs jq. Creates topics named sluice-cli-test-*, deletes them at the end,
# and ends with the line "N passed, M failed"; exits 1 if any test failed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
SLUICE=${SLUICE:-$here/../../build/sluice}
if [ -z "${SLUICE_BOOTSTRAP:-}" ]; then
    echo "test_cli.sh: set SLUICE_BOOTSTRAP to the broker's HOST:PORT" >&2
    exit 2
fi
if [ ! -x "$SLUICE" ]; then
    echo "test_cli.sh: no executable at $SLUICE (build it, or set SLUICE)" >&2
    exit 2
fi
if ! command -v jq >/dev/null; then
    echo "test_cli.sh: jq is needed (apt-get install jq)" >&2
    exit 2
fi
export SLUICE_BOOTSTRAP

work=$(mktemp -d)
suffix="$$-$(date +%s)"
topic="sluice-cli-test-$suffix"
# Leave no test topic behind, even when a test fails halfway.
trap 'timeout 60 "$SLUICE" topic delete "$topic" >/dev/null 2>&1; rm -rf "$work"' EXIT
other="sluice-cli-test-other-$suffix"
group="sluice-cli-test-group-$suffix"
passed=0
failed=0

# ---- helpers ----

pass() { passed=$((passed + 1)); echo "ok - $1"; }

fail() {
    failed=$((failed + 1))
    echo "not ok - $1"
    # Show what the last command said, to make the failure diagnosable.
    [ -s "$work/err" ] && sed 's/^/    stderr: /' "$work/err" | head -5
    [ -s "$work/out" ] && sed 's/^/    stdout: /' "$work/out" | head -5
    return 0
}

# run [STDIN-FILE] -- ARGS...: runs sluice with a time limit, leaving
# stdout in $work/out, stderr in $work/err and the exit status in $rc.
run() {
    local input=/dev/null
    if [ "$1" != "--" ]; then input=$1; shift; fi
    shift
    timeout 120 "$SLUICE" "$@" <"$input" >"$work/out" 2>"$work/err"
    rc=$?
}

# expect DESCRIPTION COMMAND...: passes when COMMAND succeeds.
expect() {
    local what=$1
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}

# expect_rc DESCRIPTION STATUS: checks the exit status of the last run.
expect_rc() {
    if [ "$rc" -eq "$2" ]; then pass "$1"; else fail "$1 (exit $rc, wanted $2)"; fi
}

# expect_jq DESCRIPTION FILTER [FILE]: FILTER, applied to the slurped JSON
# lines of FILE (default: last stdout), must yield true.
expect_jq() {
    local file=${3:-$work/out}
    if [ "$(jq -s "$2" "$file" 2>/dev/null)" = "true" ]; then
        pass "$1"
    else
        fail "$1 (jq: $2)"
    fi
}

# expect_grep DESCRIPTION PATTERN [FILE]
expect_grep() {
    if grep -q -- "$2" "${3:-$work/out}"; then pass "$1"; else fail "$1 (no '$2')"; fi
}

# The topic's configuration entry NAME as {value, source}, from describe.
config_of() {
    run -- topic describe "$topic" --json
    jq -c --arg n "$1" '.configs[] | select(.name == $n) | {value, source}' \
        "$work/out"
}

# ---- usage errors ----

run -- produce
expect_rc "produce without a topic is a usage error" 2
run -- consume "$topic" --from nowhere
expect_rc "consume --from nowhere is a usage error" 2
run -- consume "$topic" --group g --partition 0
expect_rc "consume --group with --partition is a usage error" 2
run -- topic frobnicate
expect_rc "unknown topic action is a usage error" 2
run -- produce "$topic" --compression brotli
expect_rc "unknown compression codec is a usage error" 2
run -- topic --help
expect_rc "topic --help succeeds" 0
expect_grep "topic --help prints the usage" "Usage: sluice topic"

# ---- create, list, describe ----

run -- topic create "$topic" --partitions 3
expect_rc "create a topic with 3 partitions" 0
expect_grep "create reports the topic" "created topic $topic (3 partitions)"

run -- topic create "$topic" --partitions 3
expect_rc "creating an existing topic fails" 1

run -- topic create "$other" --config retention.ms=3600000 --validate-only
expect_rc "create --validate-only succeeds" 0
run -- topic list
expect_rc "list succeeds" 0
expect_grep "list shows the new topic" "^$topic\$"
expect "create --validate-only does not create the topic" \
    test -z "$(grep -x -- "$other" "$work/out")"

run -- topic describe "$topic" --json
expect_rc "describe --json succeeds" 0
expect_jq "describe shows 3 partitions" '.[0].partitions | length == 3'
expect_jq "describe shows leaders and empty partitions" \
    '[.[0].partitions[] | .leader >= 0 and .high_watermark == 0] | all'
expect_jq "describe lists configs with sources" \
    '.[0].configs | length > 0 and all(has("name") and has("source"))'

run -- topic describe "$topic"
expect_rc "describe (text) succeeds" 0
expect_grep "describe (text) prints partition lines" "partition=2 leader="

# ---- produce ----
# produced counts the records of the produce runs that succeeded, so that
# one failing feature does not fail every later count as well.
produced=0

# produce_ok DESCRIPTION RECORDS: expect_rc 0, counting RECORDS if it passed.
produce_ok() {
    expect_rc "$1" 0
    if [ "$rc" -eq 0 ]; then produced=$((produced + $2)); fi
}

printf 'key%d|value %d\n' 1 1 2 2 3 3 4 4 5 5 >"$work/keyed"
run "$work/keyed" -- produce "$topic" --key-separator '|' \
    --header source=test --header 'trace=a=b' -v
produce_ok "produce keyed lines with headers" 5
expect_grep "produce -v reports the count" "produced 5 records to $topic" "$work/err"

for codec in none gzip snappy lz4 zstd; do
    printf '%s-1\n%s-2\n' "$codec" "$codec" >"$work/codec"
    run "$work/codec" -- produce "$topic" --compression "$codec"
    produce_ok "produce with compression $codec" 2
done

printf 'p1-only\n' >"$work/p1"
run "$work/p1" -- produce "$topic" --partition 1 --acks 1 --linger-ms 0
produce_ok "produce to partition 1 with acks=1" 1

printf '\xff\xfe|\xc3\x28\n' >"$work/binary"
run "$work/binary" -- produce "$topic" --key-separator '|' --acks all
produce_ok "produce a record that is not UTF-8" 1

# The idempotent producer (InitProducerId, producer ids and sequences).
printf 'idem-1\nidem-2\n' >"$work/idem"
run "$work/idem" -- produce "$topic" --idempotent
produce_ok "produce with the idempotent producer" 2

printf 'fire-and-forget\n' >"$work/acks0"
run "$work/acks0" -- produce "$topic" --acks 0
produce_ok "produce with acks=0" 1

run "$work/p1" -- produce "$topic" --partition 99
expect_rc "produce to a missing partition fails" 1

total=$produced

# ---- consume ----

run -- consume "$topic" --format json --count "$total" --timeout-ms 20000
expect_rc "consume every record as JSON" 0
cp "$work/out" "$work/all.json"
expect_jq "consumed $total records" "length == $total" "$work/all.json"
expect_jq "records have the documented fields" \
    'all(has("topic") and has("partition") and has("offset") and
         has("timestamp") and has("key") and has("value") and has("headers"))' \
    "$work/all.json"
expect_jq "keyed records keep key, value and headers" \
    '[.[] | select(.key != null and (.key | startswith("key")))] as $k
     | ($k | length == 5)
       and ($k | all(.value == "value " + (.key | ltrimstr("key"))))
       and ($k | all(.headers == [{"key": "source", "value": "test"},
                                 {"key": "trace", "value": "a=b"}]))' \
    "$work/all.json"
expect_jq "records without a separator have a null key" \
    '[.[] | select(.value == "gzip-1")] | length == 1 and .[0].key == null' \
    "$work/all.json"
expect_jq "every compression codec round-trips" \
    '[.[].value] as $v | ["none", "gzip", "snappy", "lz4", "zstd"]
     | all(. as $c | ($v | index($c + "-1")) != null and
                     ($v | index($c + "-2")) != null)' \
    "$work/all.json"
expect_jq "non-UTF-8 key and value come back as base64" \
    '[.[] | select(.key_encoding == "base64")] | length == 1
     and .[0].key == "//4=" and .[0].value == "wyg="
     and .[0].value_encoding == "base64"' \
    "$work/all.json"
expect_jq "the partition-1 record is in partition 1" \
    '[.[] | select(.value == "p1-only")] | length == 1 and .[0].partition == 1' \
    "$work/all.json"
expect_jq "offsets are unique per partition" \
    'group_by(.partition) | all(map(.offset) | length == (unique | length))' \
    "$work/all.json"

# Where the records to expect are known, --count ends a run as soon as
# they are in (--timeout-ms is then only a bound). Where none are, the
# idle timeout must also see every partition read to its end: it stays.
in_p0=$(jq -s '[.[] | select(.partition == 0)] | length' "$work/all.json")
in_p1=$(jq -s '[.[] | select(.partition == 1)] | length' "$work/all.json")

run -- consume "$topic" --format text --count "$total" --timeout-ms 20000
expect_rc "consume as text" 0
expect_grep "text output shows keys and headers" \
    '^partition=[0-2] offset=[0-9]* timestamp=[0-9]* key=key[0-9] headers=source:test,trace:a=b value=value [0-9]$'
expect_grep "text output escapes bytes that are not UTF-8" \
    ' key=\\xff\\xfe value=\\xc3($'

run -- consume "$topic" --partition 1 --format text --count "$in_p1" --timeout-ms 20000
expect_rc "consume partition 1 as text" 0
expect_grep "text output has the documented layout" \
    '^partition=1 offset=[0-9]* timestamp=[0-9]* value=p1-only$'
expect "consume --partition 1 reads only partition 1" \
    test -z "$(grep -v '^partition=1 ' "$work/out")"

run -- consume "$topic" --partition 1 --from -1 --count 1 --timeout-ms 20000
expect_rc "consume the last record of partition 1" 0
expect "--from -1 --count 1 prints one record" test "$(wc -l <"$work/out")" -eq 1

run -- consume "$topic" --from end --timeout-ms 3000
expect_rc "consume --from end exits 0 after the idle timeout" 0
expect "consume --from end prints nothing" test ! -s "$work/out"

run -- consume "$topic" --from @0 --format json --count "$total" --timeout-ms 20000
expect_rc "consume --from @0 (by timestamp)" 0
expect_jq "consume --from @0 returns every record" "length == $total"

future=$(( $(date +%s) * 1000 + 3600000 ))
run -- consume "$topic" --from "@$future" --timeout-ms 3000
expect_rc "consume from a future timestamp exits 0" 0
expect "consume from a future timestamp prints nothing" test ! -s "$work/out"

after_first=$((in_p0 - 1))   # --count 0 would mean no limit: then the idle timeout ends it
if [ "$after_first" -gt 0 ]; then count_p0="--count $after_first"; else count_p0=""; fi
# shellcheck disable=SC2086
run -- consume "$topic" --partition 0 --from 1 --format json $count_p0 --timeout-ms 5000
expect_rc "consume partition 0 from offset 1" 0
expect_jq "consume from offset 1 starts there" \
    'length == 0 or (.[0].offset == 1 and all(.partition == 0))'

run -- consume "$topic" --group "$group" --format json --count "$total" --timeout-ms 30000
expect_rc "consume as a group member" 0
expect_jq "the group consumer gets every record" "length == $total"
run -- consume "$topic" --group "$group" --timeout-ms 10000
expect_rc "the group resumes from its committed offsets" 0
expect "a second group run finds nothing new" test ! -s "$work/out"

run -- topic describe "$topic" --json
expect_jq "high watermarks add up to the records produced" \
    "[.[0].partitions[].high_watermark] | add == $total"

# ---- alter-config ----

topic_override='{"value":"123456","source":"DYNAMIC_TOPIC_CONFIG"}'
run -- topic alter-config "$topic" --set retention.ms=123456
expect_rc "alter-config --set" 0
expect "describe shows the new value as a topic config" \
    test "$(config_of retention.ms)" = "$topic_override"

run -- topic alter-config "$topic" --set retention.bytes=1048576
expect_rc "alter-config --set another entry" 0
expect "altering one entry keeps the others" \
    test "$(config_of retention.ms)" = "$topic_override"
expect "the second entry is set" \
    test "$(config_of retention.bytes | jq -r .value)" = 1048576

run -- topic alter-config "$topic" --delete retention.ms
expect_rc "alter-config --delete" 0
expect "a deleted entry is no longer a topic config" \
    test "$(config_of retention.ms | jq -r .source)" != DYNAMIC_TOPIC_CONFIG
expect "deleting one entry keeps the others" \
    test "$(config_of retention.bytes | jq -r .value)" = 1048576

run -- topic alter-config "$topic" --set retention.ms=1 --validate-only
expect_rc "alter-config --validate-only" 0
expect "alter-config --validate-only changes nothing" \
    test "$(config_of retention.ms | jq -r .source)" != DYNAMIC_TOPIC_CONFIG

run -- topic alter-config "$topic" --set no.such.config=1
expect_rc "alter-config with an unknown entry fails" 1

# ---- delete ----

run -- topic delete "$topic"
expect_rc "delete the topic" 0
expect_grep "delete reports the topic" "deleted topic $topic"
run -- topic describe "$topic"
expect_rc "describing a deleted topic fails" 1
run -- topic delete "$topic"
expect_rc "deleting a missing topic fails" 1

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
