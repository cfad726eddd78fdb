# MESHCA_RELEASE_STATIC: the release executables the krew archives hold (docs/install.md, "What a
# release contains"). Boost, OpenSSL, libcurl (built by packaging/release/build_curl.cmake into
# MESHCA_CURL_PREFIX), libstdc++ and libgcc are linked in; only glibc stays shared (libc.so.6,
# libm.so.6 and the loader). Included before Dependencies.cmake so its find_package calls pick the
# static archives. The flags also make the executables reproducible: no build path in them.
if(NOT MESHCA_RELEASE_STATIC)
  return()
endif()
if(MESHCA_SANITIZE)
  message(FATAL_ERROR "MESHCA_RELEASE_STATIC and MESHCA_SANITIZE exclude each other")
endif()
if(NOT EXISTS "${MESHCA_CURL_PREFIX}/lib/libcurl.a")
  message(FATAL_ERROR "MESHCA_RELEASE_STATIC needs -DMESHCA_CURL_PREFIX=<dir> holding "
    "lib/libcurl.a and include/curl (packaging/release/build_curl.cmake builds it; "
    "`cmake --build build --target krew-archive` does all of this)")
endif()

set(Boost_USE_STATIC_LIBS ON)
set(Boost_USE_STATIC_RUNTIME OFF)
set(OPENSSL_USE_STATIC_LIBS TRUE)

add_compile_options(-ffunction-sections -fdata-sections
  -ffile-prefix-map=${PROJECT_SOURCE_DIR}=. -ffile-prefix-map=${CMAKE_BINARY_DIR}=.)
add_link_options(-static-libstdc++ -static-libgcc -Wl,--gc-sections -Wl,--as-needed -Wl,-O1)

# The glibc floor (packaging/release/glibc_floor.cpp): every plugin executable links this object.
add_library(meshca_glibc_floor OBJECT ${PROJECT_SOURCE_DIR}/packaging/release/glibc_floor.cpp)
target_link_options(meshca_glibc_floor INTERFACE
  -Wl,--wrap=arc4random -Wl,--wrap=_dl_find_object)
