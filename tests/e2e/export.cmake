# export.cmake — end-to-end test of `idpc export` (include from tests/e2e/CMakeLists.txt): on the
# repository's fixtures (e2e.export), and on the real exports of IDPC_SHARED_DIR as a conformance
# pass (conformance.export, skipped and listed by ctest without them).
add_test(NAME e2e.export
  COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/export.sh $<TARGET_FILE:idpc> ${CMAKE_SOURCE_DIR})
add_test(NAME conformance.export
  COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/export.sh $<TARGET_FILE:idpc> ${CMAKE_SOURCE_DIR}
          --conformance ${IDPC_SHARED_DIR})
set_tests_properties(conformance.export PROPERTIES SKIP_RETURN_CODE 77 LABELS conformance)
