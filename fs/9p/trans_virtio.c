// SPDX-License-Identifier: GPL-2.0
/*
 * 9plx virtio transport: binds virtio-9p devices (virtio device id 9) and
 * carries each request as one descriptor chain on the device's single
 * virtqueue: the T-message out, the reply buffer in.  Tread and Twrite
 * payloads go zero copy: the framing sits in the request's small buffers
 * and the data pages follow it in the same chain, one entry per page or
 * folio.
 *
 * Channels are found by mount tag under one mutex.  A removed device is
 * reset before its queue is freed, and every request still on its ring,
 * answered or not, completes as lost: the session fails with -EIO.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/bvec.h>
#include <linux/sched/signal.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_9p.h>
#include <linux/virtio_ring.h>

#include "client.h"
#include "transport.h"

/*
 * 1 MiB payloads and their framing.  A chain that long needs indirect
 * descriptors; without them msize is held to what the ring can take.
 */
#define P9X_VIRTIO_MAXSIZE	(1024 * 1024 + 4096)
/* Entries for MAXSIZE bytes anywhere in memory, plus a framing buffer. */
#define P9X_VIRTIO_SG		(P9X_VIRTIO_MAXSIZE / PAGE_SIZE + 4)

/**
 * struct p9x_vchan - one virtio-9p device
 * @ref: held by the device binding and by a mount using it
 * @node: on p9x_vchans while the device is bound
 * @vdev: the device
 * @vq: its request queue
 * @lock: protects @vq, @gone, @inflight, @completions and the sg tables
 * @gone: the device is being removed; the callback leaves the ring alone
 * @inflight: requests the device holds
 * @completions: bumped for every request handed back, to wake senders
 *	waiting for room in the ring
 * @room: senders waiting for room in the ring
 * @busy: a mount uses this channel (under p9x_vchans_lock)
 * @client: that mount's session (under p9x_vchans_lock)
 * @out: sg table for the T-message
 * @in: sg table for the reply buffer
 * @tag: the mount tag, NUL-terminated
 */
struct p9x_vchan {
	struct kref ref;
	struct list_head node;
	struct virtio_device *vdev;
	struct virtqueue *vq;
	spinlock_t lock;	/* see above */
	bool gone;
	unsigned int inflight;
	unsigned long completions;
	wait_queue_head_t room;
	bool busy;
	struct p9x_client *client;
	struct scatterlist out[P9X_VIRTIO_SG];
	struct scatterlist in[P9X_VIRTIO_SG];
	char tag[];
};

static LIST_HEAD(p9x_vchans);
static DEFINE_MUTEX(p9x_vchans_lock);

static void p9x_vchan_free(struct kref *ref)
{
	kfree(container_of(ref, struct p9x_vchan, ref));
}

/* Entries @len bytes at @buf take: kmalloc memory one, vmalloc one a page. */
static unsigned int p9x_vchan_buf_nents(const void *buf, u32 len)
{
	if (!is_vmalloc_addr(buf))
		return 1;
	return DIV_ROUND_UP(offset_in_page(buf) + len, PAGE_SIZE);
}

static void p9x_vchan_map_buf(struct scatterlist *sg, void *buf, u32 len)
{
	if (!is_vmalloc_addr(buf)) {
		sg_set_buf(sg, buf, len);
		return;
	}
	while (len) {
		u32 off = offset_in_page(buf);
		u32 chunk = min_t(u32, PAGE_SIZE - off, len);

		sg_set_page(sg++, vmalloc_to_page(buf), chunk, off);
		buf += chunk;
		len -= chunk;
	}
}

/* Entries a zero-copy payload takes: one per bvec segment it touches. */
static unsigned int p9x_vchan_data_nents(const struct iov_iter *it)
{
	const struct bio_vec *bv = it->bvec;
	size_t skip = it->iov_offset, left = iov_iter_count(it);
	unsigned int n = 0;

	for (; left; bv++) {
		size_t len = min_t(size_t, bv->bv_len - skip, left);

		if (len)
			n++;
		left -= len;
		skip = 0;
	}
	return n;
}

static void p9x_vchan_map_data(struct scatterlist *sg, const struct iov_iter *it)
{
	const struct bio_vec *bv = it->bvec;
	size_t skip = it->iov_offset, left = iov_iter_count(it);

	for (; left; bv++) {
		size_t len = min_t(size_t, bv->bv_len - skip, left);
		size_t off = bv->bv_offset + skip;

		/* A folio is contiguous: one entry, however many pages. */
		if (len)
			sg_set_page(sg++, bv->bv_page + off / PAGE_SIZE, len,
				    off % PAGE_SIZE);
		left -= len;
		skip = 0;
	}
}

/*
 * Describe one direction of @req in @sg: the buffer, then the payload
 * pages if they travel this way.  Returns the entries used or -EMSGSIZE.
 */
