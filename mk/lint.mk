# Lint and format (eslint.config.js says which rules and why; .prettierrc.json the format).
# Both are part of `make test`; `make format` rewrites the files as Prettier prints them.
# `make lint` takes about 37 s and 2 GB on a loaded 2-core machine (the type information is
# most of it); format-check about 12 s.
.PHONY: lint format format-check
PRETTIER_FILES := 'operator/**/*.ts' 'e2e/**/*.ts' 'bench/**/*.ts' 'pulumi/**/*.ts'

lint: deps ## ESLint with type information over the tree (rules for bugs: eslint.config.js)
	$(NODE) node_modules/.bin/eslint .

format-check: deps ## fail when a .ts file under operator/ e2e/ bench/ pulumi/ is not as Prettier would print it
	$(NODE) node_modules/.bin/prettier --check --log-level warn $(PRETTIER_FILES)

format: deps ## rewrite the .ts files under operator/ e2e/ bench/ pulumi/ as Prettier prints them
	$(NODE) node_modules/.bin/prettier --write --log-level warn $(PRETTIER_FILES)
