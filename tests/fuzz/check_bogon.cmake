# A bogon must be rejected with diagnostics (exit 1), not crash (signal / sanitizer abort).
execute_process(COMMAND ${IDPC} validate ${INPUT} RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "idpc validate ${INPUT} exited with '${rc}', expected 1 (diagnostics)\n${err}")
endif()
if(NOT err MATCHES "error:")
  message(FATAL_ERROR "idpc validate ${INPUT} printed no diagnostic\n${err}")
endif()