static int p9x_vchan_map(struct scatterlist *sg, void *buf, u32 len,
			 const struct p9x_req *req, bool payload)
{
	unsigned int nbuf = p9x_vchan_buf_nents(buf, len);
	unsigned int n = nbuf;

	if (payload)
		n += p9x_vchan_data_nents(&req->data);
	if (n > P9X_VIRTIO_SG)
		return -EMSGSIZE;
	sg_init_table(sg, n);
	p9x_vchan_map_buf(sg, buf, len);
	if (payload)
		p9x_vchan_map_data(sg + nbuf, &req->data);
	return n;
}

/* Virtqueue callback: the device handed back one or more requests. */
static void p9x_vchan_done(struct virtqueue *vq)
{
	struct p9x_vchan *ch = vq->vdev->priv;
	struct p9x_req *req;
	unsigned long flags;
	unsigned int len;
	bool any = false;

	for (;;) {
		spin_lock_irqsave(&ch->lock, flags);
		/* A device being removed hands its requests to the remove. */
		req = ch->gone ? NULL : virtqueue_get_buf(vq, &len);
		if (req) {
			ch->inflight--;
			ch->completions++;
		}
		spin_unlock_irqrestore(&ch->lock, flags);
		if (!req)
			break;
		p9x_req_done(req, len);
		p9x_req_put(req);
		any = true;
	}
	if (any)
		wake_up(&ch->room);
}

static bool p9x_vchan_moved(struct p9x_vchan *ch, unsigned long seen)
{
	return READ_ONCE(ch->gone) || READ_ONCE(ch->completions) != seen;
}

static int p9x_vchan_request(struct p9x_client *c, struct p9x_req *req)
{
	struct p9x_vchan *ch = c->trans;
	struct scatterlist *sgs[2] = { ch->out, ch->in };
	unsigned long flags, seen;
	int err;

	for (;;) {
		spin_lock_irqsave(&ch->lock, flags);
		if (ch->gone) {
			err = -EIO;
			break;
		}
		err = p9x_vchan_map(ch->out, req->tc, req->tc_len, req,
				    req->zc && req->rtype == P9X_RWRITE);
		if (err > 0)
			err = p9x_vchan_map(ch->in, req->rc, req->rc_cap, req,
					    req->zc && req->rtype == P9X_RREAD);
		if (err < 0)
			break;
		err = virtqueue_add_sgs(ch->vq, sgs, 1, 1, req, GFP_ATOMIC);
		if (!err) {
			refcount_inc(&req->ref);
			ch->inflight++;
			virtqueue_kick(ch->vq);
			break;
		}
		if (err != -ENOSPC)
			break;
		if (!ch->inflight) {
			/*
			 * An idle ring refuses a chain only when the table
			 * of indirect descriptors could not be allocated
			 * (GFP_ATOMIC, under our lock): memory is short for
			 * a moment.  Try again a tick later rather than fail
			 * the call with an error that means nothing to it.
			 * Without indirect descriptors msize keeps every
			 * chain within the ring (p9x_vchan_open()).
			 */
			spin_unlock_irqrestore(&ch->lock, flags);
			if (!virtio_has_feature(ch->vdev,
						VIRTIO_RING_F_INDIRECT_DESC))
				return -EMSGSIZE;
			if (schedule_timeout_killable(1) ||
			    fatal_signal_pending(current))
				return -EINTR;
			continue;
		}
		/* The ring is full: wait for the device to hand one back. */
		seen = ch->completions;
		spin_unlock_irqrestore(&ch->lock, flags);
		if (wait_event_killable(ch->room, p9x_vchan_moved(ch, seen)))
			return -EINTR;
	}
	spin_unlock_irqrestore(&ch->lock, flags);
	return err;
}

static int p9x_vchan_open(struct p9x_client *c, const char *addr,
			  const struct p9x_trans_args *args)
{
	struct p9x_vchan *ch;
	int err = -ENOENT;

	mutex_lock(&p9x_vchans_lock);
	list_for_each_entry(ch, &p9x_vchans, node) {
		if (strcmp(ch->tag, addr))
			continue;
		if (ch->busy) {
			err = -EBUSY;
			break;
		}
		ch->busy = true;
		ch->client = c;
		kref_get(&ch->ref);
		c->trans = ch;
		/* Without indirect descriptors a chain must fit the ring. */
		if (!virtio_has_feature(ch->vdev, VIRTIO_RING_F_INDIRECT_DESC))
			c->msize = min_t(u32, c->msize,
					 (virtqueue_get_vring_size(ch->vq) - 4) *
					 PAGE_SIZE);
		err = 0;
		break;
	}
	mutex_unlock(&p9x_vchans_lock);

	if (err == -ENOENT)
		pr_err("%s: no virtio-9p device with this mount tag is bound to 9plx (is 9pnet_virtio holding it?)\n",
		       addr);
	else if (err == -EBUSY)
		pr_err("%s: mount tag is already mounted through 9plx\n", addr);
	return err;
}

