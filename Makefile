# kubectl spark-eci. `make help` lists the targets.

GO      ?= go
BIN     := bin/kubectl-spark_eci
PKG     := github.com/spark-eci/kubectl-spark-eci
VERSION ?= $(shell git describe --tags --match 'v*' --dirty 2>/dev/null || echo v0.1.0-dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
COMMIT_SHA ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
# The commit's time, not the build's, so that a release rebuilds byte for byte.
DATE    ?= $(shell TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u +%Y-%m-%dT%H:%M:%SZ)
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || date +%s)
LDFLAGS := -s -w \
	-X $(PKG)/pkg/version.Version=$(VERSION) \
	-X $(PKG)/pkg/version.Commit=$(COMMIT) \
	-X $(PKG)/pkg/version.Date=$(DATE)
# Where `make install` puts the plugin: a directory on PATH, so that
# `kubectl spark-eci` finds it.
BINDIR  ?= $(shell $(GO) env GOPATH)/bin

.PHONY: help build install uninstall test unit e2e release-test dist krew-manifest fuzz bench bench-large lint testbin clean

help: ## Show the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z0-9-]+:.*## / {printf "  %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## Build bin/kubectl-spark_eci
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/kubectl-spark_eci

install: build ## Install the plugin and its completion helper into BINDIR (default: GOPATH/bin)
	install -d $(BINDIR)
	install -m 0755 $(BIN) $(BINDIR)/kubectl-spark_eci
	install -m 0755 deploy/completion/kubectl_complete-spark_eci $(BINDIR)/kubectl_complete-spark_eci
	@case ":$$PATH:" in *":$(BINDIR):"*) ;; *) echo "note: $(BINDIR) is not on PATH; add it so that kubectl finds the plugin";; esac

uninstall: ## Remove the plugin and its completion helper from BINDIR
	rm -f $(BINDIR)/kubectl-spark_eci $(BINDIR)/kubectl_complete-spark_eci

test: lint unit e2e release-test ## Run every test: lint, unit tests (race detector), end-to-end, release archives

lint: ## gofmt and go vet
	@bad=$$(gofmt -l cmd pkg internal test hack); if [ -n "$$bad" ]; then echo "gofmt needed: $$bad"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags e2e ./test/...
	$(GO) vet -tags release ./test/...

unit: ## Unit tests, with the race detector
	$(GO) test -race -count=1 ./...

e2e: build testbin ## End-to-end tests against a real kube-apiserver and etcd, kube-scheduler and the operator webhook
	KUBEBUILDER_ASSETS=$$(hack/testbin.sh) $(GO) test -tags e2e -count=1 -timeout 30m ./test/e2e/...

testbin: ## Build (once, then cached) the control plane the end-to-end tests run against
	hack/testbin.sh >/dev/null

dist: ## Release archives for linux, darwin and windows on amd64 and arm64 in dist/ (goreleaser), and their krew manifest dist/spark-eci.yaml
	VERSION=$(VERSION) DATE=$(DATE) SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) LDFLAGS='$(LDFLAGS)' \
		$$(hack/testbin.sh goreleaser) release --snapshot --clean --skip=validate
	$(GO) run ./hack/krew-manifest -tag $(VERSION) -commit $(COMMIT_SHA) -dist dist -out dist/spark-eci.yaml

krew-manifest: dist ## At a release's tag: write plugins/spark-eci.yaml, the repository's krew index, for it (docs/releasing.md)
	$(GO) run ./hack/krew-manifest -release -tag $(VERSION) -commit $(COMMIT_SHA) -dist dist -out plugins/spark-eci.yaml

release-test: dist testbin ## The krew manifests against krew's rules; each archive installed with krew; the repository as a krew index
	KUBEBUILDER_ASSETS=$$(hack/testbin.sh) $(GO) test -tags release -count=1 -timeout 30m ./test/release/

fuzz: ## Fuzz the placement transform for a minute
	$(GO) test ./pkg/placement -run '^$$' -fuzz FuzzPlacement -fuzztime 60s

bench: build testbin ## Benchmarks: the transform; start-up and size against kubectl; each command against its floor on 2,001 pods
	$(GO) test -run '^$$' -bench . -benchmem ./pkg/...
	KUBEBUILDER_ASSETS=$$(hack/testbin.sh) $(GO) run ./hack/bench -plugin $(BIN)

bench-large: build testbin ## The commands against their floors on 50,000 pods and 300,000 events (the figures of docs/performance.md)
	KUBEBUILDER_ASSETS=$$(hack/testbin.sh) $(GO) run ./hack/bench -plugin $(BIN) -scale large -startup-runs 10

clean: ## Remove build output (the cached control plane stays)
	rm -rf bin dist
