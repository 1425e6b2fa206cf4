# SPDX-License-Identifier: GPL-2.0
#
# The medians of latency.tsv (tests/bench/run with BENCH_KEEP_TRACE=1):
# per server, cache mode and workload, the seconds during which each
# client had a request at the server and the seconds it did not (its
# own work, notifications, user space).  Two clients that send the same
# requests should show the same server time; a gap in the guest time is
# then the client's, or the machine's.

function median(key, n,   i, j, t, v) {
	for (i = 1; i <= n; i++)
		v[i] = val[key, i]
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}

function add(key, x) {
	val[key, ++cnt[key]] = x
}

BEGIN { FS = "\t" }

NR == 1 { next }

{
	g = $1 SUBSEP $2
	if (!(g in seen)) {
		seen[g] = 1
		groups[++ng] = g
	}
	if (!((g, $5) in wseen)) {
		wseen[g, $5] = 1
		wl[g, ++nw[g]] = $5
	}
	add(g SUBSEP $5 SUBSEP $3 SUBSEP "s", $7)
	add(g SUBSEP $5 SUBSEP $3 SUBSEP "g", $8)
}

END {
	for (i = 1; i <= ng; i++) {
		split(groups[i], p, SUBSEP)
		printf "\n%s, cache=%s: median seconds with a request at the server / without\n", p[1], p[2]
		printf "%-16s %21s %21s\n", "workload", "in-kernel srv/guest", "9plx srv/guest"
		for (j = 1; j <= nw[groups[i]]; j++) {
			w = wl[groups[i], j]
			line = sprintf("%-16s", w)
			for (c = 1; c <= 2; c++) {
				cl = c == 1 ? "kernel" : "9plx"
				k = groups[i] SUBSEP w SUBSEP cl
				if (cnt[k SUBSEP "s"])
					line = line sprintf(" %10.3f/%-10.3f",
						median(k SUBSEP "s", cnt[k SUBSEP "s"]),
						median(k SUBSEP "g", cnt[k SUBSEP "g"]))
				else
					line = line sprintf(" %21s", "-")
			}
			print line
		}
	}
}
