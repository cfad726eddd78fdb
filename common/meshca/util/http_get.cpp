#include "meshca/util/http_get.h"

#include "meshca/util/ca_store.h"

#include <curl/curl.h>
#include <memory>
#include <mutex>

namespace meshca {
namespace {

struct Sink {
  std::string body;
  std::size_t max_bytes = 0;
  bool overflow = false;
};

std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t bytes = size * count;
  if (sink->body.size() + bytes > sink->max_bytes) {
    sink->overflow = true;
    return 0; // makes curl stop with CURLE_WRITE_ERROR
  }
  sink->body.append(data, bytes);
  return bytes;
}

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

} // namespace

Result<std::string> http_get(const std::string& url, const HttpGetOptions& options) {
  init_curl_once();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl)
    return cluster_error("cannot fetch " + url + ": libcurl failed to initialise");
  // The release's libcurl has no built-in CA store: name the host's (ca_store.h). A plain http://
  // URL needs none, unless it redirects to https, where curl then reports the missing store.
  const CaStoreSearch ca_store = find_ca_store();
  if (ca_store.store) {
    if (!ca_store.store->file.empty())
      curl_easy_setopt(curl.get(), CURLOPT_CAINFO, ca_store.store->file.c_str());
    if (!ca_store.store->directory.empty())
      curl_easy_setopt(curl.get(), CURLOPT_CAPATH, ca_store.store->directory.c_str());
  } else if (url.rfind("http://", 0) != 0) {
    return cluster_error("cannot fetch " + url + ": " + describe_missing_ca_store(ca_store));
  }
  Sink sink;
  sink.max_bytes = options.max_bytes;
  char error_buffer[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(curl.get(), CURLOPT_REDIR_PROTOCOLS_STR, "https");
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl.get(), CURLOPT_USERAGENT, "kubectl-meshca");

  const CURLcode code = curl_easy_perform(curl.get());
  if (sink.overflow)
    return cluster_error("cannot fetch " + url + ": the answer is larger than " +
                         std::to_string(options.max_bytes) + " bytes");
  if (code != CURLE_OK) {
    const std::string reason = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    return cluster_error("cannot fetch " + url + ": " + reason);
  }
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status > 299)
    return cluster_error("cannot fetch " + url + ": HTTP status " + std::to_string(status));
  return std::move(sink.body);
}

} // namespace meshca
