#!/usr/bin/env bash
# Checks the library's layering from its sources (src/README.md draws the layers): every file
# of src/<layer>/ and include/movierec/<layer>/ includes only headers of the layers <layer> may
# use, and a header without a layer ("name.hpp") only from its own folder. Also: every source
# sits in a layer folder, and every layer folder says what it owns in a README.md.
#
#   check_layers.sh SOURCE_ROOT
set -euo pipefail
root=${1:?usage: check_layers.sh SOURCE_ROOT}
cd "$root"

# What each layer may include (itself and the layers below it).
declare -A ALLOWED=(
  [io]="io"
  [data]="io data"
  [train]="io data train"
  [session]="io data train session"
  [store]="io store"
  [frontends]="io data train session store frontends"
  [measure]="io data train session measure"
)
problems=0
fail() { printf 'check_layers: %s\n' "$*" >&2; problems=$((problems + 1)); }

for layer in "${!ALLOWED[@]}"; do
  [[ -d src/$layer ]] || continue
  [[ -f src/$layer/README.md ]] || fail "src/$layer/README.md is missing: say what the layer owns and may use"
done
while IFS= read -r file; do
  fail "$file is not in a layer folder (src/<layer>/)"
done < <(find src -maxdepth 1 -type f \( -name '*.cpp' -o -name '*.hpp' \))

# Only the include lines are read (grep -n), and split with the shell's own expansions: reading
# every line of every file in a shell loop took 12 s.
while IFS= read -r file; do
  layer=${file#include/movierec/}
  layer=${layer#src/}
  layer=${layer%%/*}
  allowed=${ALLOWED[$layer]:-}
  if [[ -z $allowed ]]; then
    fail "$file: '$layer' is not a layer (${!ALLOWED[*]})"
    continue
  fi
  folder=${file%/*}
  while IFS=: read -r line_number line; do
    [[ $line =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\"([^\"]+)\" ]] || continue
    target=${BASH_REMATCH[1]}
    if [[ $target == movierec/*/* ]]; then
      used=${target#movierec/}
      used=${used%%/*}
      [[ " $allowed " == *" $used "* ]] ||
        fail "$file:$line_number: includes $target, but the $layer layer may only use: $allowed"
      [[ -f include/$target ]] || fail "$file:$line_number: $target does not exist"
    elif [[ $target == */* ]]; then
      fail "$file:$line_number: includes \"$target\": use \"movierec/<layer>/name.hpp\" or a header of this folder"
    else
      [[ -f $folder/$target ]] ||
        fail "$file:$line_number: includes \"$target\", which is not in $folder/ (a private header stays in its layer's folder)"
    fi
  done < <(grep -nE '^[[:space:]]*#[[:space:]]*include' "$file" || true)
done < <(find src include/movierec -type f \( -name '*.cpp' -o -name '*.hpp' \) | sort)

if ((problems > 0)); then
  printf 'check_layers: %d problem(s); a layer includes only the layers below it (src/README.md)\n' "$problems" >&2
  exit 1
fi
echo "check_layers: every include points down"
