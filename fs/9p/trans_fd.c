// SPDX-License-Identifier: GPL-2.0
/*
 * 9plx stream transports: "tcp" and "unix" connect a socket of their own,
 * "fd" uses two descriptors the mounting process hands over.  All three
 * carry 9P as a byte stream over a pair of struct file (the same file
 * twice for a socket) and share everything past open().
 *
 * Each connection has a workqueue of its own with one reader and one
 * writer item.  The files' wait queues wake them (we poll the files once
 * at open and stay on their wait queues), and the items do non-blocking
 * reads and writes until the file would block.  No I/O happens in the
 * context of the process that issued a request.
 *
 * Ownership: while a request sits in the connection's @held table the
 * transport holds a reference on it.  Whoever takes it out of the table,
 * under @lock, completes it (reply, cancellation or loss) and drops that
 * reference, so every request is completed exactly once.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hashtable.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/inet.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/tcp.h>
#include <linux/un.h>
#include <linux/workqueue.h>
#include <net/sock.h>

#include "client.h"
#include "compat.h"
#include "transport.h"

/* As the in-kernel client: the largest message a stream carries. */
#define P9X_FD_MAXSIZE		(1024 * 1024)
/* Wait queues one connection may sit on (a pipe offers two per file). */
#define P9X_FD_NWAIT		4
#define P9X_FD_HASH_BITS	6
/* privport: the range the in-kernel client binds from, highest first. */
#define P9X_RESVPORT_MIN	665
#define P9X_RESVPORT_MAX	1023

/* Bits in p9x_fdconn.flags. */
enum {
	P9X_FD_WBLOCKED,	/* the writer waits for room in the file */
	P9X_FD_POLLFREE,	/* a wait queue went away under us */
};

/**
 * struct p9x_fdent - the transport's hold on one request
 * @hnode: in p9x_fdconn.held, keyed by tag
 * @qnode: in p9x_fdconn.unsent until the writer picks the request up
 * @req: the request; the transport's reference is the one taken in
 *	p9x_fd_request()
 */
struct p9x_fdent {
	struct hlist_node hnode;
	struct list_head qnode;
	struct p9x_req *req;
};

struct p9x_fdconn;

/**
 * struct p9x_fdwait - our entry on one wait queue of a file
 * @conn: the connection to wake
 * @wait: the entry
 * @head: the queue; NULL once its owner freed it (POLLFREE)
 */
struct p9x_fdwait {
	struct p9x_fdconn *conn;
	wait_queue_entry_t wait;
	wait_queue_head_t *head;
};

/**
 * struct p9x_fdconn - one connection to a server
 * @c: the session
 * @rd: file replies are read from
 * @wr: file requests are written to (may be @rd)
 * @wq: runs @rwork and @wwork
 * @rwork: the reader
 * @wwork: the writer
 * @lock: protects @held, @unsent and @dead
 * @held: requests the transport holds a reference on, by tag
 * @unsent: requests not yet picked up by the writer, oldest first
 * @dead: the connection was lost or is closing; nothing new is taken
 * @flags: P9X_FD_* bits, set from wait queue callbacks
 * @rhdr: header of the reply being read (reader only)
 * @rhave: bytes of the current reply read so far (reader only)
 * @rsize: size of the current reply, once its header is in (reader only)
 * @rreq: the request the current reply answers (reader only); the reader
 *	took it out of @held and owns the transport's reference
 * @wreq: the request being written, with a reference of the writer's
 *	own (writer only)
 * @woff: bytes of @wreq written so far (writer only)
 * @pt: poll table used once, at open, to get onto the files' wait queues
 * @nwait: entries of @waits in use
 * @wait_overflow: a file offered more wait queues than @waits holds
 * @waits: our wait queue entries
 */
