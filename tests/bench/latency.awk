# SPDX-License-Identifier: GPL-2.0
#
# Where the time of each workload went, from a QEMU trace taken with
#   -msg timestamp=on -trace 'v9fs_*' -trace virtqueue_pop
#   -trace virtqueue_fill -D FILE
# (tests/bench/run with BENCH_KEEP_TRACE=1).
#
# A request is outstanding from its virtqueue_pop (the server takes it
# off the ring) to its virtqueue_fill (the server puts the reply on the
# ring), matched by element.  For each workload (the markers as in
# trace.awk) this prints the wall time between its two markers, the
# time during which at least one request of the measured device was
# outstanding ("server"), the rest ("guest": the client's own work, the
# virtqueue notifications both ways, and the workload's user space),
# and the mean server time of each kind of request.
#
# Output, one line per workload:
#   SEQ WALL SERVER GUEST NREQ op=N/MEAN_US,...

function stamp(   a) {
	# PID@SECONDS:event ...
	split($1, a, /[@:]/)
	now = a[2] + 0
	sub(/^[0-9]+@[0-9.]+:/, "")
}

function field(name,   i) {
	for (i = 2; i < NF; i++)
		if ($i == name)
			return $(i + 1)
	return ""
}

function finish(s,   line, sep, k, i) {
	line = s " " sprintf("%.4f %.4f %.4f", now - segt0, busy, now - segt0 - busy) " " nreq
	sep = " "
	for (i = 1; i <= norder; i++) {
		k = order[i]
		if ((s, k) in opn) {
			line = line sep k "=" opn[s, k] "/" sprintf("%.0f", 1e6 * opt[s, k] / opn[s, k])
			sep = ","
		}
	}
	if (sep == " ")
		line = line " -"
	print line
}

BEGIN {
	markvq = ""
	seg = 0
	nout = 0
}

{
	stamp()
}

$1 == "virtqueue_pop" {
	last = ""
	vq = field("vq")
	if (!seg || vq == markvq) {
		pop_vq = vq
		next
	}
	last = field("elem")
	t0[last] = now
	kind[last] = "other"
	if (nout++ == 0)
		busy0 = now
	nreq++
	next
}

$1 == "virtqueue_fill" {
	e = field("elem")
	if (!(e in t0))
		next
	k = kind[e]
	if (!(k in known)) {
		known[k] = 1
		order[++norder] = k
	}
	opn[seg, k]++
	opt[seg, k] += now - t0[e]
	delete t0[e]
	delete kind[e]
	if (--nout == 0)
		busy += now - busy0
	next
}

$1 ~ /^v9fs_/ && $1 !~ /_return$/ && $1 != "v9fs_rerror" &&
$1 != "v9fs_rcancel" {
	if ($1 == "v9fs_mkdir" && field("name") ~ /^nlxb-[0-9]+-[be]$/) {
		markvq = pop_vq
		split(field("name"), p, "-")
		if (p[3] == "b") {
			seg = p[2]
			segt0 = now
			busy = 0
			nreq = 0
		} else if (seg == p[2]) {
			if (nout > 0)
				busy += now - busy0
			finish(seg)
			seg = 0
			nout = 0
			split("", t0)
			split("", kind)
		}
		next
	}
	if (last != "") {
		kind[last] = substr($1, 6)
		last = ""
	}
	next
}
