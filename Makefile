# SPDX-License-Identifier: MIT
# Convenience entry points; the build itself is Meson + ninja.
BUILD ?= build
DEPS = meson ninja-build gcc python3 busybox-static pkg-config util-linux debootstrap

.PHONY: all deps demo check clean compat-table bench

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

compat-table: all
	cp $(BUILD)/compatibility.md docs/compatibility.md

clean:
	rm -rf $(BUILD)
