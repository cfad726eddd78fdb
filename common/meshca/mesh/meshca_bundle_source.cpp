#include "meshca/mesh/meshca_bundle_source.h"

#include "meshca/mesh/spiffe_bundle.h"
#include "meshca/util/http_get.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <sys/stat.h>

namespace meshca {
namespace fs = std::filesystem;
namespace {

bool is_url(const std::string& value) {
  return value.starts_with("http://") || value.starts_with("https://");
}

std::string cache_path(const std::string& dir, const std::string& url) {
  return (fs::path(dir) /
          ("spiffe_bundle-" + std::to_string(std::hash<std::string>{}(url)) + ".json"))
      .string();
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Written to a private temporary file, then renamed: readers never see half a bundle.
void write_cache(const std::string& dir, const std::string& url, const std::string& body) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return;
  ::chmod(dir.c_str(), 0700);
  const std::string path = cache_path(dir, url);
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out)
      return;
    out << body;
    if (!out.flush())
      return;
  }
  fs::rename(temp, path, ec);
}

std::string age_text(fs::file_time_type written) {
  const auto age =
      std::chrono::duration_cast<std::chrono::minutes>(fs::file_time_type::clock::now() - written);
  if (age.count() < 120)
    return std::to_string(age.count()) + "m";
  return std::to_string(age.count() / 60) + "h";
}

Result<MeshCaRecognizer> from_text(const std::string& text, const std::string& source) {
  auto roots = parse_meshca_roots(text, source);
  if (!roots)
    return roots.error();
  const std::size_t count = roots->size();
  return MeshCaRecognizer::from_bundle(
      std::move(*roots), "Mesh CA roots: " + std::to_string(count) + " from " + source);
}

Result<MeshCaRecognizer> from_url(const std::string& url, const BundleSourceOptions& options,
                                  bool may_fall_back) {
  const std::string cached_path =
      options.cache_dir.empty() ? "" : cache_path(options.cache_dir, url);
  std::error_code ec;
  const auto written =
      cached_path.empty() ? fs::file_time_type{} : fs::last_write_time(cached_path, ec);
  const bool have_cache = !cached_path.empty() && !ec;
  // The public bundle is read from a fresh cache; a URL the user names is fetched every time
  // (it may be a bundle that just changed) and its cached copy serves only when the fetch fails.
  const bool prefer_cache = may_fall_back;
  if (prefer_cache && have_cache &&
      fs::file_time_type::clock::now() - written < options.cache_lifetime) {
    if (auto text = read_file(cached_path)) {
      if (auto fresh = from_text(*text, url + " (cached " + age_text(written) + " ago)"))
        return fresh;
    }
  }
  auto body = http_get(url);
  if (body) {
    auto recognizer = from_text(*body, url);
    if (recognizer && !options.cache_dir.empty())
      write_cache(options.cache_dir, url, *body);
    return recognizer;
  }
  if (have_cache) {
    if (auto text = read_file(cached_path)) {
      if (auto stale = from_text(*text, url + " (stale copy cached " + age_text(written) +
                                            " ago; refresh failed: " + body.error().message + ")"))
        return stale;
    }
  }
  if (!may_fall_back)
    return body.error();
  return MeshCaRecognizer::by_subject_cn(
      "Mesh CA roots: recognised by subject CN \"" + std::string(kMeshCaRootCnPrefix) +
      "...\" because the trust bundle could not be fetched (" + body.error().message +
      "); pass --meshca-bundle FILE for air-gapped clusters");
}

} // namespace

std::string default_cache_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0')
    return (fs::path(xdg) / "kubectl-meshca").string();
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0')
    return (fs::path(home) / ".cache" / "kubectl-meshca").string();
  return {};
}

Result<x509::FingerprintSet> parse_meshca_roots(const std::string& text, const std::string& what) {
  if (text.find("-----BEGIN") != std::string::npos) {
    MESHCA_TRY_ASSIGN(auto roots, x509::read_pem_bundle(text, what));
    return x509::fingerprints(roots);
  }
  MESHCA_TRY_ASSIGN(auto bundle, mesh::parse_spiffe_bundle(text, what));
  return bundle.fingerprints;
}

Result<MeshCaRecognizer> load_meshca_recognizer(const BundleSourceOptions& options) {
  if (!options.flag)
    return from_url(kDefaultMeshCaBundleUrl, options, true);
  const std::string& value = *options.flag;
  if (is_url(value))
    return from_url(value, options, false);
  auto text = read_file(value);
  if (!text)
    return bad_input("--meshca-bundle \"" + value +
                     "\": cannot read the file; pass a SPIFFE bundle (JSON) or PEM roots");
  auto recognizer = from_text(*text, "file \"" + value + "\"");
  if (!recognizer)
    return bad_input("--meshca-bundle: " + recognizer.error().message);
  return recognizer;
}

} // namespace meshca