struct p9x_fdconn {
	struct p9x_client *c;
	struct file *rd;
	struct file *wr;
	struct workqueue_struct *wq;
	struct work_struct rwork;
	struct work_struct wwork;
	spinlock_t lock;	/* held, unsent, dead */
	DECLARE_HASHTABLE(held, P9X_FD_HASH_BITS);
	struct list_head unsent;
	bool dead;
	unsigned long flags;
	u8 rhdr[P9X_HDR_SIZE];
	u32 rhave;
	u32 rsize;
	struct p9x_req *rreq;
	struct p9x_req *wreq;
	u32 woff;
	poll_table pt;
	unsigned int nwait;
	bool wait_overflow;
	struct p9x_fdwait waits[P9X_FD_NWAIT];
};

/* The held request with @tag, or NULL.  Caller holds conn->lock. */
static struct p9x_fdent *p9x_fd_find(struct p9x_fdconn *conn, u16 tag)
{
	struct p9x_fdent *ent;

	hash_for_each_possible(conn->held, ent, hnode, tag)
		if (ent->req->tag == tag)
			return ent;
	return NULL;
}

/* Take @ent out of the tables; the caller now owns its reference. */
static void p9x_fd_unhold(struct p9x_fdent *ent)
{
	hash_del(&ent->hnode);
	list_del_init(&ent->qnode);
}

/*
 * Take every held request out of the tables onto @out.  Caller holds
 * conn->lock.
 */
static void p9x_fd_unhold_all(struct p9x_fdconn *conn, struct list_head *out)
{
	struct hlist_node *tmp;
	struct p9x_fdent *ent;
	unsigned int bkt;

	hash_for_each_safe(conn->held, bkt, tmp, ent, hnode) {
		p9x_fd_unhold(ent);
		list_add_tail(&ent->qnode, out);
	}
}

/* Complete each request on @list as lost and drop our references. */
static void p9x_fd_lose_list(struct list_head *list)
{
	struct p9x_fdent *ent, *next;

	list_for_each_entry_safe(ent, next, list, qnode) {
		p9x_req_lost(ent->req);
		p9x_req_put(ent->req);
		kfree(ent);
	}
}

/**
 * p9x_fd_lost() - the connection is gone: fail everything it holds
 * @conn: the connection
 *
 * Called from the reader or the writer.  Marks the connection dead, tells
 * the client, completes every held request as lost, and kicks both items
 * so that whichever holds a request in the middle of a transfer lets go
 * of it.  Does nothing if the connection is already dead (lost before, or
 * closing).
 */
static void p9x_fd_lost(struct p9x_fdconn *conn)
{
	LIST_HEAD(gone);

	spin_lock(&conn->lock);
	if (conn->dead) {
		spin_unlock(&conn->lock);
		return;
	}
	conn->dead = true;
	p9x_fd_unhold_all(conn, &gone);
	spin_unlock(&conn->lock);

	p9x_client_lost(conn->c);
	p9x_fd_lose_list(&gone);
	queue_work(conn->wq, &conn->rwork);
	queue_work(conn->wq, &conn->wwork);
}

/*
 * Wait queue callback: runs in whatever context woke the file (softirq
 * for a socket), under the wait queue's lock.  Only queues work.
 */
static int p9x_fd_wake(wait_queue_entry_t *wait, unsigned int mode, int sync,
		       void *key)
{
	struct p9x_fdwait *w = container_of(wait, struct p9x_fdwait, wait);
	struct p9x_fdconn *conn = w->conn;
	__poll_t mask = key_to_poll(key);

	if (mask & POLLFREE) {
		/*
		 * The queue is about to be freed: leave it now, and let the
		 * reader declare the connection lost.
		 */
		set_bit(P9X_FD_POLLFREE, &conn->flags);
		list_del_init(&wait->entry);
		queue_work(conn->wq, &conn->rwork);
		/* Pairs with the acquire in p9x_fd_unpoll(). */
		smp_store_release(&w->head, NULL);
		return 0;
	}
	if (!mask || mask & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP))
		queue_work(conn->wq, &conn->rwork);
	if (!mask || mask & (EPOLLOUT | EPOLLERR | EPOLLHUP))
		if (test_bit(P9X_FD_WBLOCKED, &conn->flags))
			queue_work(conn->wq, &conn->wwork);
	return 0;
}

