# Shared by bin/serve and bin/test: a virtualenv with moot installed, made once.
ensure_venv() {
  local extra="${1:-}"
  local stamp=".venv/.installed${extra:+-$extra}"
  if [ ! -x .venv/bin/python ]; then
    echo "moot: creating the virtualenv in .venv/ (first run only)"
    python3 -m venv .venv
  fi
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "moot: installing dependencies${extra:+ ($extra)}"
    .venv/bin/pip install --quiet --upgrade pip
    .venv/bin/pip install --quiet -e ".${extra:+[$extra]}"
    touch "$stamp"
  fi
}
