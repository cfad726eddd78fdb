#include "meshca/cli/kubeconfig_check.h"

#include "meshca/util/edit_distance.h"
#include "meshca/util/json.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace meshca {
namespace {

std::vector<std::string> names_in(const rapidjson::Value& config, std::string_view key) {
  std::vector<std::string> names;
  if (const auto* list = json::array_member(config, key)) {
    for (const auto& entry : list->GetArray())
      if (auto name = json::string_member(entry, "name"))
        names.emplace_back(*name);
  }
  return names;
}

std::string listed(const std::vector<std::string>& names) {
  if (names.empty())
    return "it holds none";
  std::string text = "it holds ";
  for (std::size_t i = 0; i < names.size(); ++i)
    text += (i == 0 ? "\"" : ", \"") + names[i] + "\"";
  return text;
}

std::string where(const CommonOptions& options) {
  return options.kubeconfig ? "kubeconfig \"" + *options.kubeconfig + "\"" : "the kubeconfig";
}

// `--context "x": the kubeconfig has no such context (it holds "a", "b"); did you mean "a"? ...`
Status check_name(const CommonOptions& options, const char* flag, const char* kind,
                  const std::string& value, const std::vector<std::string>& known,
                  const char* list_command) {
  if (std::find(known.begin(), known.end(), value) != known.end())
    return done();
  std::string message = std::string(flag) + " \"" + value + "\": " + where(options) + " has no " +
                        kind + " of that name (" + listed(known) + ")";
  const std::string list = "list them with kubectl " + std::string(list_command);
  if (auto suggestion = closest_match(value, known))
    message += "; did you mean \"" + *suggestion + "\"? Or " + list;
  else
    message += "; " + list;
  message += "; nothing was changed";
  return bad_input(message);
}

bool has_connection_names(const CommonOptions& options) {
  return options.kubeconfig || !options.contexts.empty() || options.cluster || options.user;
}

// The text after `marker` in `message`, up to the " (kubectl ...)" suffix of kubectl_failure.
std::string detail_after(const std::string& message, std::size_t start) {
  std::size_t end = message.find(" (kubectl ", start);
  if (end == std::string::npos)
    end = message.size();
  return message.substr(start, end - start);
}

// The quoted name after `marker` ("no server found for cluster \"x\"" -> x), or the bare rest.
std::string name_after(const std::string& message, std::size_t start) {
  std::string rest = detail_after(message, start);
  if (rest.size() >= 2 && rest.front() == '"') {
    const std::size_t close = rest.find('"', 1);
    if (close != std::string::npos)
      return rest.substr(1, close - 1);
  }
  const std::size_t stop = rest.find_first_of(";\n");
  return rest.substr(0, stop);
}

struct KnownFailure {
  std::string_view marker; // kubectl's own words (client-go clientcmd)
  const char* flag;
  const char* kind;
  const char* list_command;
};

// kubectl's messages for a kubeconfig that lacks the name it was asked for.
constexpr std::array kMissingNames = {
    KnownFailure{"context was not found for specified context: ", "--context", "context",
                 "config get-contexts"},
    KnownFailure{"no server found for cluster ", "--cluster", "cluster", "config get-clusters"},
    KnownFailure{"auth info ", "--user", "user", "config get-users"},
};

} // namespace

Result<KubeconfigNames> parse_kubeconfig_names(std::string_view text) {
  auto document = json::parse(text, "kubectl config view -o json");
  if (!document)
    return bad_input(document.error().message);
  if (!document->IsObject())
    return bad_input("kubectl config view -o json: expected a Config object");
  return KubeconfigNames{names_in(*document, "contexts"), names_in(*document, "clusters"),
                         names_in(*document, "users")};
}

Status check_connection_names(const CommonOptions& options, const KubeconfigNames& names) {
  for (const std::string& context : options.contexts)
    MESHCA_TRY(check_name(options, "--context", "context", context, names.contexts,
                          "config get-contexts"));
  if (options.cluster)
    MESHCA_TRY(check_name(options, "--cluster", "cluster", *options.cluster, names.clusters,
                          "config get-clusters"));
  if (options.user)
    MESHCA_TRY(
        check_name(options, "--user", "user", *options.user, names.users, "config get-users"));
  return done();
}

Status check_kubeconfig_file(const CommonOptions& options) {
  if (!options.kubeconfig)
    return done();
  const std::string& path = *options.kubeconfig;
  struct stat info {};
  if (path.empty())
    return bad_input("--kubeconfig: the file name is empty; name a kubeconfig file");
  if (::stat(path.c_str(), &info) != 0)
    return bad_input("--kubeconfig \"" + path + "\": " + std::strerror(errno) +
                     "; name an existing kubeconfig file; nothing was changed");
  if (!S_ISREG(info.st_mode))
    return bad_input("--kubeconfig \"" + path + "\": not a regular file; name a kubeconfig file");
  if (::access(path.c_str(), R_OK) != 0)
    return bad_input("--kubeconfig \"" + path + "\": cannot be read: " + std::strerror(errno));
  return done();
}

Status check_kubeconfig(KubectlRunner& kubectl, const CommonOptions& options) {
  MESHCA_TRY(check_kubeconfig_file(options));
  if (!has_connection_names(options))
    return done();
  MESHCA_TRY_ASSIGN(auto output, kubectl.run({"config", "view", "-o", "json"}));
  if (!output.succeeded())
    return classify_kubeconfig_error(
        kubectl_failure(output, {"config", "view", "-o", "json"}, "reading the kubeconfig"));
  MESHCA_TRY_ASSIGN(auto names, parse_kubeconfig_names(output.out));
  return check_connection_names(options, names);
}

Result<std::string> prepare_kubectl(const CommonOptions& options) {
  auto path = locate_kubectl(options.kubectl);
  if (!path)
    return path.error();
  ConnectionFlags file_only;
  file_only.kubeconfig = options.kubeconfig;
  Kubectl kubectl(*path, file_only, options.verbose ? Verbose::yes : Verbose::no);
  MESHCA_TRY(check_kubeconfig(kubectl, options));
  return path;
}

Error classify_kubeconfig_error(Error error) {
  if (error.status != ExitStatus::cluster_error)
    return error;
  const std::string& message = error.message;
  constexpr std::string_view kLoading = "error loading config file ";
  if (const std::size_t at = message.find(kLoading); at != std::string::npos) {
    const std::size_t start = at + kLoading.size();
    const std::string path = name_after(message, start);
    std::string detail = detail_after(message, start);
    if (detail.starts_with("\"" + path + "\": "))
      detail.erase(0, path.size() + 4);
    return bad_input("kubeconfig \"" + path + "\" cannot be loaded: " + detail +
                     "; fix the file, or point --kubeconfig or $KUBECONFIG at a valid one; "
                     "nothing was changed");
  }
  for (const KnownFailure& known : kMissingNames) {
    const std::size_t at = message.find(known.marker);
    if (at == std::string::npos)
      continue;
    const std::string name = name_after(message, at + known.marker.size());
    return bad_input(std::string(known.flag) + " \"" + name + "\": the kubeconfig has no " +
                     known.kind + " of that name; list them with kubectl " + known.list_command +
                     "; nothing was changed");
  }
  constexpr std::string_view kTimeout = "Invalid timeout value";
  if (message.find(kTimeout) != std::string::npos)
    return bad_input("--request-timeout: kubectl refuses the value: expected a duration such as "
                     "30s, 2m or 1h (0 means no timeout); nothing was changed");
  return error;
}

} // namespace meshca
