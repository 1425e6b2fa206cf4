// SPDX-License-Identifier: GPL-2.0
/*
 * nlxprof: where a guest's CPUs spend a workload's time, for the
 * benchmark's profile rounds (tests/bench/run -P).  Built static on the
 * host and put into the bench guest as /bin/nlxprof.
 *
 *   nlxprof TOP OUT
 *	Samples every online CPU with the kernel's cpu-clock software event
 *	(every 250 us of CPU time, kernel and user, idle included) from the
 *	moment it creates the file OUT.ready until it gets SIGTERM or SIGINT,
 *	then writes to the file OUT the TOP functions that took the most
 *	samples, one per line:
 *	    SAMPLES PERCENT SYMBOL
 *	then the TOP functions found most often anywhere on the sampled
 *	kernel stacks (time spent in them and in what they called):
 *	    incl SAMPLES PERCENT SYMBOL
 *	and last "total SAMPLES lost LOST".  Kernel addresses are named
 *	from /proc/kallsyms (module symbols end in [module]); all of user
 *	space counts as "(user)".  Exits 0, or 2 if it could not sample.
 *
 * The guest has no perf tool; TCG has no hardware counters, but the
 * hrtimer behind cpu-clock runs on guest time, which is what the
 * benchmark measures.  Idle time shows up as the idle loop's functions,
 * so a workload that waits on its server and one that burns CPU look
 * different.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_CPUS	64
#define RING_PAGES	64	/* data pages per CPU, a power of two */
#define PERIOD_NS	250000

struct ring {
	int fd;
	struct perf_event_mmap_page *meta;
	unsigned char *data;
	__u64 size;
};

struct ksym {
	__u64 addr;
	char *name;
	unsigned long hits;
	unsigned long incl;
	unsigned long seen;	/* the sample that last counted it in incl */
};

static struct ring rings[MAX_CPUS];
static int nrings;
static struct ksym *syms;
static size_t nsyms;
static unsigned long user_hits, unknown_hits, total, lost;
/* Each sample as: ip, depth, then depth return addresses. */
static __u64 *ips;
static size_t nips, capips;

static void keep_ip(__u64 ip)
{
	if (nips == capips) {
		capips = capips ? 2 * capips : 65536;
		ips = realloc(ips, capips * sizeof(*ips));
		if (!ips) {
			perror("nlxprof: realloc");
			exit(2);
		}
	}
	ips[nips++] = ip;
}

/* Take every record the kernel has written to @r so far. */
static void drain(struct ring *r)
{
	__u64 head = __atomic_load_n(&r->meta->data_head, __ATOMIC_ACQUIRE);
	__u64 tail = r->meta->data_tail;

	while (tail < head) {
		struct perf_event_header h;
		unsigned char rec[4096];
		__u64 i;

		for (i = 0; i < sizeof(h); i++)
			((unsigned char *)&h)[i] = r->data[(tail + i) & (r->size - 1)];
		if (h.size < sizeof(h) || h.size > sizeof(rec)) {
			tail += h.size ? h.size : sizeof(h);
			continue;
		}
		for (i = 0; i < h.size; i++)
			rec[i] = r->data[(tail + i) & (r->size - 1)];
		if (h.type == PERF_RECORD_SAMPLE && h.size >= sizeof(h) + 16) {
			__u64 ip, nr, pc, j, depth = 0;
			size_t at;

			memcpy(&ip, rec + sizeof(h), sizeof(ip));
			memcpy(&nr, rec + sizeof(h) + 8, sizeof(nr));
			if (nr > (h.size - sizeof(h) - 16) / 8)
				nr = 0;
			keep_ip(ip);
			at = nips;
			keep_ip(0);
			for (j = 0; j < nr; j++) {
				memcpy(&pc, rec + sizeof(h) + 16 + 8 * j, sizeof(pc));
				/* Context markers sit at the top of the range. */
				if (pc >= (__u64)PERF_CONTEXT_MAX)
					continue;
				keep_ip(pc);
				depth++;
			}
			ips[at] = depth;
		} else if (h.type == PERF_RECORD_LOST && h.size >= sizeof(h) + 16) {
			__u64 n;

			memcpy(&n, rec + sizeof(h) + 8, sizeof(n));
			lost += n;
		}
		tail += h.size;
	}
	__atomic_store_n(&r->meta->data_tail, tail, __ATOMIC_RELEASE);
}

static int open_rings(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t len = (RING_PAGES + 1) * (size_t)getpagesize();
	int cpu;

	for (cpu = 0; cpu < ncpu && cpu < MAX_CPUS; cpu++) {
		struct perf_event_attr a;
		struct ring *r = &rings[nrings];
		void *m;

		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.type = PERF_TYPE_SOFTWARE;
		a.config = PERF_COUNT_SW_CPU_CLOCK;
		a.sample_period = PERIOD_NS;
		a.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_CALLCHAIN;
		a.exclude_callchain_user = 1;
		a.disabled = 1;
		a.wakeup_events = 1;
		r->fd = syscall(SYS_perf_event_open, &a, -1, cpu, -1, 0);
		if (r->fd < 0) {
			fprintf(stderr, "nlxprof: perf_event_open cpu %d: %s\n",
				cpu, strerror(errno));
			return -1;
		}
		m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
		if (m == MAP_FAILED) {
			perror("nlxprof: mmap");
			return -1;
		}
		r->meta = m;
		r->data = (unsigned char *)m + getpagesize();
		r->size = (__u64)RING_PAGES * getpagesize();
		nrings++;
	}
	return 0;
}

