# The benchmark (docs/benchmarks.md): the operator converging generated agencies on the local
# platform, against `kubectl apply --server-side` of the same rendered objects; API requests
# from the API servers' own metrics, steady-state writes, drift repair, peak RSS. It reports
# numbers and whether targets are met; it fails when it could not measure, or when an API server
# answered an error (other than 404, 409, 429 and the clusters' own side effects). Not part of
# `make test`. BENCH_AGENCIES=1000 make bench for the large run; other knobs in bench/config.ts.
.PHONY: bench bench-plan bench-clean bench-typecheck

bench: build cluster-up ## benchmark the operator on the local platform (BENCH_AGENCIES, default 200); results in .local/bench/
	$(NODE) bench/run.ts

bench-plan: deps ## generate and render the bench agencies, then time validate, plan, plan --base and connectivity on them; no cluster (BENCH_AGENCIES)
	$(NODE) bench/run.ts --plan

bench-clean: deps ## remove what an interrupted bench left on the local platform (agencies, namespaces)
	$(NODE) bench/run.ts --clean

bench-typecheck: deps ## type-check bench/ (tsc --noEmit)
	tsc --noEmit -p bench/tsconfig.json
