/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 9plx transports: how a request's bytes reach the server and the reply's
 * bytes come back.  A transport knows requests and buffers, never inodes.
 */
#ifndef _9PLX_TRANSPORT_H
#define _9PLX_TRANSPORT_H

#include <linux/types.h>

struct module;
struct p9x_client;
struct p9x_req;

/**
 * struct p9x_trans_args - transport settings from the mount options
 * @port: TCP port (trans=tcp)
 * @privport: connect from a reserved port (trans=tcp)
 * @rfd: descriptor to read replies from (trans=fd)
 * @wfd: descriptor to write requests to (trans=fd)
 */
struct p9x_trans_args {
	u16 port;
	bool privport;
	int rfd;
	int wfd;
};

/**
 * struct p9x_trans_ops - one transport
 * @name: value of the trans= mount option
 * @owner: module holding the code
 * @maxsize: largest message the transport carries; caps msize
 * @zc: the transport places Tread and Twrite payloads described by
 *	req->data (a bvec iterator) itself, when req->zc is set
 * @open: connect @c to the server named @addr (the mount source) with
 *	@args; sets c->trans to the transport's private state
 * @close: disconnect; called once, when no caller waits any more.
 *	Requests the transport still holds (flushed ones the server never
 *	answered) it completes as usual, the stream transports at once
 *	with p9x_req_lost(); it must not call into @c itself afterwards.
 *	No other operation is called once close has begun.
 * @request: queue @req for sending.  Returns 0 once the transport has
 *	taken its own reference on @req (released with p9x_req_put() when
 *	the server's answer or the loss of the transport completes it), or a
 *	negative errno if the request was not queued.
 * @abort: optional.  umount -f: drop the connection now, completing every
 *	request the transport holds with p9x_req_lost().  Transports that
 *	cannot take requests back from their server (virtio) leave it NULL;
 *	their session is only marked lost.
 * @cancelled: optional.  The server answered Tflush for @req without
 *	answering @req, so it never will: if the transport still holds @req,
 *	complete it with p9x_req_done(@req, 0) and drop its reference.
 *	Called only after an answer to the Tflush; a Tflush the transport
 *	handed back lost says nothing about @req, which the transport
 *	completes itself.  Transports whose server always hands every
 *	request back (virtio) leave it NULL.
 *
 * A transport reports each reply with p9x_req_done() and the loss of the
 * server with p9x_client_lost().  A transport that receives replies by
 * tag keeps its own table of the requests it holds.
 */
struct p9x_trans_ops {
	const char *name;
	struct module *owner;
	u32 maxsize;
	bool zc;
	int (*open)(struct p9x_client *c, const char *addr,
		    const struct p9x_trans_args *args);
	void (*close)(struct p9x_client *c);
	int (*request)(struct p9x_client *c, struct p9x_req *req);
	void (*cancelled)(struct p9x_client *c, struct p9x_req *req);
	void (*abort)(struct p9x_client *c);
};

extern const struct p9x_trans_ops p9x_virtio_trans;
extern const struct p9x_trans_ops p9x_tcp_trans, p9x_unix_trans, p9x_fd_trans;

int p9x_virtio_init(void);
void p9x_virtio_exit(void);

#endif /* _9PLX_TRANSPORT_H */
