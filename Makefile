# SPDX-License-Identifier: MIT
# Convenience entry points; the build itself is Meson + ninja.
BUILD ?= build
DEPS = meson ninja-build gcc python3 busybox-static pkg-config util-linux debootstrap clang libclang-rt-14-dev diod trinity libjansson-dev libseccomp-dev podman containerd docker.io

FUZZ_DEPS = trinity

.PHONY: all deps demo check clean compat-table bench fuzz fuzz-deps

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

deps:
	@missing=""; for p in $(DEPS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then apt-get update -qq && apt-get install -y -qq $$missing; fi

$(BUILD)/build.ninja:
	meson setup $(BUILD) --werror

demo: deps all
	tests/rootfs/make-busybox-root.sh $(BUILD)/demo-root >/dev/null
	$(BUILD)/cvisor do --root $(BUILD)/demo-root -- /bin/busybox echo "hello from inside cvisor"
	$(BUILD)/cvisor do --root $(BUILD)/demo-root -- /bin/busybox uname -a

check: deps all
	meson test -C $(BUILD) --num-processes 2 --print-errorlogs; status=$$?; \
	python3 tests/summary.py $(BUILD)/meson-logs/testlog.json; exit $$status

# Benchmarks: native vs cvisor (vs runsc when installed), one table; never judged in CI.
# make bench BENCH_ARGS='--pin 1 --only getppid,startup'
bench: deps all
	python3 bench/run.py --build $(BUILD) $(BENCH_ARGS)

# Long fuzzing inside the sandbox (never natively): our random-syscall fuzzer
# over FUZZ_SEEDS x FUZZ_COUNT calls (10^7 by default) on each of
# FUZZ_PLATFORMS, then Debian's trinity for FUZZ_TRINITY_COUNT calls.
# make fuzz FUZZ_SEEDS="$$(seq 1 10)" FUZZ_COUNT=20000 FUZZ_PLATFORMS="systrap ptrace"
FUZZ_SEEDS ?= $(shell seq 1 100)
FUZZ_COUNT ?= 100000
FUZZ_PLATFORMS ?= systrap
FUZZ_TRINITY_COUNT ?= 100000
FUZZ_TRINITY_CHILDREN ?= 4

fuzz-deps: deps
	@missing=""; for p in $(FUZZ_DEPS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then apt-get update -qq && apt-get install -y -qq $$missing; fi

fuzz: fuzz-deps all
	@status=0; for p in $(FUZZ_PLATFORMS); do \
		tests/fuzz/run.sh $(BUILD)/cvisor $(BUILD)/tests/fuzz/fuzz $(BUILD)/tests/fuzzroot --platform $$p \
			--seeds "$(FUZZ_SEEDS)" --count $(FUZZ_COUNT) --timeout 3600 || status=1; \
	done; \
	tests/fuzz/trinity.sh $(BUILD)/cvisor $(BUILD)/tests/trinityroot --count $(FUZZ_TRINITY_COUNT) \
		--children $(FUZZ_TRINITY_CHILDREN) || status=1; \
	exit $$status

compat-table: all
	cp $(BUILD)/compatibility.md docs/compatibility.md

clean:
	rm -rf $(BUILD)