static void p9x_fd_qproc(struct file *file, wait_queue_head_t *head,
			 poll_table *pt)
{
	struct p9x_fdconn *conn = container_of(pt, struct p9x_fdconn, pt);
	struct p9x_fdwait *w;

	if (conn->nwait == ARRAY_SIZE(conn->waits)) {
		conn->wait_overflow = true;
		return;
	}
	w = &conn->waits[conn->nwait++];
	w->conn = conn;
	w->head = head;
	init_waitqueue_func_entry(&w->wait, p9x_fd_wake);
	add_wait_queue(head, &w->wait);
}

/*
 * Leave every wait queue.  Once this returns no callback runs or will
 * run: they run under the queue's lock, which remove_wait_queue() takes.
 * A queue freed with POLLFREE is only freed after an RCU grace period.
 */
static void p9x_fd_unpoll(struct p9x_fdconn *conn)
{
	wait_queue_head_t *head;
	unsigned int i;

	rcu_read_lock();
	for (i = 0; i < conn->nwait; i++) {
		/* Pairs with the release in p9x_fd_wake(): NULL if freed. */
		head = smp_load_acquire(&conn->waits[i].head);
		if (head)
			remove_wait_queue(head, &conn->waits[i].wait);
	}
	rcu_read_unlock();
	conn->nwait = 0;
}

/* A protocol error: one log line, then the connection counts as lost. */
static __printf(2, 3) void p9x_fd_bad(struct p9x_fdconn *conn,
				      const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_err_ratelimited("%s: %pV; dropping the connection\n",
			   conn->c->name, &vaf);
	va_end(args);
	p9x_fd_lost(conn);
}

/*
 * The header of a reply is in conn->rhdr: find its request and make it
 * the reader's.  Returns false (after dropping the connection) if the
 * header makes no sense.
 */
static bool p9x_fd_take_reply(struct p9x_fdconn *conn)
{
	u32 msize = READ_ONCE(conn->c->msize);
	struct p9x_fdent *ent;
	struct p9x_req *req;
	__le32 size_le;
	__le16 tag_le;
	u32 size, cap = 0;
	u16 tag;

	/* size[4] type[1] tag[2] */
	memcpy(&size_le, conn->rhdr, sizeof(size_le));
	memcpy(&tag_le, conn->rhdr + 5, sizeof(tag_le));
	size = le32_to_cpu(size_le);
	tag = le16_to_cpu(tag_le);
	if (size < P9X_HDR_SIZE || size > msize) {
		p9x_fd_bad(conn, "reply of %u bytes (msize %u)", size, msize);
		return false;
	}
	spin_lock(&conn->lock);
	ent = p9x_fd_find(conn, tag);
	/* A request the writer has not started on cannot have a reply. */
	if (ent && list_empty(&ent->qnode)) {
		cap = ent->req->rc_cap;
		if (size <= cap)
			p9x_fd_unhold(ent);
	}
	spin_unlock(&conn->lock);

	if (!cap) {
		p9x_fd_bad(conn, "reply with tag %u, which no request has", tag);
		return false;
	}
	if (size > cap) {
		p9x_fd_bad(conn, "reply of %u bytes to a request with room for %u",
			   size, cap);
		return false;
	}
	req = ent->req;
	kfree(ent);
	memcpy(req->rc, conn->rhdr, P9X_HDR_SIZE);
	conn->rreq = req;
	conn->rsize = size;
	return true;
}

/*
 * Read up to @len bytes.  Returns the count, -EAGAIN if nothing is
 * there yet, or (after dropping the connection) 0 at end of file or a
 * negative errno.
 */
