# The two commands a newcomer needs (README): `make run` and `make test`.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
PYTHON ?= /usr/bin/python3
DATA ?= ./coffer-data

.PHONY: run test build deps configure unit integration bench format clean

run: build
	$(BUILD_DIR)/coffer serve --data $(DATA)

PYTEST = COFFER_BIN=$(abspath $(BUILD_DIR)/coffer) $(PYTHON) -m pytest -q -p no:cacheprovider tests/integration

# The integration suite runs on both metadata engines; on PostgreSQL it starts a throw-away
# cluster of its own (tests/integration/postgres_cluster.py).
test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)
	COFFER_TEST_DATABASE=sqlite $(PYTEST)
	COFFER_TEST_DATABASE=postgres $(PYTEST)

deps:
	scripts/install-deps

# Front-end packages (the /docs viewer), exactly as locked; install scripts never run.
web/node_modules/.package-lock.json: web/package-lock.json web/package.json
	npm ci --prefix web --ignore-scripts --no-audit --no-fund --loglevel=error

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja

configure: deps web/node_modules/.package-lock.json $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

unit: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

integration: build
	COFFER_TEST_DATABASE=sqlite $(PYTEST)
	COFFER_TEST_DATABASE=postgres $(PYTEST)

bench: build
	cmake --build $(BUILD_DIR) --target coffer_engine_bench -j $(JOBS)
	$(BUILD_DIR)/coffer_engine_bench --benchmark_min_time=1
	bench/run.sh

format:
	clang-format -i $$(git ls-files 'src/*.cc' 'src/*.h' 'tests/*.cc' 'bench/*.cc')

clean:
	rm -rf $(BUILD_DIR)
