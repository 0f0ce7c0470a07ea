# Sourced by ./scripts/run (as `source setup.sh requirements.lock`) and ./scripts/test (with
# requirements-test.lock): installs what is missing, quietly when it is there. System packages
# come from Debian's apt; Python packages into .venv from the given lock file, every one pinned
# and checked against its hashes.
set -euo pipefail
LOCK_FILE=${1:?which lock file to install: requirements.lock or requirements-test.lock}
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SYSTEM_PACKAGES=(fonts-noto-cjk fonts-hanazono chromium poppler-utils redis-server)

install_system_packages() {
  local missing=()
  for package in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  ((${#missing[@]})) || return 0
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo -n"
  if command -v apt-get >/dev/null && { [[ -z $sudo ]] || $sudo true 2>/dev/null; }; then
    echo "Installing system packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Please install these system packages (Debian/Ubuntu: apt-get install ${missing[*]});"
    echo "PDFs need the CJK fonts and browser tests need chromium. Continuing without them."
  fi
}

install_python_packages() {
  local python=${PYTHON:-python3}
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Gongzhi needs Python 3.11 or newer ($python is $("$python" --version 2>&1))." >&2
    exit 1
  fi
  [[ -x .venv/bin/python ]] || "$python" -m venv .venv
  local stamp=.venv/$LOCK_FILE.sha256
  local wanted
  wanted=$(sha256sum "$LOCK_FILE" | cut -d' ' -f1)
  if [[ ! -f $stamp || $(cat "$stamp") != "$wanted" ]]; then
    echo "Installing Python packages into .venv from $LOCK_FILE"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q --require-hashes -r "$LOCK_FILE"
    echo "$wanted" >"$stamp"
  fi
}

install_system_packages
install_python_packages
export PATH="$PWD/.venv/bin:$PATH"
