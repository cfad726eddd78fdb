find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS program_options filesystem)
find_package(OpenSSL 3 REQUIRED)
if(MESHCA_RELEASE_STATIC)
  # The static libcurl built for the release (cmake/ReleaseStatic.cmake): HTTP(S) over OpenSSL only.
  add_library(CURL::libcurl STATIC IMPORTED)
  set_target_properties(CURL::libcurl PROPERTIES
    IMPORTED_LOCATION ${MESHCA_CURL_PREFIX}/lib/libcurl.a
    INTERFACE_INCLUDE_DIRECTORIES ${MESHCA_CURL_PREFIX}/include
    INTERFACE_COMPILE_DEFINITIONS CURL_STATICLIB
    INTERFACE_LINK_LIBRARIES "OpenSSL::SSL;OpenSSL::Crypto;Threads::Threads")
else()
  find_package(CURL REQUIRED)
endif()
find_package(RapidJSON CONFIG REQUIRED) # sets RAPIDJSON_INCLUDE_DIRS only, no target

add_library(meshca_rapidjson INTERFACE)
target_include_directories(meshca_rapidjson SYSTEM INTERFACE ${RAPIDJSON_INCLUDE_DIRS})
target_compile_definitions(meshca_rapidjson INTERFACE RAPIDJSON_HAS_STDSTRING=1)

# Boost.Process v1 is headers plus Boost.Filesystem; Asio needs threads.
add_library(meshca_boost_process INTERFACE)
target_link_libraries(meshca_boost_process INTERFACE Boost::headers Boost::filesystem Threads::Threads)