static ssize_t p9x_fd_recv(struct p9x_fdconn *conn, void *buf, size_t len)
{
	loff_t pos = 0;
	ssize_t n;

	n = kernel_read(conn->rd, buf, len, &pos);
	if (n > 0 || n == -EAGAIN)
		return n;
	if (n < 0)
		pr_warn_ratelimited("%s: read from server failed (%zd)\n",
				    conn->c->name, n);
	p9x_fd_lost(conn);
	return n;
}

static void p9x_fd_read_work(struct work_struct *work)
{
	struct p9x_fdconn *conn = container_of(work, struct p9x_fdconn, rwork);
	unsigned int nofs = memalloc_nofs_save();
	struct p9x_req *req;
	ssize_t n;

	if (test_bit(P9X_FD_POLLFREE, &conn->flags) && !READ_ONCE(conn->dead)) {
		p9x_fd_bad(conn, "descriptor's wait queue went away");
		goto out;
	}
	while (!READ_ONCE(conn->dead)) {
		if (!conn->rreq) {
			n = p9x_fd_recv(conn, conn->rhdr + conn->rhave,
					P9X_HDR_SIZE - conn->rhave);
			if (n <= 0)
				break;
			conn->rhave += n;
			if (conn->rhave < P9X_HDR_SIZE ||
			    !p9x_fd_take_reply(conn))
				continue;
		}
		if (conn->rhave < conn->rsize) {
			n = p9x_fd_recv(conn, conn->rreq->rc + conn->rhave,
					conn->rsize - conn->rhave);
			if (n <= 0)
				break;
			conn->rhave += n;
			if (conn->rhave < conn->rsize)
				continue;
		}
		req = conn->rreq;
		conn->rreq = NULL;
		conn->rhave = 0;
		p9x_req_done(req, conn->rsize);
		p9x_req_put(req);
		cond_resched();
	}
out:
	/* Lost or closing: the reply being read will never be complete. */
	if (READ_ONCE(conn->dead) && conn->rreq) {
		p9x_req_lost(conn->rreq);
		p9x_req_put(conn->rreq);
		conn->rreq = NULL;
	}
	memalloc_nofs_restore(nofs);
}

static void p9x_fd_write_work(struct work_struct *work)
{
	struct p9x_fdconn *conn = container_of(work, struct p9x_fdconn, wwork);
	unsigned int nofs = memalloc_nofs_save();
	struct p9x_fdent *ent;
	struct p9x_req *req;
	loff_t pos = 0;
	ssize_t n;

	for (;;) {
		if (!conn->wreq) {
			spin_lock(&conn->lock);
			ent = conn->dead ? NULL :
				list_first_entry_or_null(&conn->unsent,
							 struct p9x_fdent, qnode);
			if (ent) {
				list_del_init(&ent->qnode);
				req = ent->req;
				refcount_inc(&req->ref);
				conn->wreq = req;
				conn->woff = 0;
			}
			spin_unlock(&conn->lock);
			if (!ent)
				break;
		}
		req = conn->wreq;
		/* Set first, so that room appearing during the write counts. */
		set_bit(P9X_FD_WBLOCKED, &conn->flags);
		n = kernel_write(conn->wr, req->tc + conn->woff,
				 req->tc_len - conn->woff, &pos);
		if (n == -EAGAIN)
			break;
		clear_bit(P9X_FD_WBLOCKED, &conn->flags);
		if (n <= 0) {
			pr_warn_ratelimited("%s: write to server failed (%zd)\n",
					    conn->c->name, n);
			p9x_fd_lost(conn);
			break;
		}
		conn->woff += n;
		if (conn->woff == req->tc_len) {
			conn->wreq = NULL;
			p9x_req_put(req);
		}
		cond_resched();
	}
	/* The request itself is completed by whoever took it from @held. */
	if (READ_ONCE(conn->dead) && conn->wreq) {
		p9x_req_put(conn->wreq);
		conn->wreq = NULL;
	}
	memalloc_nofs_restore(nofs);
}

