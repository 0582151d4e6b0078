# The two commands of the README, and a few conveniences. CMake does the real work.
#   make plan   build idpc and plan the bundled Contoso example
#   make test   build with AddressSanitizer + UndefinedBehaviorSanitizer and run every test
# Both install missing Debian build dependencies first (scripts/deps.sh).

BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?= -DIDPC_SANITIZE=ON
IDPC = $(BUILD)/cli/idpc
EXAMPLE = policies/contoso

export ASAN_OPTIONS ?= detect_leaks=1:halt_on_error=1:abort_on_error=0
export UBSAN_OPTIONS ?= halt_on_error=1:print_stacktrace=1

.PHONY: all deps test-deps build plan test fuzz bench format format-check clean

all: build

deps:
	@scripts/deps.sh build

test-deps:
	@scripts/deps.sh test

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

plan: build
	$(IDPC) plan $(EXAMPLE) --tenant file:policies/contoso-tenant.json

test: test-deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)
	ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

# libFuzzer targets (clang); FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 60
fuzz:
	@scripts/deps.sh ci
	CC=clang cmake -S . -B build-fuzz -DIDPC_FUZZ=ON -DIDPC_SANITIZE=ON -DIDPC_TESTS=OFF
	cmake --build build-fuzz -j$(JOBS) --target fuzz_parse fuzz_rule
	scripts/run-fuzz.sh build-fuzz $(FUZZ_SECONDS)

# Plan benchmark on generated large tenants (tests/bench; results in docs/performance.md).
# An optimised build without sanitizers, so that the numbers mean something.
bench:
	cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DIDPC_TESTS=OFF
	cmake --build build-bench -j$(JOBS) --target idpc
	tests/bench/bench.sh build-bench/cli/idpc

FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)

format-check:
	@clang-format --dry-run -Werror $(FORMAT_FILES) && echo "formatting: ok"

clean:
	rm -rf $(BUILD) build-fuzz
