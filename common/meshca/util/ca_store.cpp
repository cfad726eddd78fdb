#include "meshca/util/ca_store.h"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace meshca {

const std::vector<std::string>& ca_bundle_candidates() {
  static const std::vector<std::string> files = {
      "/etc/ssl/certs/ca-certificates.crt",                // Debian, Ubuntu, Arch, Gentoo
      "/etc/pki/tls/certs/ca-bundle.crt",                  // RHEL, Fedora, Amazon Linux
      "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // RHEL/CentOS 7+, Fedora
      "/etc/ssl/ca-bundle.pem",                            // openSUSE, SLES
      "/etc/ssl/cert.pem",                                 // Alpine, the BSDs
      "/etc/pki/tls/cacert.pem",                           // OpenELEC
      "/usr/share/ssl/certs/ca-bundle.crt",                // old Red Hat
      "/usr/local/share/certs/ca-root-nss.crt",            // FreeBSD
  };
  return files;
}

const std::vector<std::string>& ca_directory_candidates() {
  static const std::vector<std::string> directories = {
      "/etc/ssl/certs",     // Debian, Ubuntu, SUSE (curl's --with-ca-path default)
      "/etc/pki/tls/certs", // RHEL, Fedora
  };
  return directories;
}

CaStoreSearch find_ca_store(const CaStoreHost& host) {
  CaStoreSearch search;
  search.searched.push_back("$CURL_CA_BUNDLE");
  if (auto bundle = host.env("CURL_CA_BUNDLE")) {
    search.store = CaStore{*bundle, ""};
    return search;
  }
  search.searched.push_back("$SSL_CERT_FILE");
  search.searched.push_back("$SSL_CERT_DIR");
  auto file = host.env("SSL_CERT_FILE");
  auto directory = host.env("SSL_CERT_DIR");
  if (file || directory) {
    search.store = CaStore{file.value_or(""), directory.value_or("")};
    return search;
  }
  for (const auto& candidate : ca_bundle_candidates()) {
    search.searched.push_back(candidate);
    if (host.is_file(candidate)) {
      search.store = CaStore{candidate, ""};
      return search;
    }
  }
  for (const auto& candidate : ca_directory_candidates()) {
    search.searched.push_back(candidate + "/");
    if (host.is_directory(candidate)) {
      search.store = CaStore{"", candidate};
      return search;
    }
  }
  return search;
}

CaStoreSearch find_ca_store() {
  CaStoreHost host;
  host.env = [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr || *value == '\0')
      return std::nullopt;
    return std::string(value);
  };
  host.is_file = [](const std::string& path) {
    std::error_code error;
    return std::filesystem::is_regular_file(path, error);
  };
  host.is_directory = [](const std::string& path) {
    std::error_code error;
    return std::filesystem::is_directory(path, error);
  };
  return find_ca_store(host);
}

std::string describe_missing_ca_store(const CaStoreSearch& search) {
  std::string text = "no CA certificate store found; searched: ";
  for (std::size_t i = 0; i < search.searched.size(); ++i)
    text += (i == 0 ? "" : ", ") + search.searched[i];
  return text + "; set SSL_CERT_FILE to a PEM bundle of trusted CA certificates";
}

} // namespace meshca
