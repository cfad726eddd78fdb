# Shell completion: one program, kubectl_complete-meshca, and a link to it for every command
# (kubectl_complete-meshca-check_root, ...), named as kubectl looks for them when the command's
# executable is a plugin on PATH. The program reads its own name to know the command.
add_meshca_plugin(complete kubectl_complete-meshca)

# Runs when plugins/CMakeLists.txt is done, so every command's plugin target is known.
function(meshca_add_completion_links)
  get_property(plugin_targets GLOBAL PROPERTY MESHCA_PLUGIN_TARGETS)
  set(bin_dir ${CMAKE_BINARY_DIR}/bin)
  set(links)
  set(commands)
  foreach(target ${plugin_targets})
    if(target MATCHES "^kubectl-meshca-(.+)$")
      set(link ${bin_dir}/kubectl_complete-meshca-${CMAKE_MATCH_1})
      list(APPEND links ${link})
      # Relative links: the folder can be moved or installed as it is.
      list(APPEND commands COMMAND ${CMAKE_COMMAND} -E create_symlink kubectl_complete-meshca ${link})
    endif()
  endforeach()
  add_custom_command(TARGET kubectl_complete-meshca POST_BUILD ${commands} BYPRODUCTS ${links}
    COMMENT "Linking kubectl_complete-meshca-<command>")
  install(FILES ${links} DESTINATION bin)
  # For packaging: every completion file in build/bin besides the program itself.
  set_property(GLOBAL PROPERTY MESHCA_COMPLETION_LINKS ${links})
endfunction()
cmake_language(DEFER CALL meshca_add_completion_links)
