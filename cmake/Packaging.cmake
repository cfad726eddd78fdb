# Installing and packaging the suite the krew way (docs/install.md).
#
# `cmake --install` puts every executable in <prefix>/bin (add_meshca_plugin) and README.md and
# LICENSE in <prefix>/share/doc/kubectl-meshca.
#
# Targets:
#   krew-archive       builds the release executables for each of MESHCA_RELEASE_ARCHES (amd64,
#                      arm64) in ${CMAKE_BINARY_DIR}/release/<arch> (packaging/release/
#                      build_release.cmake: static Boost, OpenSSL, libcurl and libstdc++, glibc
#                      >= 2.34 shared; arm64 cross-compiled) and packs each one's archive
#                      ${MESHCA_DIST_DIR}/kubectl-meshca_<version>_linux_<arch>.tar.gz;
#                      krew-archive-<arch> builds one architecture
#   krew-package       krew-archive, then writes ${MESHCA_KREW_MANIFEST} from
#                      packaging/krew/meshca.yaml.in with each platform's sha256 read from the
#                      archive present in ${MESHCA_DIST_DIR} for that platform
#   krew-package-test  the same into ${CMAKE_BINARY_DIR}/packaging-test (never the source tree),
#                      from the same release trees; the packaging tests use it
#
# A platform with no archive in the dist folder is refused unless its sha256 is given with
# -DMESHCA_KREW_SHA256_<os>_<arch>=<hex> (an archive built and uploaded elsewhere) or
# -DMESHCA_KREW_ALLOW_UNBUILT=ON (the entry then carries a placeholder sha256 of 64 zeros that no
# archive matches, and a comment saying so).

install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/LICENSE
  DESTINATION share/doc/kubectl-meshca)
if(MESHCA_RELEASE_STATIC)
  return() # a release tree (packaging/release/build_release.cmake) packs nothing itself
endif()

set(MESHCA_RELEASE_ARCHES "amd64;arm64" CACHE STRING "linux architectures krew-archive builds")
# The architectures build side by side (below), so each gets its share of the cores: on 2 cores
# one job each, which built both archives in 426 s where two jobs each took 500 s and one
# architecture after the other 479 s (docs/performance.md, "CI time").
list(LENGTH MESHCA_RELEASE_ARCHES meshca_release_arch_count)
if(meshca_release_arch_count EQUAL 0)
  set(meshca_release_arch_count 1)
endif()
cmake_host_system_information(RESULT meshca_cores QUERY NUMBER_OF_LOGICAL_CORES)
math(EXPR meshca_release_default_jobs "${meshca_cores} / ${meshca_release_arch_count}")
if(meshca_release_default_jobs LESS 1)
  set(meshca_release_default_jobs 1)
endif()
set(MESHCA_RELEASE_JOBS ${meshca_release_default_jobs} CACHE STRING
  "Parallel jobs of each release build (they run side by side; default: the cores shared out)")

set(MESHCA_DIST_DIR ${PROJECT_SOURCE_DIR}/dist CACHE PATH "Where krew-archive writes release archives")
set(MESHCA_KREW_MANIFEST ${PROJECT_SOURCE_DIR}/krew-manifests/meshca.yaml CACHE FILEPATH
  "The krew manifest krew-package writes")
set(MESHCA_KREW_BASE_URL
  "https://github.com/meshca/kubectl-meshca/releases/download/v${PROJECT_VERSION}" CACHE STRING
  "URL folder the release archives are downloaded from (each platform's uri is <this>/<archive>)")
set(MESHCA_KREW_PLATFORMS "linux/amd64;linux/arm64" CACHE STRING "os/arch pairs the manifest offers")
option(MESHCA_KREW_ALLOW_UNBUILT "Write platforms with no archive as unbuilt (placeholder sha256)" OFF)
foreach(meshca_platform IN LISTS MESHCA_KREW_PLATFORMS)
  string(REPLACE "/" "_" meshca_platform_id "${meshca_platform}")
  set(MESHCA_KREW_SHA256_${meshca_platform_id} "" CACHE STRING
    "sha256 of the ${meshca_platform} archive when it is not in the dist folder")
