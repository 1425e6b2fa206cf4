# SPDX-License-Identifier: GPL-2.0
#
# The tables of tests/bench/run, from its per-round TSV
# (server cache client round workload seconds requests ops, one header
# line) and its mount TSV (server cache client mount-line), given in
# that order.  Medians over the rounds; ratio = in-kernel s / 9plx s
# (above 1: 9plx faster) of those medians, and paired = the median of
# that ratio taken round by round (each round runs both clients seconds
# apart).  -v summary=FILE also writes the medians as TSV.

function median(list,   v, n, i, j, x) {
	n = split(list, v, " ")
	if (n == 0)
		return "-"
	for (i = 2; i <= n; i++) {
		x = v[i] + 0
		for (j = i - 1; j >= 1 && v[j] + 0 > x; j--)
			v[j + 1] = v[j]
		v[j + 1] = x
	}
	if (n % 2)
		return v[(n + 1) / 2]
	return (v[n / 2] + v[n / 2 + 1]) / 2
}

# "n" when every round sent the same number of requests, else "n*".
function reqs(list,   v, n, i, m) {
	n = split(list, v, " ")
	if (n == 0)
		return "-"
	m = median(list)
	for (i = 2; i <= n; i++) {
		if (v[i] != v[1]) {
			varied = 1
			return m "*"
		}
	}
	return m
}

# The in-kernel client leaves its default version, 9p2000.L, out of
# /proc/mounts.
function mount_desc(line,   f, n, i, ver, ms) {
	ver = "9p2000.L"
	ms = "?"
	n = split(line, f, /[ ,]/)
	for (i = 1; i <= n; i++) {
		if (f[i] ~ /^version=/)
			ver = substr(f[i], 9)
		if (f[i] ~ /^msize=/)
			ms = substr(f[i], 7)
	}
	return ver " msize=" ms
}

# The median over the rounds in which both clients have a time of
# in-kernel s / 9plx s of that round; "-" when there is no such round.
function paired(sc, w, n,   k, x, list) {
	list = ""
	for (k = 1; k <= n; k++) {
		if (!((sc, w, "kernel", k) in tr) || !((sc, w, "9plx", k) in tr))
			continue
		x = tr[sc, w, "9plx", k] + 0
		if (x > 0)
			list = list " " (tr[sc, w, "kernel", k] / x)
	}
	if (list == "")
		return "-"
	return sprintf("%.2f", median(list))
}

BEGIN {
	FS = "\t"
	file = 0
}

FNR == 1 {
	file++
	if (file == 1)
		next
}

file == 1 {
	sc = $1 SUBSEP $2
	if (!(sc in seen_sc)) {
		seen_sc[sc] = 1
		scs[++nsc] = sc
	}
	if (!((sc, $5) in seen_w)) {
		seen_w[sc, $5] = 1
		ws[sc, ++nw[sc]] = $5
	}
	if ($6 != "-") {
		t[sc, $5, $3] = t[sc, $5, $3] " " $6
		tr[sc, $5, $3, $4] = $6
	}
	if ($7 != "-")
		r[sc, $5, $3] = r[sc, $5, $3] " " $7
	if ($4 + 0 > rounds[sc])
		rounds[sc] = $4 + 0
	next
}

file == 2 {
	mnt[$1, $2, $3] = mount_desc($4)
}

END {
	if (summary != "")
		printf "server\tcache\tworkload\tkernel_s\t9plx_s\tratio\t" \
		       "paired\tkernel_reqs\t9plx_reqs\n" >summary
	for (i = 1; i <= nsc; i++) {
		sc = scs[i]
		split(sc, p, SUBSEP)
		printf "\n%s, cache=%s: median of %d round(s); ratio = " \
		       "in-kernel/9plx time (above 1: 9plx faster), of " \
		       "the medians and (paired) per round\n",
		       p[1], p[2], rounds[sc]
		printf "in-kernel: %s; 9plx: %s\n", mnt[p[1], p[2], "kernel"],
		       mnt[p[1], p[2], "9plx"]
		printf "%-16s %12s %10s %7s %7s %15s %11s\n", "workload",
		       "in-kernel s", "9plx s", "ratio", "paired",
		       "in-kernel reqs", "9plx reqs"
		for (j = 1; j <= nw[sc]; j++) {
			w = ws[sc, j]
			tk = median(t[sc, w, "kernel"])
			tx = median(t[sc, w, "9plx"])
			ratio = "-"
			if (tk != "-" && tx != "-" && tx + 0 > 0)
				ratio = sprintf("%.2f", tk / tx)
			else if (tk != "-" && tx != "-")
				ratio = "inf"
			pr = paired(sc, w, rounds[sc])
			if (tk != "-")
				tk = sprintf("%.3f", tk)
			if (tx != "-")
				tx = sprintf("%.3f", tx)
			rk = reqs(r[sc, w, "kernel"])
			rx = reqs(r[sc, w, "9plx"])
			printf "%-16s %12s %10s %7s %7s %15s %11s\n", w, tk,
			       tx, ratio, pr, rk, rx
			if (summary != "")
				printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
				       p[1], p[2], w, tk, tx, ratio, pr, rk,
				       rx >summary
		}
	}
	if (varied)
		print "\n*: the rounds sent different numbers of requests " \
		      "(median shown; every round is in the per-round TSV)"
}
