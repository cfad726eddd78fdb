# Writes the krew manifest from the templates in TEMPLATE_DIR:
#   cmake -DTEMPLATE_DIR=<packaging/krew> -DDIST_DIR=<archives> -DMANIFEST=<out.yaml>
#         -DVERSION=<x.y.z> -DBASE_URL=<url folder> -DPLATFORMS=linux/amd64,linux/arm64
#         [-DSHA256_linux_arm64=<hex>] [-DALLOW_UNBUILT=ON] -P write_manifest.cmake
#
# Each platform's sha256 comes from, in this order:
#   1. its archive DIST_DIR/kubectl-meshca_<version>_<os>_<arch>.tar.gz (file(SHA256));
#      a SHA256_<os>_<arch> given as well must then agree with it;
#   2. SHA256_<os>_<arch>: an archive built and published elsewhere (64 lowercase hex digits);
#   3. with ALLOW_UNBUILT: a placeholder of 64 zeros, which no archive matches, under a comment
#      saying the platform is unbuilt. Without it, a platform with neither is refused.
# uri is BASE_URL/<archive name>. Nothing is written unless every platform resolves.

cmake_minimum_required(VERSION 3.25)

foreach(required TEMPLATE_DIR DIST_DIR MANIFEST VERSION BASE_URL PLATFORMS)
  if("${${required}}" STREQUAL "")
    message(FATAL_ERROR "write_manifest.cmake: -D${required}=... is required")
  endif()
endforeach()
if(NOT VERSION MATCHES "^[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?$")
  message(FATAL_ERROR "write_manifest.cmake: version '${VERSION}' is not semver (x.y.z[-pre])")
endif()
if(NOT BASE_URL MATCHES "^https://")
  message(FATAL_ERROR "write_manifest.cmake: BASE_URL '${BASE_URL}' must be an https:// URL")
endif()
string(REGEX REPLACE "/+$" "" base_url "${BASE_URL}")
set(unbuilt_sha256 "0000000000000000000000000000000000000000000000000000000000000000")

file(READ ${TEMPLATE_DIR}/platform.yaml.in platform_template)
string(REPLACE "," ";" platform_list "${PLATFORMS}")
set(PLATFORMS_YAML "")
set(unbuilt "")
foreach(platform IN LISTS platform_list)
  if(NOT platform MATCHES "^([a-z0-9]+)/([a-z0-9]+)$")
    message(FATAL_ERROR "write_manifest.cmake: platform '${platform}' is not os/arch (lowercase)")
  endif()
  set(OS ${CMAKE_MATCH_1})
  set(ARCH ${CMAKE_MATCH_2})
  set(archive kubectl-meshca_${VERSION}_${OS}_${ARCH}.tar.gz)
  set(given "${SHA256_${OS}_${ARCH}}")
  string(TOLOWER "${given}" given)
  if(NOT given STREQUAL "" AND NOT given MATCHES "^[0-9a-f]+$")
    message(FATAL_ERROR "write_manifest.cmake: SHA256_${OS}_${ARCH}='${given}' is not hex")
  endif()
  if(NOT given STREQUAL "")
    string(LENGTH "${given}" given_length)
    if(NOT given_length EQUAL 64)
      message(FATAL_ERROR "write_manifest.cmake: SHA256_${OS}_${ARCH} has ${given_length} hex "
        "digits; a sha256 has 64")
    endif()
  endif()

  set(NOTE "")
  if(EXISTS ${DIST_DIR}/${archive})
    file(SHA256 ${DIST_DIR}/${archive} SHA256)
    if(NOT given STREQUAL "" AND NOT given STREQUAL SHA256)
      message(FATAL_ERROR "write_manifest.cmake: SHA256_${OS}_${ARCH}=${given} disagrees with "
        "${DIST_DIR}/${archive} (${SHA256}); drop the -D or replace the archive")
    endif()
  elseif(NOT given STREQUAL "")
    set(SHA256 ${given})
  elseif(ALLOW_UNBUILT)
    set(SHA256 ${unbuilt_sha256})
    set(NOTE "  # UNBUILT ${OS}/${ARCH}: ${archive} did not exist when this\n"
      "  # manifest was written. The sha256 is a placeholder (64 zeros) that no archive matches,\n"
      "  # so krew refuses to install on this platform. A release builds the archive and\n"
      "  # regenerates this file (docs/install.md).\n")
    string(CONCAT NOTE ${NOTE})
    list(APPEND unbuilt ${platform})
  else()
    message(FATAL_ERROR "write_manifest.cmake: no ${archive} in ${DIST_DIR} for ${platform}. "
      "Build it on a ${platform} machine (cmake --build <build> --target krew-archive) and copy "
      "it into ${DIST_DIR}, or give its sha256 with -DMESHCA_KREW_SHA256_${OS}_${ARCH}=<hex>, or "
      "mark the platform unbuilt with -DMESHCA_KREW_ALLOW_UNBUILT=ON (docs/install.md)")
  endif()
  set(URI ${base_url}/${archive})
  string(CONFIGURE "${platform_template}" platform_yaml @ONLY)
  string(APPEND PLATFORMS_YAML "${platform_yaml}")
endforeach()

string(REGEX REPLACE "\n$" "" PLATFORMS_YAML "${PLATFORMS_YAML}")
configure_file(${TEMPLATE_DIR}/meshca.yaml.in ${MANIFEST} @ONLY)
if(unbuilt)
  message(WARNING "write_manifest.cmake: ${MANIFEST} marks ${unbuilt} unbuilt (placeholder sha256)")
endif()
message(STATUS "Wrote ${MANIFEST}")
