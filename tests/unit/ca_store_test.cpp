#include "meshca/util/ca_store.h"

#include <doctest/doctest.h>
#include <map>
#include <set>
#include <string>

namespace {

// A host with the given environment, files and directories, nothing else.
struct FakeHost {
  std::map<std::string, std::string> env;
  std::set<std::string> files;
  std::set<std::string> directories;

  meshca::CaStoreHost host() const {
    meshca::CaStoreHost h;
    h.env = [this](const std::string& name) -> std::optional<std::string> {
      auto it = env.find(name);
      if (it == env.end() || it->second.empty())
        return std::nullopt;
      return it->second;
    };
    h.is_file = [this](const std::string& path) { return files.count(path) != 0; };
    h.is_directory = [this](const std::string& path) { return directories.count(path) != 0; };
    return h;
  }
};

} // namespace

TEST_CASE("ca store: each distribution family's bundle is found") {
  const std::map<std::string, std::string> families = {
      {"debian/ubuntu", "/etc/ssl/certs/ca-certificates.crt"},
      {"rhel/fedora", "/etc/pki/tls/certs/ca-bundle.crt"},
      {"rhel extracted", "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem"},
      {"suse", "/etc/ssl/ca-bundle.pem"},
      {"alpine", "/etc/ssl/cert.pem"},
  };
  for (const auto& [family, bundle] : families) {
    CAPTURE(family);
    FakeHost fake;
    fake.files = {bundle};
    fake.directories = {"/etc/ssl/certs"};
    const auto search = meshca::find_ca_store(fake.host());
    REQUIRE(search.store.has_value());
    CHECK(search.store->file == bundle);
    CHECK(search.store->directory.empty());
  }
}

TEST_CASE("ca store: the first candidate wins when several exist") {
  FakeHost fake;
  fake.files = {"/etc/ssl/cert.pem", "/etc/pki/tls/certs/ca-bundle.crt"};
  const auto search = meshca::find_ca_store(fake.host());
  REQUIRE(search.store.has_value());
  CHECK(search.store->file == "/etc/pki/tls/certs/ca-bundle.crt");
}

TEST_CASE("ca store: CURL_CA_BUNDLE wins over everything, taken as given") {
  FakeHost fake;
  fake.env = {{"CURL_CA_BUNDLE", "/my/bundle.pem"}, {"SSL_CERT_FILE", "/other.pem"}};
  fake.files = {"/etc/ssl/certs/ca-certificates.crt"};
  const auto search = meshca::find_ca_store(fake.host());
  REQUIRE(search.store.has_value());
  CHECK(search.store->file == "/my/bundle.pem");
  CHECK(search.store->directory.empty());
}

TEST_CASE("ca store: SSL_CERT_FILE and SSL_CERT_DIR as OpenSSL reads them") {
  FakeHost fake;
  fake.files = {"/etc/ssl/certs/ca-certificates.crt"};
  SUBCASE("both") {
    fake.env = {{"SSL_CERT_FILE", "/f.pem"}, {"SSL_CERT_DIR", "/d"}};
    const auto search = meshca::find_ca_store(fake.host());
    REQUIRE(search.store.has_value());
    CHECK(search.store->file == "/f.pem");
    CHECK(search.store->directory == "/d");
  }
  SUBCASE("directory only") {
    fake.env = {{"SSL_CERT_DIR", "/d"}};
    const auto search = meshca::find_ca_store(fake.host());
    REQUIRE(search.store.has_value());
    CHECK(search.store->file.empty());
    CHECK(search.store->directory == "/d");
  }
  SUBCASE("an empty variable counts as unset") {
    fake.env = {{"SSL_CERT_FILE", ""}, {"CURL_CA_BUNDLE", ""}};
    const auto search = meshca::find_ca_store(fake.host());
    REQUIRE(search.store.has_value());
    CHECK(search.store->file == "/etc/ssl/certs/ca-certificates.crt");
  }
}

TEST_CASE("ca store: a hashed directory when no bundle file exists") {
  FakeHost fake;
  fake.directories = {"/etc/pki/tls/certs"};
  const auto search = meshca::find_ca_store(fake.host());
  REQUIRE(search.store.has_value());
  CHECK(search.store->file.empty());
  CHECK(search.store->directory == "/etc/pki/tls/certs");
}

TEST_CASE("ca store: nothing found names every place searched") {
  FakeHost fake;
  const auto search = meshca::find_ca_store(fake.host());
  CHECK_FALSE(search.store.has_value());
  // 3 variables, every bundle, every directory.
  CHECK(search.searched.size() ==
        3 + meshca::ca_bundle_candidates().size() + meshca::ca_directory_candidates().size());
  const std::string message = meshca::describe_missing_ca_store(search);
  CHECK(message.find("no CA certificate store found") != std::string::npos);
  CHECK(message.find("$SSL_CERT_FILE") != std::string::npos);
  for (const auto& file : meshca::ca_bundle_candidates())
    CHECK(message.find(file) != std::string::npos);
  CHECK(message.find("/etc/ssl/certs/") != std::string::npos);
  CHECK(message.find("set SSL_CERT_FILE") != std::string::npos);
}

TEST_CASE("ca store: this machine's lookup finds a store") {
  // The build machines are Debian with ca-certificates installed.
  const auto search = meshca::find_ca_store();
  CHECK(search.store.has_value());
}
