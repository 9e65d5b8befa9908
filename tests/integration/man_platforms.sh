#!/bin/sh
# naut-fleet.yaml.5 shows the built-in platform profiles as a platforms:
# section (issue 15: it must list what each really has).  That block is
# cut out of the page, given to naut as a fleet's platforms: section, and
# the -T printout (which shows every profile) must be the same as without
# it: a pattern missing from or added to the page changes a profile.
set -u
B=${NAUT_BUILD:-build}
S=$B/naut-supervisor
. tests/integration/tap.inc

awk '/^\.Bd -literal/ { getline; if ($0 == "platforms:") { f = 1; print; next } }
    f && /^\.Ed/ { exit } f { print }' man/naut-fleet.yaml.5 |
    sed 's/\\e/\\/g' >"$T/platforms.yaml"
np=$(grep -c '^  [a-z_]*:$' "$T/platforms.yaml")
[ "$np" -ge 5 ]
ok $? "the page's built-in profiles block has the five platforms ($np)"

cat >"$T/base.yaml" <<'Y'
supervisor: { name: manplat }
defaults: { username: u, password_env: HOME, platform: cisco_ios }
devices:
  - { name: a, host: 192.0.2.1 }
jobs: [ { name: j, mode: shell, commands: [show version] } ]
Y
cat "$T/base.yaml" "$T/platforms.yaml" >"$T/withman.yaml"
"$S" -T -c "$T/base.yaml" >"$T/builtin.T" 2>"$T/err1" &&
    "$S" -T -c "$T/withman.yaml" >"$T/man.T" 2>"$T/err2"
ok $? "both fleets load (-T)"
sed 's/^/#   /' "$T/err1" "$T/err2" | head -5
[ -s "$T/builtin.T" ] && cmp -s "$T/builtin.T" "$T/man.T"
ok $? "the page's profiles are exactly the built-in ones"
diff "$T/builtin.T" "$T/man.T" | head -10 | sed 's/^/#   /'
echo "1..$n"
