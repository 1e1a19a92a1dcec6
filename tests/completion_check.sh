#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The bash completion, sourced as bash-completion would: options (parsed
# from each tool's --help), an option's file argument, KIND values, and the
# command after the options.
# usage: completion_check.sh COMPLETION_FILE NSBOX_RUN NSBOX_EXEC NSBOX_TOUR
set -u
# shellcheck source=/dev/null
. "$1"
run=$2 exec=$3 tour=$4
fails=0
expect() { # description, expected word, words...
    local what=$1 want=$2
    shift 2
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _nsbox
    local w
    for w in "${COMPREPLY[@]}"; do
        [[ $w == "$want" ]] && { echo "ok: $what: $want"; return; }
    done
    echo "FAIL: $what: '${COMP_WORDS[*]}' completes to (${COMPREPLY[*]}), not $want"
    fails=$((fails + 1))
}
for t in nsbox-run nsbox-exec nsbox-tour; do
    complete -p "$t" | grep -q -- '-F _nsbox' || { echo "FAIL: no completion for $t"; fails=$((fails + 1)); }
done
expect "an option" --unshare-pid "$run" --unshare-p
expect "an option after others" --ro-bind "$run" --unshare-pid --ro-b
expect "a bind source is a file" /usr "$run" --ro-bind /us
expect "a bind destination is a file" /usr "$run" --ro-bind /usr /us
expect "after an option's arguments, an option" --chdir "$run" --ro-bind /usr /usr --chd
expect "the command" bash "$run" --unshare-pid bas
expect "the command's arguments are files" /etc "$run" --unshare-pid cat /et
expect "nsbox-exec options" --target "$exec" --tar
expect "nsbox-tour --only KIND" net "$tour" --only ne
# an option's argument is not taken for an option
COMP_WORDS=("$run" --hostname --unsh)
COMP_CWORD=2 COMPREPLY=()
_nsbox
if [[ ${#COMPREPLY[@]} -ne 0 ]]; then
    echo "FAIL: the NAME after --hostname completed to options: ${COMPREPLY[*]}"
    fails=$((fails + 1))
fi
exit $((fails > 0))