static int p9x_fd_request(struct p9x_client *c, struct p9x_req *req)
{
	struct p9x_fdconn *conn = c->trans;
	struct p9x_fdent *ent;

	ent = kmalloc_obj(*ent, GFP_NOFS);
	if (!ent)
		return -ENOMEM;
	ent->req = req;
	spin_lock(&conn->lock);
	if (conn->dead) {
		spin_unlock(&conn->lock);
		kfree(ent);
		return -EIO;
	}
	refcount_inc(&req->ref);
	hash_add(conn->held, &ent->hnode, req->tag);
	list_add_tail(&ent->qnode, &conn->unsent);
	spin_unlock(&conn->lock);
	queue_work(conn->wq, &conn->wwork);
	return 0;
}

/*
 * The server answered Tflush for @req without answering @req.  If the
 * reply is being read right now the reader owns @req and completes it.
 */
static void p9x_fd_cancelled(struct p9x_client *c, struct p9x_req *req)
{
	struct p9x_fdconn *conn = c->trans;
	struct p9x_fdent *ent;

	spin_lock(&conn->lock);
	ent = p9x_fd_find(conn, req->tag);
	if (ent && ent->req == req)
		p9x_fd_unhold(ent);
	else
		ent = NULL;
	spin_unlock(&conn->lock);
	if (!ent)
		return;
	p9x_req_done(req, 0);
	p9x_req_put(req);
	kfree(ent);
}

/**
 * p9x_fd_start() - set up a connection over two open files
 * @c: the session
 * @rd: file to read replies from; our reference is consumed
 * @wr: file to write requests to (may be @rd, with a reference of its
 *	own); our reference is consumed
 * @kind: transport name, for the workqueue
 *
 * Both files must be in non-blocking mode.
 *
 * Return: 0 with c->trans set, or a negative errno (files released).
 */
static int p9x_fd_start(struct p9x_client *c, struct file *rd,
			struct file *wr, const char *kind)
{
	struct p9x_fdconn *conn;
	int err = -ENOMEM;

	conn = kzalloc_obj(*conn, GFP_KERNEL);
	if (!conn)
		goto out_files;
	conn->wq = alloc_workqueue("9plx-%s", WQ_UNBOUND | WQ_MEM_RECLAIM, 0,
				   kind);
	if (!conn->wq)
		goto out_conn;
	conn->c = c;
	conn->rd = rd;
	conn->wr = wr;
	spin_lock_init(&conn->lock);
	hash_init(conn->held);
	INIT_LIST_HEAD(&conn->unsent);
	INIT_WORK(&conn->rwork, p9x_fd_read_work);
	INIT_WORK(&conn->wwork, p9x_fd_write_work);

	init_poll_funcptr(&conn->pt, p9x_fd_qproc);
	vfs_poll(rd, &conn->pt);
	if (wr != rd)
		vfs_poll(wr, &conn->pt);
	if (conn->wait_overflow || !conn->nwait) {
		pr_err("%s: cannot wait on this descriptor (%u wait queues)\n",
		       c->name, conn->nwait);
		err = -EINVAL;
		p9x_fd_unpoll(conn);
		destroy_workqueue(conn->wq);
		goto out_conn;
	}
	c->trans = conn;
	/* Anything already there, or a hangup, is seen at once. */
	queue_work(conn->wq, &conn->rwork);
	return 0;

out_conn:
	kfree(conn);
out_files:
	fput(rd);
	fput(wr);
	return err;
}

/*
 * Stop both items, release the files and complete whatever is still
 * held.  The client calls this once no request waits any more; flushed
 * requests the server never answered may still be here.
 */
static void p9x_fd_abort(struct p9x_client *c)
{
	p9x_fd_lost(c->trans);
}

