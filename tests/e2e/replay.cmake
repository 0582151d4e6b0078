# idpc replay (tests/e2e/replay_e2e.py, docs/replay.md): the hand-made Contoso sign-in log, the
# verification against Entra's recorded results, a planted disagreement, the input shapes, bad
# records, and the Graph emulator's paged, filtered and throttled /auditLogs/signIns over HTTPS.
foreach(t contoso verify planted shapes errors)
  add_test(NAME e2e.replay.${t}
    COMMAND ${PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/replay_e2e.py --idpc $<TARGET_FILE:idpc>
      --root ${CMAKE_SOURCE_DIR} ${t})
endforeach()
if(EXISTS ${CMAKE_SOURCE_DIR}/tests/graph-emulator/CMakeLists.txt)
  find_program(IDPC_OPENSSL_CLI openssl)
  if(IDPC_OPENSSL_CLI)
    add_test(NAME e2e.replay.graph
      COMMAND ${PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/replay_e2e.py --idpc $<TARGET_FILE:idpc>
        --root ${CMAKE_SOURCE_DIR} --emulator $<TARGET_FILE:graph-emulator>
        --workdir ${CMAKE_BINARY_DIR}/tests/e2e/replay-e2e graph)
    set_tests_properties(e2e.replay.graph PROPERTIES TIMEOUT 600 LABELS "e2e;graph")
  endif()
endif()
