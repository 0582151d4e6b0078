# cli.cmake — the command-line contract of docs/cli.md (tests/e2e/cli.sh), one test per part:
# exit codes, output checks on /dev/full, option spellings and help pages, colour, GitHub
# annotations, fmt on standard input, the empty snapshot, several environments.
foreach(s exit_codes dev_full options color github fmt_stdin empty environments)
  add_test(NAME e2e.cli.${s}
    COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/cli.sh $<TARGET_FILE:idpc> ${CMAKE_SOURCE_DIR} ${s})
  set_tests_properties(e2e.cli.${s} PROPERTIES TIMEOUT 600)
endforeach()