static void p9x_fd_close(struct p9x_client *c)
{
	struct p9x_fdconn *conn = c->trans;
	LIST_HEAD(gone);

	spin_lock(&conn->lock);
	conn->dead = true;
	spin_unlock(&conn->lock);

	/* No callback queues work after this ... */
	p9x_fd_unpoll(conn);
	/* ... and the items only requeue each other, which draining allows. */
	destroy_workqueue(conn->wq);

	if (conn->rreq) {
		p9x_req_lost(conn->rreq);
		p9x_req_put(conn->rreq);
	}
	if (conn->wreq)
		p9x_req_put(conn->wreq);
	spin_lock(&conn->lock);
	p9x_fd_unhold_all(conn, &gone);
	spin_unlock(&conn->lock);
	p9x_fd_lose_list(&gone);

	fput(conn->rd);
	fput(conn->wr);
	kfree(conn);
}

/* Wrap a connected socket in a file and start the connection. */
static int p9x_fd_start_socket(struct p9x_client *c, struct socket *sock,
			       const char *kind)
{
	struct file *file;

	/* Our I/O may run on behalf of reclaim: no recursion into it. */
	sock->sk->sk_allocation = GFP_NOIO;
	sock->sk->sk_use_task_frag = false;
	file = sock_alloc_file(sock, O_NONBLOCK, NULL);
	if (IS_ERR(file))
		return PTR_ERR(file);	/* the socket is released */
	get_file(file);
	return p9x_fd_start(c, file, file, kind);
}

/* Bind @sock to the highest free reserved port. */
static int p9x_fd_bind_privport(struct socket *sock, int family)
{
	struct sockaddr_storage ss = {};
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	unsigned int port;
	int len, err = -EADDRINUSE;

	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_ANY);
		len = sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_any;
		len = sizeof(*sin6);
	}
	for (port = P9X_RESVPORT_MAX; port >= P9X_RESVPORT_MIN; port--) {
		if (family == AF_INET)
			sin->sin_port = htons(port);
		else
			sin6->sin6_port = htons(port);
		err = kernel_bind(sock, (struct p9x_sockaddr *)&ss, len);
		if (err != -EADDRINUSE)
			break;
	}
	return err;
}

static int p9x_tcp_open(struct p9x_client *c, const char *addr,
			const struct p9x_trans_args *args)
{
	struct sockaddr_storage ss = {};
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct socket *sock;
	const char *end;
	int family, len, err;

	if (in4_pton(addr, -1, (u8 *)&sin->sin_addr, '\0', &end) && !*end) {
		family = AF_INET;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(args->port);
		len = sizeof(*sin);
	} else if (in6_pton(addr, -1, sin6->sin6_addr.s6_addr, '\0', &end) &&
		   !*end) {
		family = AF_INET6;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(args->port);
		len = sizeof(*sin6);
	} else {
		pr_err("%s: trans=tcp needs an IPv4 or IPv6 address as the mount source\n",
		       addr);
		return -EINVAL;
	}

	err = sock_create(family, SOCK_STREAM, IPPROTO_TCP, &sock);
	if (err) {
		pr_err("%s: cannot create a TCP socket (%d)\n", addr, err);
		return err;
	}
	if (args->privport) {
		err = p9x_fd_bind_privport(sock, family);
		if (err) {
			pr_err("%s: privport: cannot bind a reserved port (%d)\n",
			       addr, err);
			goto out_sock;
		}
	}
	err = kernel_connect(sock, (struct p9x_sockaddr *)&ss, len, 0);
	if (err) {
		pr_err("%s: cannot connect to port %u (%d)\n", addr, args->port,
		       err);
		goto out_sock;
	}
	/* Requests are whole messages; do not hold them back. */
	tcp_sock_set_nodelay(sock->sk);
	return p9x_fd_start_socket(c, sock, "tcp");

out_sock:
	sock_release(sock);
	return err;
}

