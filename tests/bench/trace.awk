# SPDX-License-Identifier: GPL-2.0
#
# Count the 9P requests of each workload in a QEMU trace taken with
#   -trace 'v9fs_*' -trace virtqueue_pop -D FILE
# (QEMU 7.2 and the patched 10.x print the same events).
#
# Every request the guest sends is one virtqueue_pop on its device's
# queue, followed at once by the v9fs_<op> line of the request (the
# server unpacks it before it first yields); requests QEMU has no event
# for (Tunlinkat, Trenameat, Tstatfs, ...) count as "other".  The
# markers are mkdirs named nlxb-SEQ-b and nlxb-SEQ-e on a device of
# their own (tests/bench/guest/bench.sh); the queue that carries them is
# left out, and every other request between nlxb-SEQ-b and nlxb-SEQ-e
# belongs to workload SEQ.
#
# Output, one line per workload: SEQ TOTAL op=N,op=N,...

function settle(t) {
	if (!pending)
		return
	pending = 0
	if (pvq == markvq || !seg)
		return
	total[seg]++
	ops[seg, t]++
	if (!(t in known)) {
		known[t] = 1
		order[++norder] = t
	}
}

function marker(name,   p, i, line, sep) {
	split(name, p, "-")
	if (p[3] == "b") {
		seg = p[2]
		total[seg] = 0
		return
	}
	if (seg != p[2])
		return
	line = seg " " total[seg]
	sep = " "
	for (i = 1; i <= norder; i++) {
		if ((seg, order[i]) in ops) {
			line = line sep order[i] "=" ops[seg, order[i]]
			sep = ","
		}
	}
	if (sep == " ")
		line = line " -"
	print line
	seg = 0
}

BEGIN {
	n = split("walk open lcreate mknod mkdir symlink link read write " \
		  "readdir getattr setattr fsync clunk remove xattrwalk " \
		  "xattrcreate readlink lock getlock flush other", o, " ")
	for (i = 1; i <= n; i++) {
		known[o[i]] = 1
		order[i] = o[i]
	}
	norder = n
	markvq = ""
	seg = 0
}

{
	# The log backend may put "PID@SECONDS:" before the event name.
	sub(/^[0-9]+@[0-9.]+:/, "")
}

$1 == "virtqueue_fill" {
	next
}

$1 == "virtqueue_pop" {
	settle("other")
	pvq = $3
	pending = 1
	next
}

pending && $1 ~ /^v9fs_/ && $1 !~ /_return$/ && $1 != "v9fs_rerror" &&
$1 != "v9fs_rcancel" {
	t = substr($1, 6)
	if (t == "mkdir") {
		for (i = 2; i < NF; i++) {
			if ($i == "name" && $(i + 1) ~ /^nlxb-[0-9]+-[be]$/) {
				markvq = pvq
				pending = 0
				marker($(i + 1))
				next
			}
		}
	}
	settle(t)
	next
}

pending {
	settle("other")
}

END {
	settle("other")
}
