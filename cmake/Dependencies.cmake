find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED COMPONENTS program_options filesystem)
find_package(CURL REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(RapidJSON CONFIG REQUIRED) # sets RAPIDJSON_INCLUDE_DIRS only, no target

add_library(meshca_rapidjson INTERFACE)
target_include_directories(meshca_rapidjson SYSTEM INTERFACE ${RAPIDJSON_INCLUDE_DIRS})
target_compile_definitions(meshca_rapidjson INTERFACE RAPIDJSON_HAS_STDSTRING=1)

# Boost.Process v1 is headers plus Boost.Filesystem; Asio needs threads.
add_library(meshca_boost_process INTERFACE)
target_link_libraries(meshca_boost_process INTERFACE Boost::headers Boost::filesystem Threads::Threads)