static int p9x_unix_open(struct p9x_client *c, const char *addr,
			 const struct p9x_trans_args *args)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len = strlen(addr);
	struct socket *sock;
	int err;

	if (!len || len >= sizeof(sun.sun_path)) {
		pr_err("%s: trans=unix needs a socket path of 1 to %zu bytes as the mount source\n",
		       addr, sizeof(sun.sun_path) - 1);
		return -EINVAL;
	}
	memcpy(sun.sun_path, addr, len);

	err = sock_create(AF_UNIX, SOCK_STREAM, 0, &sock);
	if (err) {
		pr_err("%s: cannot create a unix socket (%d)\n", addr, err);
		return err;
	}
	err = kernel_connect(sock, (struct p9x_sockaddr *)&sun,
			     offsetof(struct sockaddr_un, sun_path) + len + 1,
			     0);
	if (err) {
		pr_err("%s: cannot connect (%d)\n", addr, err);
		sock_release(sock);
		return err;
	}
	return p9x_fd_start_socket(c, sock, "unix");
}

/* One of the mounting process's descriptors, checked for @mode. */
static struct file *p9x_fd_get(const char *addr, const char *opt, int fd,
			       fmode_t mode)
{
	struct file *file;

	file = fget(fd);
	if (!file) {
		pr_err("%s: %s=%d is not an open descriptor\n", addr, opt, fd);
		return ERR_PTR(-EBADF);
	}
	if (!(file->f_mode & mode)) {
		pr_err("%s: %s=%d is not open for %s\n", addr, opt, fd,
		       mode == FMODE_READ ? "reading" : "writing");
		fput(file);
		return ERR_PTR(-EBADF);
	}
	if (!file_can_poll(file)) {
		pr_err("%s: %s=%d cannot be polled (use a pipe or a socket)\n",
		       addr, opt, fd);
		fput(file);
		return ERR_PTR(-EINVAL);
	}
	return file;
}

static void p9x_fd_set_nonblock(struct file *file)
{
	spin_lock(&file->f_lock);
	file->f_flags |= O_NONBLOCK;
	spin_unlock(&file->f_lock);
}

/*
 * Both descriptors are checked before either is touched; then both are
 * made non-blocking, as the in-kernel client does: from now on the open
 * files belong to the mount.
 */
static int p9x_fdtrans_open(struct p9x_client *c, const char *addr,
			    const struct p9x_trans_args *args)
{
	struct file *rd, *wr;

	if (args->rfd < 0 || args->wfd < 0) {
		pr_err("%s: trans=fd needs rfdno= and wfdno=; %s= is missing\n",
		       addr, args->rfd < 0 ? "rfdno" : "wfdno");
		return -EINVAL;
	}
	rd = p9x_fd_get(addr, "rfdno", args->rfd, FMODE_READ);
	if (IS_ERR(rd))
		return PTR_ERR(rd);
	wr = p9x_fd_get(addr, "wfdno", args->wfd, FMODE_WRITE);
	if (IS_ERR(wr)) {
		fput(rd);
		return PTR_ERR(wr);
	}
	p9x_fd_set_nonblock(rd);
	p9x_fd_set_nonblock(wr);
	return p9x_fd_start(c, rd, wr, "fd");
}

const struct p9x_trans_ops p9x_tcp_trans = {
	.name = "tcp",
	.owner = THIS_MODULE,
	.maxsize = P9X_FD_MAXSIZE,
	.open = p9x_tcp_open,
	.close = p9x_fd_close,
	.request = p9x_fd_request,
	.cancelled = p9x_fd_cancelled,
	.abort = p9x_fd_abort,
};

const struct p9x_trans_ops p9x_unix_trans = {
	.name = "unix",
	.owner = THIS_MODULE,
	.maxsize = P9X_FD_MAXSIZE,
	.open = p9x_unix_open,
	.close = p9x_fd_close,
	.request = p9x_fd_request,
	.cancelled = p9x_fd_cancelled,
	.abort = p9x_fd_abort,
};

const struct p9x_trans_ops p9x_fd_trans = {
	.name = "fd",
	.owner = THIS_MODULE,
	.maxsize = P9X_FD_MAXSIZE,
	.open = p9x_fdtrans_open,
	.close = p9x_fd_close,
	.request = p9x_fd_request,
	.cancelled = p9x_fd_cancelled,
	.abort = p9x_fd_abort,
};
