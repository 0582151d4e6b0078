# Installation and packaging: `cmake --install` (and `make install PREFIX=... DESTDIR=...`) puts
# the binary, one man page per command and the bash/zsh/fish completions in place; `cpack -G DEB`
# (`make deb`) packages the same files, with dependencies computed by dpkg-shlibdeps.
# Man pages and completions are generated from the built binary's --help (scripts/gen-man.sh,
# scripts/gen-completions.sh), so they say what the binary does.
include(GNUInstallDirs)

install(TARGETS idpc RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

set(IDPC_COMPLETIONS ${CMAKE_BINARY_DIR}/completions)
add_custom_command(
  OUTPUT ${IDPC_COMPLETIONS}/idpc ${IDPC_COMPLETIONS}/_idpc ${IDPC_COMPLETIONS}/idpc.fish
  COMMAND sh ${CMAKE_SOURCE_DIR}/scripts/gen-completions.sh $<TARGET_FILE:idpc> ${IDPC_COMPLETIONS}
  DEPENDS idpc ${CMAKE_SOURCE_DIR}/scripts/gen-completions.sh
  COMMENT "Generating shell completions from idpc --help" VERBATIM)
add_custom_target(idpc_completions ALL
  DEPENDS ${IDPC_COMPLETIONS}/idpc ${IDPC_COMPLETIONS}/_idpc ${IDPC_COMPLETIONS}/idpc.fish)

# Man pages need help2man (scripts/deps.sh package); without it they are not built by default,
# and `make install` / `make deb` build them explicitly (target idpc_docs).
find_program(HELP2MAN help2man)
set(IDPC_MAN ${CMAKE_BINARY_DIR}/man)
add_custom_command(
  OUTPUT ${IDPC_MAN}/idpc.1
  COMMAND sh ${CMAKE_SOURCE_DIR}/scripts/gen-man.sh $<TARGET_FILE:idpc> ${IDPC_MAN} ${PROJECT_VERSION}
  DEPENDS idpc ${CMAKE_SOURCE_DIR}/scripts/gen-man.sh
  COMMENT "Generating man pages from idpc --help (help2man)" VERBATIM)
if(HELP2MAN)
  add_custom_target(idpc_docs ALL DEPENDS ${IDPC_MAN}/idpc.1 idpc_completions)
else()
  message(STATUS "help2man not found: man pages are built only by `make install`/`make deb`")
  add_custom_target(idpc_docs DEPENDS ${IDPC_MAN}/idpc.1 idpc_completions)
endif()
install(DIRECTORY ${IDPC_MAN}/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 OPTIONAL
        FILES_MATCHING PATTERN "*.1")

# Completion folders the shells search: bash-completion's, zsh's (Debian's vendor folder under
# /usr, site-functions elsewhere), fish's vendor folder.
install(FILES ${IDPC_COMPLETIONS}/idpc DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(CODE "
  if(\"\${CMAKE_INSTALL_PREFIX}\" STREQUAL \"/usr\")
    set(zdir \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions\")
  else()
    set(zdir \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DATADIR}/zsh/site-functions\")
  endif()
  file(INSTALL \"${IDPC_COMPLETIONS}/_idpc\" DESTINATION \"\${zdir}\")")
install(FILES ${IDPC_COMPLETIONS}/idpc.fish DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)

# ---- Debian package (make deb) ----
set(CPACK_PACKAGE_NAME idpc)
set(CPACK_PACKAGE_VENDOR "idpc")
set(CPACK_PACKAGE_CONTACT "idpc maintainers <idpc@users.noreply.github.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "identity policy as code for Microsoft Entra ID")
set(CPACK_PACKAGE_DESCRIPTION "idpc compiles .idp files describing groups, privileged roles, named
locations, authentication methods and Conditional Access policies into Microsoft Graph
objects, shows what would change in a tenant (plan) and applies it (apply).")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Graph is reached over HTTPS: the system's CA certificates.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "ca-certificates")
set(CPACK_GENERATOR DEB)
include(CPack)
