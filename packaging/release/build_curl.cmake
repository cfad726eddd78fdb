# Builds the static libcurl the release executables link, from Debian's own curl source package
# (the same source and patches as Debian's libcurl4), with only what the suite uses:
# HTTP and HTTPS over OpenSSL, proxies (http_proxy/https_proxy/no_proxy), the threaded resolver.
# No LDAP, GSSAPI/Kerberos, RTMP, SSH, PSL, IDN, HTTP/2, brotli, zstd or zlib, and no built-in CA
# bundle or path: common/meshca/util/ca_store.cpp finds the host's store at run time.
#   cmake -DWORK_DIR=<build>/release/curl -DARCH=amd64|arm64 -DHOST=<gnu triplet>
#         -DPREFIX=<install dir> [-DJOBS=2] -P build_curl.cmake
#
# Built once per prefix: a stamp holding the source version and the configure line skips the
# rebuild when neither changed. The source comes from `apt-get source` (a deb-src line for
# bookworm; scripts/setup-deps writes one) into WORK_DIR/src, fetched once.

cmake_minimum_required(VERSION 3.25)
foreach(required WORK_DIR ARCH HOST PREFIX)
  if("${${required}}" STREQUAL "")
    message(FATAL_ERROR "build_curl.cmake: -D${required}=... is required")
  endif()
endforeach()
if(NOT JOBS)
  set(JOBS 1)
endif()

# 1. The Debian source package, fetched and unpacked (with Debian's patches) once. Both
# architectures' builds may run at once (cmake/Packaging.cmake): the first to take the lock
# fetches, the other waits and finds the source there. (GUARD PROCESS and an explicit RELEASE:
# GUARD FILE crashes CMake 3.25 in script mode.)
set(src_root ${WORK_DIR}/src)
file(MAKE_DIRECTORY ${src_root})
file(LOCK ${src_root} DIRECTORY GUARD PROCESS TIMEOUT 1800 RESULT_VARIABLE lock_result)
if(NOT lock_result STREQUAL "0")
  message(FATAL_ERROR "build_curl.cmake: cannot lock ${src_root}: ${lock_result}")
endif()
file(GLOB dsc_files ${src_root}/curl_*.dsc)
if(NOT dsc_files)
  message(STATUS "build_curl: apt-get source --download-only curl")
  execute_process(COMMAND apt-get source --download-only curl WORKING_DIRECTORY ${src_root}
    RESULT_VARIABLE rc)
  file(GLOB dsc_files ${src_root}/curl_*.dsc)
  if(NOT rc EQUAL 0 OR NOT dsc_files)
    message(FATAL_ERROR "build_curl.cmake: `apt-get source curl` failed; it needs a deb-src line "
      "for Debian bookworm (scripts/setup-deps adds /etc/apt/sources.list.d/meshca-deb-src.sources "
      "and runs apt-get update)")
  endif()
endif()
list(GET dsc_files 0 dsc)
get_filename_component(dsc_name ${dsc} NAME)
string(REGEX REPLACE "^curl_(.*)\\.dsc$" "\\1" curl_version "${dsc_name}")
set(source_dir ${src_root}/curl)
if(NOT EXISTS ${source_dir}/configure)
  file(REMOVE_RECURSE ${source_dir})
  execute_process(COMMAND dpkg-source --no-check -x ${dsc} ${source_dir}
    WORKING_DIRECTORY ${src_root} RESULT_VARIABLE rc OUTPUT_QUIET)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "build_curl.cmake: dpkg-source -x ${dsc} failed (install dpkg-dev)")
  endif()
endif()

file(LOCK ${src_root} DIRECTORY RELEASE)

# 2. Configure for HOST with only the features the suite uses.
# Reproducible objects: no build path in the strings, no date (curl embeds none).
set(cflags "-O2 -fPIC -ffile-prefix-map=${WORK_DIR}=. -fstack-protector-strong -D_FORTIFY_SOURCE=2")
set(configure_args
  --host=${HOST} --prefix=${PREFIX} --libdir=${PREFIX}/lib
  --disable-shared --enable-static --with-openssl --enable-proxy --enable-threaded-resolver
  --enable-http --disable-ftp --disable-file --disable-ldap --disable-ldaps --disable-rtsp
  --disable-dict --disable-telnet --disable-tftp --disable-pop3 --disable-imap --disable-smtp
  --disable-gopher --disable-mqtt --disable-smb --disable-manual --disable-ntlm
  --disable-ntlm-wb --disable-kerberos-auth --disable-negotiate-auth --disable-alt-svc
  --disable-hsts --disable-websockets --disable-dependency-tracking
  --without-zlib --without-brotli --without-zstd --without-libidn2 --without-libpsl
  --without-nghttp2 --without-nghttp3 --without-ngtcp2 --without-libssh2 --without-libssh
  --without-librtmp --without-gssapi --without-libgsasl --without-hyper --without-quiche
  --without-ca-bundle --without-ca-path --without-ca-fallback)
set(stamp_text "curl ${curl_version}\n${HOST}\n${cflags}\n${configure_args}\n")
set(stamp ${PREFIX}/meshca-curl.stamp)
if(EXISTS ${stamp} AND EXISTS ${PREFIX}/lib/libcurl.a)
  file(READ ${stamp} old_stamp)
  if(old_stamp STREQUAL stamp_text)
    message(STATUS "build_curl: ${PREFIX}/lib/libcurl.a is up to date (curl ${curl_version})")
    return()
  endif()
endif()

set(build_dir ${WORK_DIR}/build-${ARCH})
file(REMOVE_RECURSE ${build_dir} ${PREFIX})
file(MAKE_DIRECTORY ${build_dir})
# The cross pkg-config search path: Debian's multiarch .pc files for HOST only.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/${HOST}/pkgconfig:/usr/share/pkgconfig")
set(ENV{SOURCE_DATE_EPOCH} 0)
message(STATUS "build_curl: configuring curl ${curl_version} for ${HOST}")
execute_process(COMMAND ${source_dir}/configure ${configure_args} CC=${HOST}-gcc
    AR=${HOST}-ar RANLIB=${HOST}-ranlib "CFLAGS=${cflags}"
  WORKING_DIRECTORY ${build_dir} RESULT_VARIABLE rc OUTPUT_FILE ${build_dir}/configure.out
  ERROR_FILE ${build_dir}/configure.err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "build_curl.cmake: configure failed; see ${build_dir}/config.log")
endif()
foreach(sub lib include)
  execute_process(COMMAND make -j${JOBS} -C ${sub} install WORKING_DIRECTORY ${build_dir}
    RESULT_VARIABLE rc OUTPUT_FILE ${build_dir}/make-${sub}.out ERROR_FILE ${build_dir}/make-${sub}.err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "build_curl.cmake: make -C ${sub} install failed; see "
      "${build_dir}/make-${sub}.err")
  endif()
endforeach()
file(COPY_FILE ${build_dir}/libcurl.pc ${PREFIX}/lib/libcurl.pc)
file(WRITE ${stamp} "${stamp_text}")
message(STATUS "build_curl: built ${PREFIX}/lib/libcurl.a (curl ${curl_version}, ${HOST})")
