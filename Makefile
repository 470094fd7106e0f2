# The two commands a newcomer needs (README): `make run` and `make test`.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
PYTHON ?= /usr/bin/python3
DATA ?= ./coffer-data

.PHONY: run test build deps configure unit integration bench format clean

run: build
	$(BUILD_DIR)/coffer serve --data $(DATA)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)
	COFFER_BIN=$(abspath $(BUILD_DIR)/coffer) $(PYTHON) -m pytest -q -p no:cacheprovider tests/integration

deps:
	scripts/install-deps

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

unit: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

integration: build
	COFFER_BIN=$(abspath $(BUILD_DIR)/coffer) $(PYTHON) -m pytest -q -p no:cacheprovider tests/integration

bench: build
	bench/run.sh

format:
	clang-format -i $$(git ls-files 'src/*.cc' 'src/*.h' 'tests/*.cc' 'bench/*.cc')

clean:
	rm -rf $(BUILD_DIR)
