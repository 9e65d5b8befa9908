#!/bin/sh
# A first `make` on a machine without the -dev packages links (issue 15).
# A copy of the tree is built with a pkg-config that finds nothing until
# the copy's mk/deps.sh has run (a stand-in that "installs" by creating a
# marker), so a GNUmakefile that asks pkg-config when it is read, before
# deps, gets an empty link line and fails here.  Then, with a deps that
# installs nothing, make must stop with a message naming pkg-config
# rather than link without libraries.
set -u
ROOT=$(pwd)
. tests/integration/tap.inc

mkdir -p "$T/src" "$T/bin"
git -C "$ROOT" ls-files -z | (cd "$ROOT" && xargs -0 cp --parents -t "$T/src")
ok $? "a copy of the tracked tree"

real=$(command -v pkg-config)
cat >"$T/bin/pkg-config" <<EOF
#!/bin/sh
[ -e "$T/installed" ] || exit 1
exec "$real" "\$@"
EOF
chmod 755 "$T/bin/pkg-config"
printf '#!/bin/sh\ntouch "%s/installed"\n' "$T" >"$T/src/mk/deps.sh"

PATH=$T/bin:$PATH make -C "$T/src" -j2 BUILD="$T/build" all \
    >"$T/make.out" 2>&1
rc=$?
[ "$rc" -eq 0 ] && [ -e "$T/installed" ] && [ -x "$T/build/naut-supervisor" ] &&
    [ -x "$T/build/naut-stat" ]
ok $? "first make, pkg-config empty until deps ran: both programs link (rc $rc)"
[ "$rc" -eq 0 ] || tail -5 "$T/make.out" | sed 's/^/#   /'
"$T/build/naut-supervisor" -h >/dev/null 2>&1
ok $? "the built naut-supervisor runs"

rm -rf "$T/build" "$T/installed"
printf '#!/bin/sh\nexit 0\n' >"$T/src/mk/deps.sh"
PATH=$T/bin:$PATH make -C "$T/src" -j2 BUILD="$T/build" all \
    >"$T/make2.out" 2>&1
rc=$?
[ "$rc" -ne 0 ] && grep -q 'pkg-config finds no' "$T/make2.out" &&
    [ ! -e "$T/build/naut-supervisor" ]
ok $? "packages still missing after deps: make stops naming pkg-config (rc $rc)"
echo "1..$n"
