# Lint and format (eslint.config.js says which rules and why). `lint` is part of `make test`;
# `format-check` is not yet: the tree has not had its one mechanical Prettier pass.
# `make lint` takes about 37 s and 2 GB on a loaded 2-core machine (the type information is
# most of it); format-check about 12 s.
.PHONY: lint format-check

lint: deps ## ESLint with type information over the tree (rules for bugs: eslint.config.js)
	$(NODE) node_modules/.bin/eslint .

format-check: deps ## fail when a .ts file under operator/ e2e/ bench/ pulumi/ is not as Prettier would print it
	$(NODE) node_modules/.bin/prettier --check 'operator/**/*.ts' 'e2e/**/*.ts' 'bench/**/*.ts' 'pulumi/**/*.ts'
