// SPDX-License-Identifier: MIT
/*
 * config.json parsing (src/runtime/oci/spec.c): the default spec reads back
 * with the values it was written with; every kind of bad input gives an
 * error that names the property and the problem; unknown properties are
 * ignored as the runtime spec requires.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sched.h>
#include "runtime/oci/spec.h"

static int failures, checks;

#define CHECK(cond)                                                             \
	do {                                                                    \
		checks++;                                                       \
		if (!(cond)) {                                                  \
			fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond); \
			failures++;                                             \
		}                                                               \
	} while (0)

static struct oci_spec *parse_ok(const char *json)
{
	struct oci_spec *s = NULL;
	struct oci_error err = { "" };

	if (oci_spec_parse(json, strlen(json), "config.json", &s, &err)) {
		fprintf(stderr, "unexpected error: %s\n  for: %s\n", err.msg, json);
		failures++;
		return NULL;
	}
	checks++;
	return s;
}

/* @json must fail with a message holding @want. */
static void expect_error(int line, const char *json, const char *want)
{
	struct oci_spec *s = NULL;
	struct oci_error err = { "" };

	checks++;
	if (!oci_spec_parse(json, strlen(json), "config.json", &s, &err)) {
		fprintf(stderr, "line %d: FAIL: accepted, expected an error with '%s'\n", line, want);
		oci_spec_free(s);
		failures++;
	} else if (!strstr(err.msg, want)) {
		fprintf(stderr, "line %d: FAIL: error '%s' does not say '%s'\n", line, err.msg, want);
		failures++;
	}
}
#define EXPECT_ERROR(json, want) expect_error(__LINE__, json, want)

#define ROOT "\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}"
#define USER "\"user\": {\"uid\": 0, \"gid\": 0}"
#define PROC(extra) "{" ROOT ", \"process\": {" USER ", \"args\": [\"sh\"], \"cwd\": \"/\"" extra "}}"

static void test_default(void)
{
	char *json = oci_spec_default();
	struct oci_spec *s;

	CHECK(json != NULL);
	s = parse_ok(json);
	if (s) {
		CHECK(strcmp(s->oci_version, "1.0.2-dev") == 0);
		CHECK(strcmp(s->root_path, "rootfs") == 0 && s->root_readonly);
		CHECK(s->has_process && s->process.terminal);
		CHECK(strcmp(s->process.args[0], "sh") == 0 && !s->process.args[1]);
		CHECK(strncmp(s->process.env[0], "PATH=", 5) == 0);
		CHECK(s->process.caps[OCI_CAP_BOUNDING] == ((1ULL << 29) | (1ULL << 5) | (1ULL << 10)));
		CHECK(s->process.caps[OCI_CAP_INHERITABLE] == 0);
		CHECK(s->process.nrlimits == 1 && s->process.rlimits[0].resource == RLIMIT_NOFILE &&
		      s->process.rlimits[0].soft == 1024 && s->process.rlimits[0].hard == 1024);
		CHECK(s->process.no_new_privileges);
		CHECK(s->nmounts == 7 && strcmp(s->mounts[2].destination, "/dev/pts") == 0 &&
		      strcmp(s->mounts[2].type, "devpts") == 0 && strcmp(s->mounts[2].options[5], "gid=5") == 0);
		CHECK(s->nnamespaces == 6 && s->namespaces[0].type == CLONE_NEWPID && !s->namespaces[0].path);
		CHECK(s->masked_paths && strcmp(s->masked_paths[0], "/proc/acpi") == 0);
		CHECK(s->readonly_paths && strcmp(s->readonly_paths[3], "/proc/sys") == 0);
		CHECK(s->resources.memory_limit == -1 && s->resources.pids_limit == -1);
		CHECK(!s->seccomp);
	}
	oci_spec_free(s);
	/* a truncated file, at every tenth of it */
	for (size_t cut = 1; cut < 10; cut++) {
		struct oci_error err;
		struct oci_spec *t = NULL;

		checks++;
		if (!oci_spec_parse(json, strlen(json) * cut / 10, "config.json", &t, &err)) {
			fprintf(stderr, "FAIL: truncated at %zu/10 accepted\n", cut);
			oci_spec_free(t);
			failures++;
		} else if (!strstr(err.msg, "config.json: not valid JSON at line")) {
			fprintf(stderr, "FAIL: truncated: '%s'\n", err.msg);
			failures++;
		}
	}
	free(json);
}

