# Hoard build and test entry points. `make test` installs what the tests
# need (Debian packages such as the aws CLI) and runs every test.

GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   ?= $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS  := -s -w -X github.com/hoardstore/hoard/internal/version.Version=$(VERSION) \
            -X github.com/hoardstore/hoard/internal/version.Commit=$(COMMIT)
DATA     ?= ./data

.PHONY: build run test test-deps vet unit fuzz-smoke bench-smoke fmt-check clean

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/hoard ./cmd/hoard

# Run a server on a local folder ($(DATA)); credentials are generated and
# printed on first start unless HOARD_ROOT_USER/HOARD_ROOT_PASSWORD are set.
run: build
	./bin/hoard server $(DATA)

# Everything CI runs: dependencies, static checks, unit and integration
# tests, end-to-end scripts, a short fuzz pass and one run of every benchmark.
test: test-deps fmt-check vet unit fuzz-smoke bench-smoke

test-deps:
	bash scripts/test-deps.sh

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

unit:
	$(GO) test -timeout 15m ./...

fuzz-smoke:
	bash scripts/fuzz-smoke.sh

bench-smoke:
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 5m ./...

clean:
	rm -rf bin