static void p9x_vchan_close(struct p9x_client *c)
{
	struct p9x_vchan *ch = c->trans;

	mutex_lock(&p9x_vchans_lock);
	ch->busy = false;
	ch->client = NULL;
	mutex_unlock(&p9x_vchans_lock);
	kref_put(&ch->ref, p9x_vchan_free);
}

/* /sys/bus/virtio/devices/virtioN/mount_tag, as with 9pnet_virtio. */
static ssize_t mount_tag_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct p9x_vchan *ch = dev_to_virtio(dev)->priv;

	return sysfs_emit(buf, "%s\n", ch->tag);
}
static DEVICE_ATTR_RO(mount_tag);

static int p9x_vchan_probe(struct virtio_device *vdev)
{
	struct p9x_vchan *ch;
	u16 len;

	if (!virtio_has_feature(vdev, VIRTIO_9P_MOUNT_TAG))
		return -EINVAL;
	virtio_cread(vdev, struct virtio_9p_config, tag_len, &len);
	if (!len)
		return -EINVAL;
	ch = kzalloc(struct_size(ch, tag, len + 1), GFP_KERNEL);
	if (!ch)
		return -ENOMEM;
	virtio_cread_bytes(vdev, offsetof(struct virtio_9p_config, tag),
			   ch->tag, len);
	kref_init(&ch->ref);
	spin_lock_init(&ch->lock);
	init_waitqueue_head(&ch->room);
	ch->vdev = vdev;
	vdev->priv = ch;
	ch->vq = virtio_find_single_vq(vdev, p9x_vchan_done, "requests");
	if (IS_ERR(ch->vq)) {
		int err = PTR_ERR(ch->vq);

		kfree(ch);
		return err;
	}
	virtio_device_ready(vdev);
	if (sysfs_create_file(&vdev->dev.kobj, &dev_attr_mount_tag.attr))
		dev_warn(&vdev->dev, "could not create mount_tag in sysfs\n");

	mutex_lock(&p9x_vchans_lock);
	list_add_tail(&ch->node, &p9x_vchans);
	mutex_unlock(&p9x_vchans_lock);
	return 0;
}

static void p9x_vchan_remove(struct virtio_device *vdev)
{
	struct p9x_vchan *ch = vdev->priv;
	struct p9x_req *req;

	sysfs_remove_file(&vdev->dev.kobj, &dev_attr_mount_tag.attr);
	mutex_lock(&p9x_vchans_lock);
	list_del(&ch->node);
	spin_lock_irq(&ch->lock);
	ch->gone = true;
	spin_unlock_irq(&ch->lock);
	if (ch->client)
		p9x_client_lost(ch->client);
	mutex_unlock(&p9x_vchans_lock);

	/*
	 * After the reset the device owns no buffer, but an interrupt it
	 * raised while resetting (QEMU answers what it has in hand first)
	 * may still be on its way to another CPU and run the callback now:
	 * @gone keeps that callback off the ring, so each buffer comes back
	 * here once.
	 */
	virtio_reset_device(vdev);
	for (;;) {
		spin_lock_irq(&ch->lock);
		req = virtqueue_detach_unused_buf(ch->vq);
		spin_unlock_irq(&ch->lock);
		if (!req)
			break;
		p9x_req_lost(req);
		p9x_req_put(req);
	}
	wake_up_all(&ch->room);
	vdev->config->del_vqs(vdev);
	kref_put(&ch->ref, p9x_vchan_free);
}

static const struct virtio_device_id p9x_vchan_ids[] = {
	{ VIRTIO_ID_9P, VIRTIO_DEV_ANY_ID },
	{ 0 },
};
MODULE_DEVICE_TABLE(virtio, p9x_vchan_ids);

static const unsigned int p9x_vchan_features[] = {
	VIRTIO_9P_MOUNT_TAG,
};

static struct virtio_driver p9x_virtio_driver = {
	.feature_table = p9x_vchan_features,
	.feature_table_size = ARRAY_SIZE(p9x_vchan_features),
	.driver.name = "9plx_virtio",
	.driver.owner = THIS_MODULE,
	.id_table = p9x_vchan_ids,
	.probe = p9x_vchan_probe,
	.remove = p9x_vchan_remove,
};

const struct p9x_trans_ops p9x_virtio_trans = {
	.name = "virtio",
	.owner = THIS_MODULE,
	.maxsize = P9X_VIRTIO_MAXSIZE,
	.zc = true,
	.open = p9x_vchan_open,
	.close = p9x_vchan_close,
	.request = p9x_vchan_request,
};

int p9x_virtio_init(void)
{
	return register_virtio_driver(&p9x_virtio_driver);
}

void p9x_virtio_exit(void)
{
	unregister_virtio_driver(&p9x_virtio_driver);
}
