// SPDX-License-Identifier: MIT
/*
 * sysinfo(2): returns 0 with consistent fields: a positive uptime that
 * matches CLOCK_BOOTTIME rounded up, positive total RAM with free, shared
 * and buffer RAM not above it, free swap not above total swap, mem_unit of
 * at least 1 and at least one process.
 */
#include <sys/sysinfo.h>
#include <time.h>

#include "harness.h"

TEST(sysinfo, consistent_fields)
{
	struct sysinfo si;

	memset(&si, 0, sizeof(si));
	EXPECT_RET(sysinfo(&si), 0);
	EXPECT_TRUE(si.uptime > 0);
	EXPECT_TRUE(si.totalram > 0);
	EXPECT_TRUE(si.freeram <= si.totalram);
	EXPECT_TRUE(si.sharedram <= si.totalram);
	EXPECT_TRUE(si.bufferram <= si.totalram);
	EXPECT_TRUE(si.freeswap <= si.totalswap);
	EXPECT_TRUE(si.freehigh <= si.totalhigh);
	EXPECT_TRUE(si.mem_unit >= 1);
	EXPECT_TRUE(si.procs >= 1);
}

TEST(sysinfo, uptime_matches_boottime)
{
	struct timespec before, after;
	struct sysinfo si;

	CHECK(clock_gettime(CLOCK_BOOTTIME, &before));
	EXPECT_RET(sysinfo(&si), 0);
	CHECK(clock_gettime(CLOCK_BOOTTIME, &after));
	EXPECT_TRUE(si.uptime >= before.tv_sec);
	EXPECT_TRUE(si.uptime <= after.tv_sec + 1);
}

TEST(sysinfo, raw_call_matches)
{
	struct sysinfo a, b;

	EXPECT_RET(syscall(SYS_sysinfo, &a), 0);
	EXPECT_RET(sysinfo(&b), 0);
	EXPECT_EQ(a.totalram, b.totalram);
	EXPECT_EQ(a.mem_unit, b.mem_unit);
	EXPECT_EQ(a.totalswap, b.totalswap);
}
