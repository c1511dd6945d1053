// SPDX-License-Identifier: MIT
/*
 * Character devices served by the Sentry (/dev/null, zero, full, random,
 * urandom, tty) and the /dev tree built at boot.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "lib/log.h"
#include "sentry/fs/dev/dev.h"
#include "sentry/fs/host/hostfd.h"
#include "sentry/fs/tmpfs/tmpfs.h"
#include "sentry/mm/usercopy.h"

static ssize_t null_read(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	(void)f;
	(void)it;
	(void)pos;
	return 0;
}

static ssize_t sink_write(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	size_t n = it->count;

	(void)f;
	*pos += n;
	it->count = 0;
	return (ssize_t)n;
}

static ssize_t fill_read(struct iov_iter *it, uint64_t *pos, bool random)
{
	char buf[4096];
	ssize_t done = 0;

	while (it->count) {
		size_t n = MIN(it->count, sizeof(buf));
		ssize_t got;

		if (random) {
			if (getrandom(buf, n, 0) != (ssize_t)n)
				return done ? done : -EIO;
		} else {
			memset(buf, 0, n);
		}
		got = iov_iter_copy_to(it, buf, n);
		if (got < 0)
			return done ? done : got;
		done += got;
		*pos += got;
		if ((size_t)got < n)
			break;
	}
	return done;
}

static ssize_t zero_read(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	(void)f;
	return fill_read(it, pos, false);
}

static ssize_t random_read(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	(void)f;
	return fill_read(it, pos, true);
}

static ssize_t full_write(struct file *f, struct iov_iter *it, uint64_t *pos)
{
	(void)f;
	(void)it;
	(void)pos;
	return -ENOSPC;
}

static int64_t zero_llseek(struct file *f, int64_t off, int whence)
{
	(void)whence;
	(void)off;
	f->pos = 0;
	return 0;
}

static unsigned always_ready(struct file *f, struct waitq **wq)
{
	(void)f;
	*wq = NULL;
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

static const struct file_ops null_fops = {
	.read = null_read, .write = sink_write, .llseek = zero_llseek, .poll = always_ready,
};
static const struct file_ops zero_fops = {
	.read = zero_read, .write = sink_write, .llseek = zero_llseek, .poll = always_ready,
	.mmap_is_anonymous = true,
};
static const struct file_ops full_fops = {
	.read = zero_read, .write = full_write, .llseek = zero_llseek, .poll = always_ready,
};
static const struct file_ops random_fops = {
	.read = random_read, .write = sink_write, .llseek = zero_llseek, .poll = always_ready,
};

/* /dev/tty: the sandbox's controlling terminal is the host terminal on stdin, if any. */
static int tty_open(struct file *f, struct task *t)
{
	(void)t;
	return hostfd_bind_tty(f);
}

static const struct file_ops tty_fops = {
	.open = tty_open,
};

const struct file_ops *chrdev_fops(uint64_t rdev)
{
	unsigned maj = major(rdev), min = minor(rdev);

	if (maj == 1) {
		switch (min) {
		case 3:
			return &null_fops;
		case 5:
			return &zero_fops;
		case 7:
			return &full_fops;
		case 8:
		case 9:
			return &random_fops;
		}
	}
	if (maj == 5 && min == 0)
		return &tty_fops;
	return NULL;
}

int dev_populate(struct dentry *dev)
{
	static const struct {
		const char *name;
		unsigned maj, min;
		uint32_t perm;
	} nodes[] = {
		{ "null", 1, 3, 0666 }, { "zero", 1, 5, 0666 },	  { "full", 1, 7, 0666 },
		{ "random", 1, 8, 0666 }, { "urandom", 1, 9, 0666 }, { "tty", 5, 0, 0666 },
	};
	struct dentry *d;

	for (size_t i = 0; i < ARRAY_SIZE(nodes); i++) {
		int err = tmpfs_mknod_simple(dev, nodes[i].name, S_IFCHR | nodes[i].perm,
					     makedev(nodes[i].maj, nodes[i].min));

		if (err)
			return err;
	}
	d = tmpfs_mkdir_simple(dev, "shm", 01777);
	if (d)
		dput(d);
	d = tmpfs_mkdir_simple(dev, "pts", 0755);
	if (d)
		dput(d);
	dev->inode->iops->symlink(dev, "fd", "/proc/self/fd", NULL);
	dev->inode->iops->symlink(dev, "stdin", "/proc/self/fd/0", NULL);
	dev->inode->iops->symlink(dev, "stdout", "/proc/self/fd/1", NULL);
	dev->inode->iops->symlink(dev, "stderr", "/proc/self/fd/2", NULL);
	return 0;
}
