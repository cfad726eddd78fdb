# `format` rewrites sources with clang-format; `check` builds everything and runs the tests.
find_program(CLANG_FORMAT_PROGRAM NAMES clang-format clang-format-14)
if(CLANG_FORMAT_PROGRAM)
  file(GLOB_RECURSE MESHCA_FORMAT_SOURCES CONFIGURE_DEPENDS
    ${PROJECT_SOURCE_DIR}/common/*.cpp ${PROJECT_SOURCE_DIR}/common/*.h
    ${PROJECT_SOURCE_DIR}/plugins/*.cpp ${PROJECT_SOURCE_DIR}/plugins/*.h
    ${PROJECT_SOURCE_DIR}/tests/*.cpp ${PROJECT_SOURCE_DIR}/tests/*.h
    ${PROJECT_SOURCE_DIR}/bench/*.cpp)
  add_custom_target(format COMMAND ${CLANG_FORMAT_PROGRAM} -i ${MESHCA_FORMAT_SOURCES}
    COMMENT "clang-format")
endif()
if(MESHCA_BUILD_TESTS)
  add_custom_target(check COMMAND ${CMAKE_CTEST_COMMAND} --output-on-failure -j2
    WORKING_DIRECTORY ${CMAKE_BINARY_DIR} USES_TERMINAL)
endif()
