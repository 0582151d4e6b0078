# The two commands of the README, and a few conveniences. CMake does the real work.
#   make plan   build an optimised idpc (build-release/) and plan the bundled Contoso example;
#               needs only the build dependencies
#   make test   build with AddressSanitizer + UndefinedBehaviorSanitizer (build/) and run every test
# Both install missing Debian dependencies first (scripts/deps.sh build|test).
#   make install [PREFIX=/usr/local] [DESTDIR=...]   binary, man pages, shell completions
#   make deb                                         a Debian package (CPack) in build-release/

BUILD ?= build
RELEASE ?= build-release
JOBS ?= 2
CMAKE_FLAGS ?= -DIDPC_SANITIZE=ON
RELEASE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release -DIDPC_TESTS=OFF
PREFIX ?= /usr/local
IDPC = $(RELEASE)/cli/idpc
EXAMPLE = policies/contoso

export ASAN_OPTIONS ?= detect_leaks=1:halt_on_error=1:abort_on_error=0
export UBSAN_OPTIONS ?= halt_on_error=1:print_stacktrace=1

.PHONY: all deps test-deps package-deps build release plan test \
	install deb fuzz bench format format-check clean vsix bench-lsp

all: release

deps:
	@scripts/deps.sh build

test-deps:
	@scripts/deps.sh test

package-deps:
	@scripts/deps.sh package

# A build folder counts as configured only when CMake finished generating it (its Makefile
# exists). A configure that fails removes its half-written cache, so the next run starts clean
# instead of skipping the configure step.
CONFIGURE = cmake -S . -B $(1) $(2) || { rm -f $(1)/CMakeCache.txt $(1)/Makefile; exit 1; }

$(BUILD)/Makefile:
	@$(call CONFIGURE,$(BUILD),$(CMAKE_FLAGS))

$(RELEASE)/Makefile:
	@$(call CONFIGURE,$(RELEASE),$(RELEASE_FLAGS) -DCMAKE_INSTALL_PREFIX=$(PREFIX))

# The optimised binary without sanitizers: what `make plan`, `make install` and `make deb` use.
release: deps $(RELEASE)/Makefile
	cmake --build $(RELEASE) -j$(JOBS)

# The sanitizer build the test suite runs.
build: test-deps $(BUILD)/Makefile
	cmake --build $(BUILD) -j$(JOBS)

plan: release
	$(IDPC) plan $(EXAMPLE) --tenant file:policies/contoso-tenant.json

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

# Man pages are generated from the binary's --help (help2man), so `install` needs the
# package profile's tools too.
install: package-deps release
	cmake --build $(RELEASE) -j$(JOBS) --target idpc_docs
	DESTDIR=$(DESTDIR) cmake --install $(RELEASE) --prefix $(PREFIX)

deb: package-deps release
	cmake --build $(RELEASE) -j$(JOBS) --target idpc_docs
	cd $(RELEASE) && cpack -G DEB

# libFuzzer targets (clang); FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 60
fuzz:
	@scripts/deps.sh ci
	CC=clang cmake -S . -B build-fuzz -DIDPC_FUZZ=ON -DIDPC_SANITIZE=ON -DIDPC_TESTS=OFF
	cmake --build build-fuzz -j$(JOBS) --target fuzz_parse fuzz_check fuzz_rule fuzz_snapshot fuzz_plan fuzz_lsp
	scripts/run-fuzz.sh build-fuzz $(FUZZ_SECONDS)

# The benchmark (tests/bench/bench.py: validate, plan and coverage against jq and jansson on
# generated inputs; results in docs/performance.md). Takes about 15 minutes on 2 cores.
# An optimised build without sanitizers, so that the numbers mean something.
bench:
	cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DIDPC_TESTS=OFF
	cmake --build build-bench -j$(JOBS) --target idpc
	tests/bench/bench.sh build-bench/cli/idpc

# The VS Code extension (editors/vscode): grammar tests, then editors/vscode/idpc.vsix.
vsix:
	scripts/vsix.sh

# Keystroke latency of idpc lsp on the same generated configuration (tests/bench/lsp_bench.py).
bench-lsp:
	cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DIDPC_TESTS=OFF
	cmake --build build-bench -j$(JOBS) --target idpc
	tests/bench/lsp_bench.py build-bench/cli/idpc

FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)

format-check:
	@clang-format --dry-run -Werror $(FORMAT_FILES) && echo "formatting: ok"

clean:
	rm -rf $(BUILD) $(RELEASE) build-fuzz build-bench
