# The two commands a newcomer needs (README): `make run` and `make test`.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
PYTHON ?= /usr/bin/python3
DATA ?= ./coffer-data

.PHONY: run test build deps configure unit integration sanitize sanitize-configure tsan fuzz bench format clean

# Object files are cached by path relative to the checkout and without the build directory in
# the key, so a fresh clone (CI) reuses what any other checkout on this machine compiled (the
# debug info of a reused object names the directory of the checkout that compiled it).
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

run: build
	$(BUILD_DIR)/coffer serve --data $(DATA)

PYTEST = COFFER_BIN=$(abspath $(BUILD_DIR)/coffer) $(PYTHON) -m pytest -q -p no:cacheprovider tests/integration

# The integration suite runs three times: SQLite + local disk (the default), SQLite + S3, and
# PostgreSQL + S3 (the scale-out set-up). PostgreSQL and the S3 test server are throw-away
# instances the tests start on loopback (tests/integration/postgres_cluster.py, tests/s3).
test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)
	COFFER_TEST_DATABASE=sqlite COFFER_TEST_STORAGE=file $(PYTEST)
	COFFER_TEST_DATABASE=sqlite COFFER_TEST_STORAGE=s3 $(PYTEST)
	COFFER_TEST_DATABASE=postgres COFFER_TEST_STORAGE=s3 $(PYTEST)

deps:
	scripts/install-deps

# Front-end packages (the web UI, its build and end-to-end tools, the /docs viewer), exactly
# as locked; install scripts never run (the e2e tests use Debian's Chromium, not a download).
web/node_modules/.package-lock.json: web/package-lock.json web/package.json
	npm ci --prefix web --ignore-scripts --no-audit --no-fund --loglevel=error

# The S3-compatible server the tests run on loopback, exactly as locked.
tests/s3/node_modules/.package-lock.json: tests/s3/package-lock.json tests/s3/package.json
	npm ci --prefix tests/s3 --ignore-scripts --no-audit --no-fund --loglevel=error

# The real tus client the resumable-upload tests drive (tests/tus/upload.js), exactly as locked.
tests/tus/node_modules/.package-lock.json: tests/tus/package-lock.json tests/tus/package.json
	npm ci --prefix tests/tus --ignore-scripts --no-audit --no-fund --loglevel=error

# The AWS SDK for JavaScript the S3 API tests drive (tests/s3-sdk/roundtrip.mjs), exactly as locked.
tests/s3-sdk/node_modules/.package-lock.json: tests/s3-sdk/package-lock.json tests/s3-sdk/package.json
	npm ci --prefix tests/s3-sdk --ignore-scripts --no-audit --no-fund --loglevel=error

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja

configure: deps web/node_modules/.package-lock.json tests/s3/node_modules/.package-lock.json \
           tests/tus/node_modules/.package-lock.json tests/s3-sdk/node_modules/.package-lock.json \
           $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

unit: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

integration: build
	COFFER_TEST_DATABASE=sqlite COFFER_TEST_STORAGE=file $(PYTEST)
	COFFER_TEST_DATABASE=sqlite COFFER_TEST_STORAGE=s3 $(PYTEST)
	COFFER_TEST_DATABASE=postgres COFFER_TEST_STORAGE=s3 $(PYTEST)

# The C++ tests built with clang under AddressSanitizer and UndefinedBehaviorSanitizer, in a
# build directory of their own, then a short black-box run of the server built the same way:
# a report of either fails the test that caused it. The "function" check (calls through
# mistyped function pointers) is left out: clang 14 cannot assemble it in some translation
# units ("Cannot represent a difference across sections"). The same build carries libFuzzer's
# coverage instrumentation (fuzzer-no-link: no-op callbacks outside a fuzzer), so that the
# fuzz harnesses below link against the very objects the tests ran: one clang build, not two.
SANITIZE_DIR ?= build-sanitize
SANITIZE_FLAGS = -O1 -g -fsanitize=address,undefined,fuzzer-no-link -fno-sanitize=function \
  -fno-omit-frame-pointer -fno-sanitize-recover=all
sanitize-configure: configure
	CC=clang-14 CXX=clang++-14 cmake -S . -B $(SANITIZE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	  -DCOFFER_FUZZ=ON -DCMAKE_CXX_FLAGS="$(SANITIZE_FLAGS)" \
	  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined"

sanitize: sanitize-configure
	cmake --build $(SANITIZE_DIR) -j $(JOBS)
	cd $(SANITIZE_DIR) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)
	# A short black-box run of the sanitized server: REST files, WebDAV, tus. A report in a
	# server's log fails the run (tests/integration/conftest.py).
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 COFFER_BIN=$(abspath $(SANITIZE_DIR)/coffer) \
	  $(PYTHON) -m pytest -q -p no:cacheprovider tests/integration/test_files_api.py \
	  tests/integration/test_dav.py tests/integration/test_tus.py

# ThreadSanitizer over the C++ tests of the layers that run threads of their own: the storage
# engine (group commit, compaction), metadata (connection pools, transactions), the services
# (caches, rate limits, the job runner) and the HTTP server (I/O threads, the worker pool).
# Each test binary runs whole; a report fails it.
TSAN_DIR ?= build-tsan
TSAN_TESTS = coffer_core_tests coffer_store_tests coffer_meta_tests coffer_service_tests \
  coffer_http_tests
tsan: configure
	CC=clang-14 CXX=clang++-14 cmake -S . -B $(TSAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	  -DCMAKE_CXX_FLAGS="-O1 -g -fsanitize=thread -fno-omit-frame-pointer" \
	  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread"
	cmake --build $(TSAN_DIR) --target $(TSAN_TESTS) -j $(JOBS)
	cd $(TSAN_DIR) && for t in $(TSAN_TESTS); do \
	  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 ./$$t --gtest_brief=1 || exit 1; done

# libFuzzer harnesses for every parser that takes bytes from outside (fuzz/, docs/security.md),
# built in the sanitizer build: each is replayed over its seeds and past findings, then fuzzed
# for FUZZ_SECONDS. CI fuzzes briefly; fuzz longer by hand: make fuzz FUZZ_SECONDS=1800
FUZZ_SECONDS ?= 300
fuzz: sanitize-configure
	cmake --build $(SANITIZE_DIR) --target coffer_fuzzers -j $(JOBS)
	scripts/run-fuzzers $(SANITIZE_DIR) $(FUZZ_SECONDS)

bench: build
	cmake --build $(BUILD_DIR) --target coffer_engine_bench -j $(JOBS)
	$(BUILD_DIR)/coffer_engine_bench --benchmark_min_time=1
	bench/run.sh

format:
	clang-format -i $$(git ls-files 'src/*.cc' 'src/*.h' 'tests/*.cc' 'bench/*.cc')

clean:
	rm -rf $(BUILD_DIR)