static int by_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int by_hits(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->hits < y->hits ? 1 : x->hits > y->hits ? -1 : 0;
}

static int by_incl(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->incl < y->incl ? 1 : x->incl > y->incl ? -1 : 0;
}

/* Text symbols of the kernel and its modules, sorted by address. */
static void load_kallsyms(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], name[400], mod[100];
	size_t cap = 0;

	if (!f) {
		perror("nlxprof: /proc/kallsyms");
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned long long addr;
		char type;
		int n;

		mod[0] = 0;
		n = sscanf(line, "%llx %c %399s %99s", &addr, &type, name, mod);
		if (n < 3 || !addr || (type != 't' && type != 'T'))
			continue;
		if (nsyms == cap) {
			cap = cap ? 2 * cap : 65536;
			syms = realloc(syms, cap * sizeof(*syms));
			if (!syms) {
				perror("nlxprof: realloc");
				exit(2);
			}
		}
		syms[nsyms].addr = addr;
		syms[nsyms].hits = 0;
		if (n != 4)
			mod[0] = 0;
		if (asprintf(&syms[nsyms].name, "%s%s%s", name,
			     *mod ? " " : "", mod) < 0)
			exit(2);
		nsyms++;
	}
	fclose(f);
	qsort(syms, nsyms, sizeof(*syms), by_addr);
}

/* The kernel symbol holding @ip, or NULL. */
static struct ksym *find_sym(__u64 ip)
{
	size_t lo = 0, hi = nsyms;

	if (!(ip >> 63))
		return NULL;
	/* The last symbol that starts at or below @ip. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (syms[mid].addr <= ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &syms[lo - 1] : NULL;
}

/* One sample: its ip, then @depth return addresses at @chain. */
static void account(__u64 ip, const __u64 *chain, __u64 depth)
{
	struct ksym *s;
	__u64 j;

	total++;
	if (!(ip >> 63)) {
		user_hits++;
		return;
	}
	s = find_sym(ip);
	if (!s) {
		unknown_hits++;
		return;
	}
	s->hits++;
	/* The chain starts with @ip itself; recursion counts once. */
	for (j = 0; j < depth; j++) {
		s = find_sym(chain[j]);
		if (s && s->seen != total) {
			s->seen = total;
			s->incl++;
		}
	}
}

int main(int argc, char **argv)
{
	struct pollfd p[MAX_CPUS + 1];
	char ready[4096];
	sigset_t stop;
	int top, i, sfd;
	FILE *out;
	size_t k;

	if (argc != 3) {
		fprintf(stderr, "usage: nlxprof TOP OUT\n");
		return 2;
	}
	top = atoi(argv[1]);
	/* SIGTERM and SIGINT end the sampling: read from a signalfd. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	sfd = signalfd(-1, &stop, 0);
	if (sfd < 0) {
		perror("nlxprof: signalfd");
		return 2;
	}
	if (open_rings())
		return 2;
	for (i = 0; i < nrings; i++)
		ioctl(rings[i].fd, PERF_EVENT_IOC_ENABLE, 0);
	snprintf(ready, sizeof(ready), "%s.ready", argv[2]);
	out = fopen(ready, "w");
	if (!out || fclose(out)) {
		perror(ready);
		return 2;
	}
	for (i = 0; i < nrings; i++) {
		p[i].fd = rings[i].fd;
		p[i].events = POLLIN;
	}
	p[nrings].fd = sfd;
	p[nrings].events = POLLIN;
	p[nrings].revents = 0;
	while (!(p[nrings].revents & POLLIN)) {
		poll(p, nrings + 1, 20);
		for (i = 0; i < nrings; i++)
			drain(&rings[i]);
	}
	for (i = 0; i < nrings; i++) {
		ioctl(rings[i].fd, PERF_EVENT_IOC_DISABLE, 0);
		drain(&rings[i]);
	}

	out = fopen(argv[2], "w");
	if (!out) {
		perror(argv[2]);
		return 2;
	}
	load_kallsyms();
	for (k = 0; k + 1 < nips; k += 2 + ips[k + 1])
		account(ips[k], ips + k + 2, ips[k + 1]);
	qsort(syms, nsyms, sizeof(*syms), by_hits);
	if (user_hits)
		fprintf(out, "%lu %.1f (user)\n", user_hits, 100.0 * user_hits / total);
	for (k = 0; k < nsyms && (int)k < top && syms[k].hits; k++)
		fprintf(out, "%lu %.1f %s\n", syms[k].hits,
			100.0 * syms[k].hits / total, syms[k].name);
	qsort(syms, nsyms, sizeof(*syms), by_incl);
	for (k = 0; k < nsyms && (int)k < top && syms[k].incl; k++)
		fprintf(out, "incl %lu %.1f %s\n", syms[k].incl,
			100.0 * syms[k].incl / total, syms[k].name);
	if (unknown_hits)
		fprintf(out, "%lu %.1f (unknown)\n", unknown_hits,
			100.0 * unknown_hits / total);
	fprintf(out, "total %lu lost %lu\n", total, lost);
	if (fclose(out)) {
		perror(argv[2]);
		return 2;
	}
	return 0;
}
