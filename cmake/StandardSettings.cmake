# Warnings and instrumentation as INTERFACE targets, linked by every target of the project.
add_library(meshca_warnings INTERFACE)
target_compile_options(meshca_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wdeprecated -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough
  $<$<BOOL:${MESHCA_WERROR}>:-Werror>)

add_library(meshca_settings INTERFACE)
target_compile_definitions(meshca_settings INTERFACE
  OPENSSL_API_COMPAT=30000 OPENSSL_NO_DEPRECATED BOOST_ASIO_NO_DEPRECATED)
if(MESHCA_SANITIZE)
  target_compile_options(meshca_settings INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)
  target_link_options(meshca_settings INTERFACE -fsanitize=address,undefined)
endif()

if(MESHCA_CLANG_TIDY)
  find_program(CLANG_TIDY_PROGRAM NAMES clang-tidy clang-tidy-14 REQUIRED)
  set(CMAKE_CXX_CLANG_TIDY ${CLANG_TIDY_PROGRAM})
endif()
