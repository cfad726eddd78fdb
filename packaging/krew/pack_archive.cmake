# Packs the release archive krew downloads:
#   cmake -DBIN_DIR=<build>/bin -DSOURCE_DIR=<repo> -DSTAGE_DIR=<scratch> -DDIST_DIR=<out>
#         -DVERSION=<x.y.z> -DOS=linux -DARCH=amd64 [-DSTRIP=<strip>] -P pack_archive.cmake
#
# The archive holds, flat at its top level, every executable kubectl-meshca* and
# kubectl_complete-meshca* of BIN_DIR plus LICENSE and README.md. krew extracts only regular
# files and folders, so symlinks are copied as the files they point to. Executables are stripped
# (the build keeps debug information). The same inputs give the same bytes: names sorted, fixed
# mtime (SOURCE_DATE_EPOCH, else 0), owner and group 0, fixed modes, gzip without name or time.

cmake_minimum_required(VERSION 3.25)

foreach(required BIN_DIR SOURCE_DIR STAGE_DIR DIST_DIR VERSION OS ARCH)
  if("${${required}}" STREQUAL "")
    message(FATAL_ERROR "pack_archive.cmake: -D${required}=... is required")
  endif()
endforeach()

find_program(GNU_TAR NAMES gtar tar REQUIRED)
find_program(GZIP NAMES gzip REQUIRED)
execute_process(COMMAND ${GNU_TAR} --version OUTPUT_VARIABLE tar_version RESULT_VARIABLE tar_result)
if(NOT tar_result EQUAL 0 OR NOT tar_version MATCHES "GNU tar")
  message(FATAL_ERROR "pack_archive.cmake: ${GNU_TAR} is not GNU tar; a reproducible archive needs "
    "GNU tar's --sort/--mtime/--owner (install the Debian package tar)")
endif()

set(archive_name "kubectl-meshca_${VERSION}_${OS}_${ARCH}.tar.gz")

# The executables, by name.
file(GLOB executables LIST_DIRECTORIES false RELATIVE ${BIN_DIR}
  ${BIN_DIR}/kubectl-meshca ${BIN_DIR}/kubectl-meshca-* ${BIN_DIR}/kubectl_complete-meshca
  ${BIN_DIR}/kubectl_complete-meshca-*)
if(NOT "kubectl-meshca" IN_LIST executables)
  message(FATAL_ERROR "pack_archive.cmake: ${BIN_DIR}/kubectl-meshca is missing; build the "
    "plugins first (cmake --build <build> --target krew-archive builds them)")
endif()

file(REMOVE_RECURSE ${STAGE_DIR})
file(MAKE_DIRECTORY ${STAGE_DIR} ${DIST_DIR})
foreach(name IN LISTS executables)
  # EXISTS follows symlinks: a dangling link or a folder under an executable's name is a broken build.
  if(NOT EXISTS ${BIN_DIR}/${name} OR IS_DIRECTORY ${BIN_DIR}/${name})
    message(FATAL_ERROR "pack_archive.cmake: ${BIN_DIR}/${name} is not a file (a dangling link or "
      "a folder); remove it or rebuild it")
  endif()
  # COPY_FILE follows a symlink and copies the file it names.
  file(COPY_FILE ${BIN_DIR}/${name} ${STAGE_DIR}/${name})
  file(CHMOD ${STAGE_DIR}/${name} PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE
    GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
  if(STRIP)
    execute_process(COMMAND ${STRIP} ${STAGE_DIR}/${name} RESULT_VARIABLE strip_result)
    if(NOT strip_result EQUAL 0)
      message(FATAL_ERROR "pack_archive.cmake: ${STRIP} failed on ${STAGE_DIR}/${name}")
    endif()
  endif()
endforeach()
foreach(name LICENSE README.md)
  file(COPY_FILE ${SOURCE_DIR}/${name} ${STAGE_DIR}/${name})
  file(CHMOD ${STAGE_DIR}/${name} PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
endforeach()

set(entries ${executables} LICENSE README.md)
list(SORT entries)
set(mtime 0)
if(DEFINED ENV{SOURCE_DATE_EPOCH} AND "$ENV{SOURCE_DATE_EPOCH}" MATCHES "^[0-9]+$")
  set(mtime $ENV{SOURCE_DATE_EPOCH})
endif()

set(tar_file ${STAGE_DIR}.tar)
file(REMOVE ${tar_file} ${tar_file}.gz)
execute_process(
  COMMAND ${GNU_TAR} --create --file=${tar_file} --format=gnu --sort=name --mtime=@${mtime}
    --owner=0 --group=0 --numeric-owner --no-recursion --directory=${STAGE_DIR} -- ${entries}
  RESULT_VARIABLE tar_result)
if(NOT tar_result EQUAL 0)
  message(FATAL_ERROR "pack_archive.cmake: ${GNU_TAR} failed to write ${tar_file}")
endif()
# -n: no original name or time stamp in the gzip header.
execute_process(COMMAND ${GZIP} -n -9 -f ${tar_file} RESULT_VARIABLE gzip_result)
if(NOT gzip_result EQUAL 0)
  message(FATAL_ERROR "pack_archive.cmake: ${GZIP} failed to compress ${tar_file}")
endif()
file(RENAME ${tar_file}.gz ${DIST_DIR}/${archive_name})
file(REMOVE_RECURSE ${STAGE_DIR})

file(SHA256 ${DIST_DIR}/${archive_name} archive_sha256)
list(LENGTH entries entry_count)
message(STATUS "Packed ${DIST_DIR}/${archive_name}: ${entry_count} files, sha256 ${archive_sha256}")
