/* SPDX-License-Identifier: MIT */
/* Assorted guest structs: utsname, sysinfo, rusage, tms, rlimit, pollfd. */
#pragma once
#include <stdint.h>
#include "abi/linux/types.h"

/* fallocate(2) modes (linux/falloc.h). */
#define LINUX_FALLOC_FL_KEEP_SIZE	0x01
#define LINUX_FALLOC_FL_PUNCH_HOLE	0x02
#define LINUX_FALLOC_FL_NO_HIDE_STALE	0x04
#define LINUX_FALLOC_FL_COLLAPSE_RANGE	0x08
#define LINUX_FALLOC_FL_ZERO_RANGE	0x10
#define LINUX_FALLOC_FL_INSERT_RANGE	0x20
#define LINUX_FALLOC_FL_UNSHARE_RANGE	0x40

struct linux_utsname {
	char sysname[65];
	char nodename[65];
	char release[65];
	char version[65];
	char machine[65];
	char domainname[65];
};
_Static_assert(sizeof(struct linux_utsname) == 390, "utsname");

struct linux_sysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram;
	uint64_t freeram;
	uint64_t sharedram;
	uint64_t bufferram;
	uint64_t totalswap;
	uint64_t freeswap;
	uint16_t procs;
	uint16_t pad;
	uint32_t pad2;
	uint64_t totalhigh;
	uint64_t freehigh;
	uint32_t mem_unit;
	char _f[4];
};
_Static_assert(sizeof(struct linux_sysinfo) == 112, "sysinfo");

struct linux_rusage {
	struct linux_timeval ru_utime;
	struct linux_timeval ru_stime;
	int64_t fields[14];
};
_Static_assert(sizeof(struct linux_rusage) == 144, "rusage");

struct linux_tms {
	int64_t tms_utime, tms_stime, tms_cutime, tms_cstime;
};

struct linux_rlimit {
	uint64_t rlim_cur;
	uint64_t rlim_max;
};

struct linux_pollfd {
	int32_t fd;
	int16_t events;
	int16_t revents;
};
_Static_assert(sizeof(struct linux_pollfd) == 8, "pollfd");

/* The kernel's struct termios (glibc's own is larger: never copy that one to a guest). */
struct linux_termios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[19];
};
_Static_assert(sizeof(struct linux_termios) == 36, "kernel struct termios");

/* struct termios2 (TCGETS2/TCSETS2): the same plus the speeds. */
struct linux_termios2 {
	struct linux_termios t;
	uint32_t c_ispeed, c_ospeed;
};
_Static_assert(sizeof(struct linux_termios2) == 44, "kernel struct termios2");

struct linux_winsize {
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};
