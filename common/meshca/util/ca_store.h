#pragma once
// Where the host keeps its CA certificates, found at run time the way curl and OpenSSL do. The
// release executables link a libcurl with no built-in CA bundle (docs/install.md), so every HTTPS
// fetch names the store explicitly.

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace meshca {

struct CaStore {
  std::string file;      // a PEM bundle (CURLOPT_CAINFO); empty when only a directory is known
  std::string directory; // a hashed certificate directory (CURLOPT_CAPATH); may be empty
};

struct CaStoreSearch {
  std::optional<CaStore> store;
  std::vector<std::string> searched; // every variable and path looked at, in order
};

// The bundle files distributions ship, in the order they are tried: Debian/Ubuntu/Arch/Gentoo,
// RHEL/Fedora/Amazon Linux (two paths), SUSE, Alpine (and the BSDs), OpenELEC, old Red Hat,
// FreeBSD. curl's configure checks five of these (acinclude.m4, CURL_CHECK_CA_BUNDLE); Go's
// crypto/x509 (which kubectl uses) checks the others.
const std::vector<std::string>& ca_bundle_candidates();
// Hashed certificate directories, tried when no bundle file exists.
const std::vector<std::string>& ca_directory_candidates();

struct CaStoreHost {
  std::function<std::optional<std::string>(const std::string&)> env; // unset or empty: nullopt
  std::function<bool(const std::string&)> is_file;                   // following symlinks
  std::function<bool(const std::string&)> is_directory;
};

// 1. CURL_CA_BUNDLE (curl's variable): that file. 2. SSL_CERT_FILE and/or SSL_CERT_DIR
// (OpenSSL's): those. 3. The first bundle candidate that is a file. 4. The first directory
// candidate. Variables are taken as given (a wrong path is then curl's error, naming it).
CaStoreSearch find_ca_store(const CaStoreHost& host);
// The same on this process's environment and file system.
CaStoreSearch find_ca_store();

// "no CA certificate store found; searched: A, B, ...; set SSL_CERT_FILE to a PEM bundle"
std::string describe_missing_ca_store(const CaStoreSearch& search);

} // namespace meshca
