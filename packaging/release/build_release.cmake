# Builds one platform's release executables and packs its krew archive:
#   cmake -DSOURCE_DIR=<repo> -DWORK_DIR=<build>/release -DARCH=amd64|arm64 -DDIST_DIR=<out>
#         -DVERSION=<x.y.z> [-DJOBS=2] [-DGENERATOR=Ninja] [-DWERROR=ON] [-DUNITY=ON]
#         -P build_release.cmake
#
# 1. a static libcurl for the platform (build_curl.cmake, built once per WORK_DIR);
# 2. the plugins only (no tests, simulator, benchmark or fuzzers) in WORK_DIR/<arch>, configured
#    with MESHCA_RELEASE_STATIC (cmake/ReleaseStatic.cmake): only glibc >= 2.34 stays shared;
#    arm64 is cross-compiled with cmake/toolchain-aarch64-linux-gnu.cmake;
# 3. pack_archive.cmake: DIST_DIR/kubectl-meshca_<version>_linux_<arch>.tar.gz, stripped.
# Each tree is incremental: a second run rebuilds only what changed.

cmake_minimum_required(VERSION 3.25)
foreach(required SOURCE_DIR WORK_DIR ARCH DIST_DIR VERSION)
  if("${${required}}" STREQUAL "")
    message(FATAL_ERROR "build_release.cmake: -D${required}=... is required")
  endif()
endforeach()
if(NOT JOBS)
  set(JOBS 2)
endif()
if(NOT GENERATOR)
  set(GENERATOR Ninja)
endif()
if(NOT UNITY)
  set(UNITY OFF) # MESHCA_UNITY_BUILD of the tree, as in the build folder that runs this
endif()

cmake_host_system_information(RESULT host_processor QUERY OS_PLATFORM)
if(ARCH STREQUAL "amd64")
  set(host x86_64-linux-gnu)
  set(processor x86_64)
elseif(ARCH STREQUAL "arm64")
  set(host aarch64-linux-gnu)
  set(processor aarch64)
else()
  message(FATAL_ERROR "build_release.cmake: no release build for ARCH=${ARCH} (amd64, arm64)")
endif()
set(toolchain_args "")
if(NOT host_processor STREQUAL processor)
  set(toolchain ${SOURCE_DIR}/cmake/toolchain-${host}.cmake)
  if(NOT EXISTS ${toolchain})
    message(FATAL_ERROR "build_release.cmake: cannot build ${ARCH} on ${host_processor}: "
      "no ${toolchain}")
  endif()
  set(toolchain_args -DCMAKE_TOOLCHAIN_FILE=${toolchain})
endif()

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "build_release.cmake: ${what} failed (${ARCH})")
  endif()
endfunction()

set(curl_prefix ${WORK_DIR}/curl-${ARCH})
run("building libcurl" ${CMAKE_COMMAND} -DWORK_DIR=${WORK_DIR}/curl -DARCH=${ARCH} -DHOST=${host}
  -DPREFIX=${curl_prefix} -DJOBS=${JOBS} -P ${CMAKE_CURRENT_LIST_DIR}/build_curl.cmake)

set(tree ${WORK_DIR}/${ARCH})
run("configuring ${tree}" ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${tree} -G ${GENERATOR}
  ${toolchain_args} -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG"
  -DMESHCA_RELEASE_STATIC=ON -DMESHCA_CURL_PREFIX=${curl_prefix} -DMESHCA_BUILD_TESTS=OFF
  -DMESHCA_BUILD_BENCH=OFF -DMESHCA_FUZZ=OFF -DMESHCA_WERROR=${WERROR}
  -DMESHCA_UNITY_BUILD=${UNITY})
run("building ${tree}" ${CMAKE_COMMAND} --build ${tree} -j ${JOBS})

run("packing the ${ARCH} archive" ${CMAKE_COMMAND} -DBIN_DIR=${tree}/bin -DSOURCE_DIR=${SOURCE_DIR}
  -DSTAGE_DIR=${WORK_DIR}/stage-${ARCH} -DDIST_DIR=${DIST_DIR} -DVERSION=${VERSION} -DOS=linux
  -DARCH=${ARCH} -DSTRIP=${host}-strip -P ${CMAKE_CURRENT_LIST_DIR}/../krew/pack_archive.cmake)