static void test_full(void)
{
	struct oci_spec *s = parse_ok("{" ROOT ", \"unknownTopLevel\": {\"x\": 1},"
		"\"hostname\": \"box\","
		"\"process\": {\"user\": {\"uid\": 1000, \"gid\": 100, \"umask\": 18, \"additionalGids\": [5, 6]},"
		"  \"args\": [\"/bin/echo\", \"hi\"], \"env\": [\"A=1\", \"B=\"], \"cwd\": \"/work\","
		"  \"capabilities\": {\"effective\": [\"CAP_SYS_ADMIN\", \"CAP_NOT_A_CAP\"]},"
		"  \"rlimits\": [{\"type\": \"RLIMIT_NPROC\", \"soft\": 10, \"hard\": 20}], \"oomScoreAdj\": -5},"
		"\"mounts\": [{\"destination\": \"/data\", \"source\": \"/srv\", \"options\": [\"rbind\", \"ro\"]}],"
		"\"annotations\": {\"io.kubernetes.cri.container-type\": \"sandbox\"},"
		"\"hooks\": {\"poststop\": [{\"path\": \"/bin/true\", \"args\": [\"true\"], \"timeout\": 5}]},"
		"\"linux\": {\"namespaces\": [{\"type\": \"network\", \"path\": \"/var/run/netns/x\"}],"
		"  \"resources\": {\"memory\": {\"limit\": 67108864}, \"pids\": {\"limit\": 32},"
		"                \"cpu\": {\"quota\": 50000, \"period\": 100000}},"
		"  \"cgroupsPath\": \"/cvisor/x\","
		"  \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,"
		"    \"syscalls\": [{\"names\": [\"getpid\", \"getppid\"], \"action\": \"SCMP_ACT_ALLOW\"},"
		"                 {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\","
		"                  \"args\": [{\"index\": 0, \"value\": 4294967295, \"op\": \"SCMP_CMP_EQ\"}]}]}}}");

	if (!s)
		return;
	CHECK(strcmp(s->hostname, "box") == 0);
	CHECK(s->process.uid == 1000 && s->process.gid == 100 && s->process.has_umask && s->process.umask == 022);
	CHECK(s->process.nadditional_gids == 2 && s->process.additional_gids[1] == 6);
	CHECK(strcmp(s->process.args[1], "hi") == 0 && strcmp(s->process.env[1], "B=") == 0);
	CHECK(s->process.caps[OCI_CAP_EFFECTIVE] == 1ULL << 21);
	CHECK(s->process.rlimits[0].resource == RLIMIT_NPROC && s->process.rlimits[0].hard == 20);
	CHECK(s->process.has_oom_score_adj && s->process.oom_score_adj == -5);
	CHECK(s->nmounts == 1 && !s->mounts[0].type && strcmp(s->mounts[0].options[1], "ro") == 0);
	CHECK(s->nannotations == 1 && strcmp(s->annotation_values[0], "sandbox") == 0);
	CHECK(s->nhooks[OCI_HOOK_POSTSTOP] == 1 && s->hooks[OCI_HOOK_POSTSTOP][0].timeout_s == 5);
	CHECK(s->nhooks[OCI_HOOK_PRESTART] == 0);
	CHECK(s->nnamespaces == 1 && s->namespaces[0].type == CLONE_NEWNET &&
	      strcmp(s->namespaces[0].path, "/var/run/netns/x") == 0);
	CHECK(s->resources.memory_limit == 67108864 && s->resources.pids_limit == 32);
	CHECK(s->resources.cpu_quota == 50000 && s->resources.cpu_period == 100000);
	CHECK(s->seccomp && s->seccomp->default_action == OCI_SCMP_ERRNO && s->seccomp->default_errno_ret == 38);
	CHECK(s->seccomp && s->seccomp->nrules == 2 && strcmp(s->seccomp->rules[0].names[1], "getppid") == 0);
	CHECK(s->seccomp && s->seccomp->rules[1].nargs == 1 && s->seccomp->rules[1].args[0].value == 4294967295u &&
	      s->seccomp->rules[1].args[0].op == OCI_OP_EQ);
	oci_spec_free(s);
}

