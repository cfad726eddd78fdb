#include "server/mutation_log.h"

#include "server/json_util.h"

namespace sim {
namespace {

constexpr std::size_t kLoggedBodyLimit = 4096;

std::string body_summary(const MutationRecord& record) {
  if (record.body.empty())
    return "null";
  if (record.body.size() <= kLoggedBodyLimit) {
    if (auto doc = parse_json(record.body)) {
      if (record.resource == "secrets") {
        for (const char* key : {"data", "stringData"})
          if (auto* data = member(*doc, key); data && data->IsObject())
            for (auto& entry : data->GetObject())
              entry.value.SetString("<redacted>");
      }
      return to_json(*doc);
    }
  }
  return quote(record.body.substr(0, 512));
}

} // namespace

MutationLog::MutationLog(const std::string& path) {
  if (!path.empty())
    file_.open(path, std::ios::app);
}

void MutationLog::append(const MutationRecord& record) {
  std::lock_guard lock(mu_);
  std::string line =
      "{\"time\":" + quote(now_rfc3339()) + ",\"seq\":" + std::to_string(++seq_) +
      ",\"verb\":" + quote(record.verb) + ",\"resource\":" + quote(record.resource) +
      ",\"subresource\":" + quote(record.subresource) + ",\"namespace\":" + quote(record.ns) +
      ",\"name\":" + quote(record.name) + ",\"patchType\":" + quote(record.patch_type) +
      ",\"dryRun\":" + (record.dry_run ? "true" : "false") +
      ",\"code\":" + std::to_string(record.code) + ",\"body\":" + body_summary(record) + "}\n";
  lines_ += line;
  if (file_.is_open()) {
    file_ << line;
    file_.flush();
  }
}

std::string MutationLog::contents() const {
  std::lock_guard lock(mu_);
  return lines_;
}

void MutationLog::clear() {
  std::lock_guard lock(mu_);
  lines_.clear();
}

} // namespace sim
