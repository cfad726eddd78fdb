# `format` rewrites sources with clang-format; `check-format` fails on any source that is not
# clang-format clean (CI runs it, as the CTest test "format: ..." too); `check` builds everything
# and runs the tests. clang-format 14 (Debian 12's clang-format-14) is the reference: another
# version formats some constructs differently.
find_program(CLANG_FORMAT_PROGRAM NAMES clang-format-14 clang-format)
if(CLANG_FORMAT_PROGRAM)
  file(GLOB_RECURSE MESHCA_FORMAT_SOURCES CONFIGURE_DEPENDS
    ${PROJECT_SOURCE_DIR}/common/*.cpp ${PROJECT_SOURCE_DIR}/common/*.h
    ${PROJECT_SOURCE_DIR}/plugins/*.cpp ${PROJECT_SOURCE_DIR}/plugins/*.h
    ${PROJECT_SOURCE_DIR}/tests/*.cpp ${PROJECT_SOURCE_DIR}/tests/*.h
    ${PROJECT_SOURCE_DIR}/bench/*.cpp ${PROJECT_SOURCE_DIR}/bench/*.h
    ${PROJECT_SOURCE_DIR}/fuzz/*.cpp ${PROJECT_SOURCE_DIR}/fuzz/*.h
    ${PROJECT_SOURCE_DIR}/packaging/*.cpp)
  add_custom_target(format COMMAND ${CLANG_FORMAT_PROGRAM} -i ${MESHCA_FORMAT_SOURCES}
    COMMENT "clang-format")
  add_custom_target(check-format
    COMMAND ${CLANG_FORMAT_PROGRAM} --dry-run -Werror ${MESHCA_FORMAT_SOURCES}
    COMMENT "clang-format --dry-run -Werror (run the format target to fix)")
  if(MESHCA_BUILD_TESTS)
    add_test(NAME "format: every source is clang-format clean"
      COMMAND ${CLANG_FORMAT_PROGRAM} --dry-run -Werror ${MESHCA_FORMAT_SOURCES})
    set_tests_properties("format: every source is clang-format clean" PROPERTIES LABELS format)
  endif()
endif()
if(MESHCA_BUILD_TESTS)
  add_custom_target(check COMMAND ${CMAKE_CTEST_COMMAND} --output-on-failure -j2
    WORKING_DIRECTORY ${CMAKE_BINARY_DIR} USES_TERMINAL)
endif()
