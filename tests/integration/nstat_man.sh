#!/bin/sh
# man/naut-stat.1 cannot drift from the program: it lints clean, its
# COUNTERS section is exactly what the counter table generates
# (tests/helpers/nstat_mdoc), every row naut-stat -l shows is documented,
# and every option in the usage message has its own entry, and back.
set -u
B=${NAUT_BUILD:-build}
STAT=$B/naut-stat
MAN=man/naut-stat.1
T=$(mktemp -d /tmp/nstat_man.XXXXXX)
trap 'rm -rf "$T"' EXIT
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }

out=$(mandoc -Tlint -Wwarning "$MAN" 2>&1)
if [ -z "$out" ]; then ok "mandoc -Tlint -Wwarning is silent"; else
	nok "mandoc -Tlint -Wwarning is silent"
	echo "$out" | sed 's/^/# /'
fi

"$B/tests/nstat_mdoc" > "$T/gen"
sed -n '/^\.\\" BEGIN GENERATED/,/^\.\\" END GENERATED/p' "$MAN" > "$T/page"
if [ -s "$T/page" ] && cmp -s "$T/gen" "$T/page"; then
	ok "the COUNTERS section is what the counter table generates"
else
	nok "the COUNTERS section is what the counter table generates"
	diff "$T/page" "$T/gen" | sed 's/^/# /' | head -20
	echo "# regenerate: replace the GENERATED block with $B/tests/nstat_mdoc"
fi

# Each -l row: its own .It, or its base name's (errors.CLASS, hist.PART).
missing=""
for r in $("$STAT" -l | awk 'NR > 1 { print $1 }'); do
	base=${r%%.*}
	grep -qx "\\.It Sy $r" "$MAN" && continue
	grep -q "^\\.It Sy $base " "$MAN" && continue
	missing="$missing $r"
done
if [ -z "$missing" ]; then ok "every row of naut-stat -l is documented"
else nok "every row of naut-stat -l is documented (missing:$missing)"; fi

# Options: letters in the usage message vs .It Fl entries of DESCRIPTION.
"$STAT" -h 2>&1 | sed -n 's/^  -\(.\) .*/\1/p' | sort > "$T/usage"
sed -n '/^\.Sh DESCRIPTION/,/^\.Sh /s/^\.It Fl \(.\).*/\1/p' "$MAN" | sort \
    > "$T/man"
if [ -s "$T/usage" ] && cmp -s "$T/usage" "$T/man"; then
	ok "every option has a man page entry and every entry an option"
else
	nok "every option has a man page entry and every entry an option"
	diff "$T/usage" "$T/man" | sed 's/^/# /'
fi
# SYNOPSIS: "Fl 1djlV" is a group of flags, "Fl c Ar count" one option.
sed -n '/^\.Sh SYNOPSIS/,/^\.Sh /p' "$MAN" | awk '{
	for (i = 1; i < NF; i++)
		if ($i == "Fl") {
			if ($(i + 2) == "Ar")
				print $(i + 1)
			else
				for (j = 1; j <= length($(i + 1)); j++)
					print substr($(i + 1), j, 1)
		}
}' | sort > "$T/synopsis"
if cmp -s "$T/usage" "$T/synopsis"; then
	ok "the SYNOPSIS has exactly the options of the usage message"
else
	nok "the SYNOPSIS has exactly the options of the usage message"
	diff "$T/usage" "$T/synopsis" | sed 's/^/# /'
fi

echo "1..$n"
