# export.cmake — end-to-end test of `idpc export` (include from tests/e2e/CMakeLists.txt).
add_test(NAME e2e.export
  COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/export.sh $<TARGET_FILE:idpc> ${CMAKE_SOURCE_DIR}
          ${IDPC_SHARED_DIR})
set_tests_properties(e2e.export PROPERTIES ENVIRONMENT "IDPC_SHARED_DIR=${IDPC_SHARED_DIR}")
