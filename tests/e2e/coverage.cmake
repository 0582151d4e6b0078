# coverage.cmake — end-to-end tests of `idpc coverage` and `idpc test` (include from
# tests/e2e/CMakeLists.txt).
#   e2e.coverage_html  the HTML page rendered in headless Chromium (skipped, 77, without it)
#   e2e.test_contoso   idpc test on policies/contoso, on broken copies, and against a file tenant
add_test(NAME e2e.coverage_html
  COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/coverage_html.sh $<TARGET_FILE:idpc> ${CMAKE_SOURCE_DIR})
set_tests_properties(e2e.coverage_html PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
add_test(NAME e2e.test_contoso
  COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/test_contoso.sh $<TARGET_FILE:idpc> ${CMAKE_SOURCE_DIR})
set_tests_properties(e2e.test_contoso PROPERTIES TIMEOUT 300)