static void test_errors(void)
{
	EXPECT_ERROR("", "not valid JSON");
	EXPECT_ERROR("{", "not valid JSON at line 1");
	EXPECT_ERROR("[1, 2]", "the top level is not a JSON object");
	EXPECT_ERROR("{\"root\": {\"path\": \"r\"}}", "ociVersion: missing (required)");
	EXPECT_ERROR("{\"ociVersion\": \"2.0.0\", \"root\": {\"path\": \"r\"}}", "ociVersion: '2.0.0' is not a 1.x");
	EXPECT_ERROR("{\"ociVersion\": 1}", "ociVersion: expected a string");
	EXPECT_ERROR("{\"ociVersion\": \"1.0.2\"}", "root: missing (required)");
	EXPECT_ERROR("{\"ociVersion\": \"1.0.2\", \"root\": {}}", "root.path: missing (required)");
	EXPECT_ERROR("{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"r\", \"readonly\": \"yes\"}}",
		     "root.readonly: expected true or false");
	EXPECT_ERROR("{" ROOT ", \"ociVersion\": \"1.0.0\"}", "duplicate object key");
	EXPECT_ERROR("{" ROOT ", \"process\": {" USER ", \"args\": 5, \"cwd\": \"/\"}}",
		     "process.args: expected an array of strings");
	EXPECT_ERROR("{" ROOT ", \"process\": {" USER ", \"args\": [\"sh\", 7], \"cwd\": \"/\"}}",
		     "process.args[1]: expected a string");
	EXPECT_ERROR("{" ROOT ", \"process\": {" USER ", \"args\": [], \"cwd\": \"/\"}}", "process.args: empty");
	EXPECT_ERROR("{" ROOT ", \"process\": {" USER ", \"args\": [\"sh\"]}}", "process.cwd: missing (required)");
	EXPECT_ERROR(PROC(", \"cwd\": \"rel\""), "duplicate object key");
	EXPECT_ERROR("{" ROOT ", \"process\": {" USER ", \"args\": [\"sh\"], \"cwd\": \"rel\"}}",
		     "process.cwd: 'rel' is not an absolute path");
	EXPECT_ERROR("{" ROOT ", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"}}", "process.user: missing");
	EXPECT_ERROR("{" ROOT ", \"process\": {\"user\": {\"uid\": -1, \"gid\": 0}, \"args\": [\"sh\"], \"cwd\": \"/\"}}",
		     "process.user.uid: -1 is out of range");
	EXPECT_ERROR(PROC(", \"env\": [\"NOEQUALS\"]"), "process.env[0]: 'NOEQUALS' is not NAME=VALUE");
	EXPECT_ERROR(PROC(", \"rlimits\": [{\"type\": \"RLIMIT_BOGUS\", \"soft\": 1, \"hard\": 1}]"),
		     "process.rlimits[0]: unknown rlimit type 'RLIMIT_BOGUS'");
	EXPECT_ERROR(PROC(", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 2, \"hard\": 1}]"),
		     "process.rlimits[0]: soft limit 2 above hard limit 1");
	EXPECT_ERROR(PROC(", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1}]"),
		     "process.rlimits[0].soft: missing (required)");
	EXPECT_ERROR("{" ROOT ", \"mounts\": [{\"destination\": \"data\"}]}",
		     "mounts[0]: destination 'data' is not an absolute path");
	EXPECT_ERROR("{" ROOT ", \"mounts\": [{\"type\": \"tmpfs\"}]}", "mounts[0].destination: missing (required)");
	EXPECT_ERROR("{" ROOT ", \"mounts\": {}}", "mounts: expected an array");
	EXPECT_ERROR("{" ROOT ", \"linux\": {\"namespaces\": [{\"type\": \"bogus\"}]}}",
		     "linux.namespaces[0]: unknown namespace type 'bogus'");
	EXPECT_ERROR("{" ROOT ", \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"pid\"}]}}",
		     "linux.namespaces[1]: namespace 'pid' given twice");
	EXPECT_ERROR("{" ROOT ", \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_NOPE\"}}}",
		     "linux.seccomp.defaultAction: unknown seccomp action 'SCMP_ACT_NOPE'");
	EXPECT_ERROR("{" ROOT ", \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\":"
		     " [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 9, \"value\": 1,"
		     " \"op\": \"SCMP_CMP_EQ\"}]}]}}}",
		     "linux.seccomp.syscalls[0].args[0].index: 9 is out of range");
	EXPECT_ERROR("{" ROOT ", \"linux\": {\"resources\": {\"memory\": {\"limit\": \"1G\"}}}}",
		     "linux.resources.memory.limit: expected an integer");
	EXPECT_ERROR("{" ROOT ", \"hooks\": {\"prestart\": [{\"path\": \"true\"}]}}",
		     "hooks.prestart[0]: path 'true' is not absolute");
	EXPECT_ERROR("{" ROOT ", \"hooks\": {\"poststart\": [{\"path\": \"/bin/true\", \"timeout\": 0}]}}",
		     "hooks.poststart[0]: timeout must be greater than zero");
	EXPECT_ERROR("{" ROOT ", \"annotations\": {\"a\": 1}}", "annotations.a: expected a string");
	EXPECT_ERROR("{" ROOT ", \"process\": {" USER ", \"args\": [\"a\\u0000b\"], \"cwd\": \"/\"}}",
		     "\\u0000 is not allowed");
}

static void test_load(void)
{
	struct oci_spec *s = NULL;
	struct oci_error err;

	CHECK(oci_spec_load("/nonexistent/config.json", &s, &err) == -1);
	CHECK(strstr(err.msg, "/nonexistent/config.json: cannot open: No such file or directory") != NULL);
	CHECK(oci_namespace_type("mount") == CLONE_NEWNS && oci_namespace_type("nope") == 0);
	CHECK(oci_capability("CAP_CHECKPOINT_RESTORE") == 40 && oci_capability("CHOWN") == -1);
}

int main(void)
{
	test_default();
	test_full();
	test_errors();
	test_load();
	printf("%d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
