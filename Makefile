# iopool: the commands a person runs are the commands CI runs (.ci/run calls these targets).
CARGO ?= cargo

.DEFAULT_GOAL := help
.PHONY: miri help build test lint fmt doc bench bench-build compare results results-http replicated wakeup plot crosscheck clean ci

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

build: ## Build everything (release)
	$(CARGO) build --workspace --release

test: ## Run every test in the workspace (unit, integration, conformance kit, doctests)
	@# A `harness = false` test binary (it runs through pool-core's conformance::runner)
	@# never runs a #[test] fn: refuse one rather than skip it silently.
	@! grep -l 'conformance::runner::' */tests/*.rs | xargs -r grep -n '#\[test\]' || \
		{ echo 'a #[test] in a harness = false test file never runs: list it in main()' >&2; exit 1; }
	$(CARGO) test --workspace

lint: ## rustfmt check and clippy with warnings as errors
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

fmt: ## Format the code
	$(CARGO) fmt --all

doc: ## Build the API docs; warnings are errors
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --workspace --no-deps --all-features

miri: ## Run the unit tests of the unsafe parts (pool-exec, uring-core's ring memory) under Miri (nightly toolchain)
	rustup component list --toolchain nightly --installed | grep -q '^miri' || rustup component add --toolchain nightly miri
	$(CARGO) +nightly miri test -p pool-exec --lib
	$(CARGO) +nightly miri test -p uring-core --lib

bench-build: ## Compile the criterion benchmarks without running them
	$(CARGO) bench --workspace --no-run

bench: ## Run the criterion micro-benchmarks
	$(CARGO) bench --workspace

compare: ## The main job: every backend side by side on a loopback echo load
	$(CARGO) run --release -p harness -- --backend all --conns 1000 --duration 5

results: ## Run the published matrix into bench-results/<date>-<host>/ (~15 min; QUICK=1: ~2 min smoke run)
	$(CARGO) run --release -p harness -- matrix $(if $(QUICK),--quick,)

results-http: ## The matrix on the HTTP workload (hyper on the pools; the references answer only GET /plaintext) into bench-results/<date>-<host>-http/ (QUICK=1: smoke run)
	$(CARGO) run --release -p harness -- matrix --workload http $(if $(QUICK),--quick,)

replicated: ## The rerun at one commit: matrix, wake-up, placement, skew, each twice and cross-checked, plus uring at 10k conns (~62 min; PREFIX=name)
	PREFIX=$(PREFIX) bench-results/rerun.sh

wakeup: ## The wake-up comparison: park policies against tokio-mt, isolated profile, spinning client (~5 min)
	$(CARGO) run --release -p harness -- matrix --profiles isolated --conns-list 1,100 --open-levels 10 \
		--park immediate,spin:50us,never --client-spin --name $(or $(NAME),wakeup-latest)

plot: ## Redraw SVG plots from result files: make plot FILES="bench-results/<run>/runs" OUT=dir
	$(CARGO) run --release -p harness -- plot $(FILES) --out $(or $(OUT),plots)

crosscheck: ## harness load beside wrk (HTTP) and sockperf (framed TCP) on every server; installs them if missing (OUT=dir)
	@for t in wrk sockperf jq; do command -v $$t >/dev/null || { apt-get update -qq && apt-get install -y wrk sockperf jq; break; }; done
	$(CARGO) build --release -p harness
	bash scripts/crosscheck.sh $(OUT)

clean: ## Remove build outputs
	$(CARGO) clean

ci: lint test doc bench-build ## What .ci/run runs
