# jiliang: `make run` for a demo on 127.0.0.1:8000 (`make run ADDR=127.0.0.1:8010` elsewhere), `make test` for the whole suite.
PY ?= python3
ADDR ?= 127.0.0.1:8000
VENV := .venv
BIN := $(VENV)/bin
export PYTHONDONTWRITEBYTECODE = 1

.PHONY: run test install vendor lint check schema clean demo messages

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

static/vendor/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	rm -rf static/vendor && mkdir -p static/vendor/bootstrap static/vendor/bootstrap-icons static/vendor/echarts static/vendor/htmx static/vendor/jsqr
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js static/vendor/bootstrap/
	cp -r node_modules/bootstrap-icons/font/bootstrap-icons.min.css node_modules/bootstrap-icons/font/fonts static/vendor/bootstrap-icons/
	cp node_modules/echarts/dist/echarts.min.js static/vendor/echarts/
	# Jiangsu's 13 cities (GeoJSON, Apache-2.0): shipped in ECharts 4.9's npm package, dropped from 5.x.
	cp node_modules/echarts-map-data/map/json/province/jiangsu.json static/vendor/echarts/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	# QR decoding on the scan page where the browser has no BarcodeDetector (Apache-2.0).
	cp node_modules/jsqr/dist/jsQR.js static/vendor/jsqr/
	touch $@

install: $(VENV)/.installed static/vendor/.installed

vendor: static/vendor/.installed

# A fresh clone to a running demo: install, migrate SQLite under var/, load the demo province once, then the
# web server, a task worker and the scheduler together (Ctrl-C stops all); the demo's meters keep reporting.
run: install
	$(BIN)/jiliang migrate --noinput
	$(BIN)/jiliang demo --if-empty
	$(BIN)/jiliang demo-logins
	JILIANG_DEMO_LIVE=1 $(BIN)/jiliang run-all $(ADDR)

lint: install
	$(BIN)/ruff check src tests bench

check: install
	$(BIN)/jiliang makemigrations --check --dry-run
	$(BIN)/jiliang spectacular --validate --fail-on-warn --file /dev/null

test: install lint check
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

messages: install
	cd src/jiliang && ../../$(BIN)/jiliang makemessages -l zh_Hans --no-obsolete && ../../$(BIN)/jiliang compilemessages -l zh_Hans

clean:
	rm -rf var static/vendor node_modules
