# lsp.cmake — `idpc lsp` spoken to over pipes by a scripted editor session (lsp_e2e.py;
# include from tests/e2e/CMakeLists.txt).
#   e2e.lsp.session    diagnostics, completion, hover, definition, references, symbols, formatting
#   e2e.lsp.utf16      positions in UTF-16 code units
#   e2e.lsp.malformed  protocol errors for bad framing, bad JSON-RPC and unknown methods
foreach(c session utf16 malformed)
  add_test(NAME e2e.lsp.${c}
    COMMAND ${PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/lsp_e2e.py --idpc $<TARGET_FILE:idpc>
      --root ${CMAKE_SOURCE_DIR} ${c})
  set_tests_properties(e2e.lsp.${c} PROPERTIES TIMEOUT 300)
endforeach()

# e2e.vim_syntax  the vim syntax file names the right groups on Contoso (skipped without vim)
add_test(NAME e2e.vim_syntax COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/vim_syntax.sh ${CMAKE_SOURCE_DIR})
set_tests_properties(e2e.vim_syntax PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120)

# e2e.nvim  neovim headless with docs/editors.md's set-up, through neovim's LSP client:
#           diagnostics, completion, hover (K), definition (gd), format on save (skipped without
#           nvim)
add_test(NAME e2e.nvim COMMAND ${PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/nvim_e2e.py
  --idpc $<TARGET_FILE:idpc> --root ${CMAKE_SOURCE_DIR})
set_tests_properties(e2e.nvim PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
