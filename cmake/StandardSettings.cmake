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

# LLVM's linker where the compiler can use it: the test executables link the whole library, and
# lld links one in about 40% of the CPU time of GNU ld (a unit test: 1.85 -> 0.75 s). Not in a
# release tree, whose archives are linked the one way docs/install.md describes.
option(MESHCA_LLD "Link with lld (-fuse-ld=lld) when the compiler accepts it" ON)
if(MESHCA_LLD AND NOT MESHCA_RELEASE_STATIC)
  include(CheckLinkerFlag)
  check_linker_flag(CXX -fuse-ld=lld MESHCA_HAVE_LLD)
  if(MESHCA_HAVE_LLD)
    add_link_options(-fuse-ld=lld)
  endif()
endif()

if(MESHCA_CLANG_TIDY)
  find_program(CLANG_TIDY_PROGRAM NAMES clang-tidy clang-tidy-14 REQUIRED)
  set(CMAKE_CXX_CLANG_TIDY ${CLANG_TIDY_PROGRAM})
endif()