endforeach()

# krew's names for this machine's platform.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(MESHCA_KREW_HOST_ARCH amd64)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64|ARM64)$")
  set(MESHCA_KREW_HOST_ARCH arm64)
else()
  set(MESHCA_KREW_HOST_ARCH ${CMAKE_SYSTEM_PROCESSOR})
endif()
string(TOLOWER "${CMAKE_SYSTEM_NAME}" MESHCA_KREW_HOST_OS)

set(MESHCA_KREW_DIR ${PROJECT_SOURCE_DIR}/packaging/krew)

# Each architecture's release build is its own command, so that Ninja runs them side by side:
# each is mostly one-core stretches (curl's configure script, CMake's configure, the links)
# between compiles, which the other fills. A pool of depth 1 per architecture keeps two commands
# (krew-archive and krew-archive-test) from building one tree at once; build_curl.cmake locks the
# curl source both share.
foreach(arch IN LISTS MESHCA_RELEASE_ARCHES)
  set_property(GLOBAL APPEND PROPERTY JOB_POOLS meshca_release_${arch}=1)
endforeach()

# One pack command per architecture and one manifest command, for a dist folder and a manifest.
function(meshca_add_krew_targets archive_target package_target dist_dir manifest allow_unbuilt)
  set(arch_targets "")
  foreach(arch IN LISTS MESHCA_RELEASE_ARCHES)
    add_custom_target(${archive_target}-${arch}
      COMMAND ${CMAKE_COMMAND}
        -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
        -DWORK_DIR=${CMAKE_BINARY_DIR}/release
        -DARCH=${arch}
        -DDIST_DIR=${dist_dir}
        -DVERSION=${PROJECT_VERSION}
        -DJOBS=${MESHCA_RELEASE_JOBS}
        -DGENERATOR=${CMAKE_GENERATOR}
        -DWERROR=${MESHCA_WERROR}
        -DUNITY=${MESHCA_UNITY_BUILD}
        -P ${PROJECT_SOURCE_DIR}/packaging/release/build_release.cmake
      COMMENT "Building the ${arch} release executables and packing them into ${dist_dir}"
      JOB_POOL meshca_release_${arch}
      VERBATIM)
    list(APPEND arch_targets ${archive_target}-${arch})
  endforeach()
  add_custom_target(${archive_target})
  add_dependencies(${archive_target} ${arch_targets})

  # Lists travel as ',' separated strings: a ';' would split the command's argument.
  string(REPLACE ";" "," platforms "${MESHCA_KREW_PLATFORMS}")
  set(sha_args "")
  foreach(platform IN LISTS MESHCA_KREW_PLATFORMS)
    string(REPLACE "/" "_" platform_id "${platform}")
    list(APPEND sha_args "-DSHA256_${platform_id}=${MESHCA_KREW_SHA256_${platform_id}}")
  endforeach()
  add_custom_target(${package_target}
    COMMAND ${CMAKE_COMMAND}
      -DTEMPLATE_DIR=${MESHCA_KREW_DIR}
      -DDIST_DIR=${dist_dir}
      -DMANIFEST=${manifest}
      -DVERSION=${PROJECT_VERSION}
      -DBASE_URL=${MESHCA_KREW_BASE_URL}
      -DPLATFORMS=${platforms}
      -DALLOW_UNBUILT=${allow_unbuilt}
      ${sha_args}
      -P ${MESHCA_KREW_DIR}/write_manifest.cmake
    COMMENT "Writing ${manifest}"
    VERBATIM)
  add_dependencies(${package_target} ${archive_target})
endfunction()

meshca_add_krew_targets(krew-archive krew-package ${MESHCA_DIST_DIR} ${MESHCA_KREW_MANIFEST}
  ${MESHCA_KREW_ALLOW_UNBUILT})
meshca_add_krew_targets(krew-archive-test krew-package-test ${CMAKE_BINARY_DIR}/packaging-test/dist
  ${CMAKE_BINARY_DIR}/packaging-test/krew-manifests/meshca.yaml ON)

