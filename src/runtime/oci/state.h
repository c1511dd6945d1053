/* SPDX-License-Identifier: MIT */
/*
 * Containers' state under the runtime's --root (default /run/cvisor), one
 * directory per container:
 *   ROOT/ID/state.json  what `create` recorded (id, bundle, pid and its start
 *                       time, creation time, annotations); written atomically
 *   ROOT/ID/exec.fifo   exists from `create` until `start`: the container's
 *                       process waits on it, as in runc
 *   ROOT/ID/paused      exists while `pause` holds the sandbox's processes stopped
 * Every command on a container holds an exclusive flock on its directory,
 * so commands racing on one container run one after the other; a command
 * that waited while another deleted the container then finds no state.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define OCI_DEFAULT_STATE_ROOT "/run/cvisor"

enum oci_status { OCI_CREATING, OCI_CREATED, OCI_RUNNING, OCI_STOPPED, OCI_PAUSED };

struct oci_state {
	char *id;
	char *bundle;			/* absolute */
	char *rootfs;			/* absolute */
	char *created;			/* RFC 3339, UTC */
	pid_t pid;			/* the container's process (0: create did not finish) */
	unsigned long long pid_start;	/* its start time (/proc/PID/stat), against pid reuse */
	char *annotations_json;		/* a JSON object, "{}" when none */
	char *cgroup;			/* the container's cgroup below the roots, "" or NULL: none */
};

/* A container directory, locked: dirfd holds the flock. */
struct oci_container {
	int dirfd;
	char path[4096];
};

/* NULL if @id is a valid container id, else why not. */
const char *oci_id_problem(const char *id);

/* Create ROOT/ID (new: -EEXIST if it exists) and lock it; 0 or -errno. */
int oci_container_create(const char *root, const char *id, struct oci_container *c);
/* Lock ROOT/ID of an existing container; -ENOENT when there is none (or it was deleted meanwhile). */
int oci_container_open(const char *root, const char *id, struct oci_container *c);
/* Unlock; with @remove, delete the directory and what it holds first. */
void oci_container_close(struct oci_container *c, bool remove);

int oci_state_save(struct oci_container *c, const struct oci_state *st);
/* 0, -ENOENT when create did not get as far as saving it, or -EINVAL if it is unreadable. */
int oci_state_load(struct oci_container *c, struct oci_state *st);
void oci_state_free(struct oci_state *st);

/*
 * A new pty whose master goes to the engine over unix socket @socket_path
 * (SCM_RIGHTS, as runc's --console-socket), sized @rows x @cols unless 0;
 * returns the slave, or -1 after saying why (cmd_oci.c).
 */
int oci_console_to_socket(const char *verb, const char *socket_path, unsigned rows, unsigned cols);
/* A connection to the container's control socket (cmd_oci.c); -1 with errno set. */
int oci_control_connect(struct oci_container *c);

/* The start time of process @pid, 0 if there is none or it is a zombie. */
unsigned long long oci_pid_start_time(pid_t pid);
enum oci_status oci_status(struct oci_container *c, const struct oci_state *st);
const char *oci_status_name(enum oci_status s);
/* The state as the OCI runtime spec (and runc) print it; malloc'd. */
char *oci_state_json(const struct oci_state *st, enum oci_status s);
