# The two commands of the quick start: `make run` and `make test`.
PORT ?= 8080
RELEASE := build/release
CANDOR := $(RELEASE)/src/cli/candor

.PHONY: all setup build run test asan bench clean

all: build

setup:
	@scripts/setup

build: setup
	@cmake --preset release >/dev/null
	@cmake --build --preset release

run: build
	@mkdir -p var
	@$(CANDOR) serve --demo --data var --port $(PORT)

test: build
	@ctest --preset release

# The same tests under AddressSanitizer and UndefinedBehaviorSanitizer.
asan: setup
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan
	@ctest --preset asan

# HTTP and streams; bench/pii/run and bench/nlu/run measure against their npm peers.
bench: build
	@bench/http

clean:
	rm -rf build
