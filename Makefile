# The two commands of the quick start: `make run` and `make test`.
PORT ?= 8080
RELEASE := build/release
CANDOR := $(RELEASE)/src/cli/candor

.PHONY: all setup build web run test package asan tsan bench clean

all: build

setup:
	@scripts/setup

build: setup web
	@cmake --preset release >/dev/null
	@cmake --build --preset release

# The web front end (web/, TypeScript + Vite) into web/dist, which candor
# serves; rebuilt only when one of its sources changed.
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) \
	$(wildcard web/*.html) web/package-lock.json web/vite.config.ts web/tsconfig.json
web: web/dist/.built
web/dist/.built: $(WEB_SOURCES) | setup
	@cd web && npm run --silent build -- --logLevel warn
	@touch $@

run: build
	@mkdir -p var
	@$(CANDOR) serve --demo --data var --port $(PORT)

test: build
	@ctest --preset release

# The Debian package, into build/release/package/ (packaging/CMakeLists.txt).
package: build
	@cd $(RELEASE) && cpack -G DEB -B package

# The same tests under AddressSanitizer and UndefinedBehaviorSanitizer.
asan: setup
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan
	@ctest --preset asan

# The same tests under ThreadSanitizer: the store's writer, completion and
# checkpoint threads, the ledger's, the hub and the Asio pools.
tsan: setup
	@cmake --preset tsan >/dev/null
	@cmake --build --preset tsan
	@ctest --preset tsan

# HTTP and streams; bench/pii/run and bench/nlu/run measure against their npm peers.
bench: build
	@bench/http

clean:
	rm -rf build
