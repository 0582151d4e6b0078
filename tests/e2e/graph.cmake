# graph.cmake — end-to-end tests of the graph: backend against the Graph emulator (real sockets,
# real TLS with certificates made at test time, the real idpc binary). Include from
# tests/e2e/CMakeLists.txt (or add_subdirectory(graph)). Needs python3 and the openssl command.
# graph-emulator is defined in tests/graph-emulator, possibly after this file: only generator
# expressions refer to it.
if(EXISTS ${CMAKE_SOURCE_DIR}/tests/graph-emulator/CMakeLists.txt)
  find_program(IDPC_OPENSSL_CLI openssl)
  if(IDPC_OPENSSL_CLI)
    set(_g ${PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/graph/test_graph.py
        --idpc $<TARGET_FILE:idpc> --emulator $<TARGET_FILE:graph-emulator>
        --source ${CMAKE_SOURCE_DIR} --workdir ${CMAKE_BINARY_DIR}/tests/e2e/graph-e2e)
    add_test(NAME e2e.graph.snapshot COMMAND ${_g} snapshot)
    foreach(auth secret cert cert-ps256 federated)
      add_test(NAME e2e.graph.contoso.${auth} COMMAND ${_g} contoso --auth ${auth})
    endforeach()
    add_test(NAME e2e.graph.large COMMAND ${_g} large --users 50000 --policies 10 195)
    add_test(NAME e2e.graph.faults COMMAND ${_g} faults --seeds 20 --rate 0.2)
    add_test(NAME e2e.graph.identities COMMAND ${_g} identities)
    add_test(NAME e2e.graph.faults_identities COMMAND ${_g} faults_identities --seeds 8
      --rate 0.2)
    add_test(NAME e2e.graph.tls COMMAND ${_g} tls)
    add_test(NAME e2e.graph.hidden COMMAND ${_g} hidden)
    add_test(NAME e2e.graph.saved COMMAND ${_g} saved)
    add_test(NAME e2e.graph.delegated COMMAND ${_g} delegated)
    add_test(NAME e2e.graph.contexts COMMAND ${_g} contexts)
    add_test(NAME e2e.graph.selected COMMAND ${_g} selected)
    add_test(NAME e2e.graph.impact COMMAND ${_g} impact)
    add_test(NAME e2e.graph.governance COMMAND ${_g} governance)
    set(_tests e2e.graph.snapshot e2e.graph.contoso.secret e2e.graph.contoso.cert
        e2e.graph.contoso.cert-ps256 e2e.graph.contoso.federated e2e.graph.large
        e2e.graph.faults e2e.graph.tls e2e.graph.hidden e2e.graph.saved e2e.graph.delegated
        e2e.graph.contexts e2e.graph.selected e2e.graph.impact e2e.graph.identities
        e2e.graph.faults_identities e2e.graph.governance)
    set_tests_properties(${_tests} PROPERTIES TIMEOUT 600 LABELS "e2e;graph"
      ENVIRONMENT "IDPC_SHARED_DIR=${IDPC_SHARED_DIR}")
  endif()
endif()
