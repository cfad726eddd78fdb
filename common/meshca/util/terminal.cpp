#include "meshca/util/terminal.h"

#include <cstdlib>
#include <string_view>
#include <sys/ioctl.h>
#include <unistd.h>

namespace meshca {

namespace {
std::optional<std::string_view> env(const char* name) {
  const char* value = std::getenv(name); // NOLINT(concurrency-mt-unsafe): read-only use
  if (value == nullptr)
    return std::nullopt;
  return std::string_view(value);
}
} // namespace

bool is_terminal(int fd) {
  return ::isatty(fd) == 1;
}

bool is_smart_terminal(int fd) {
  if (!is_terminal(fd))
    return false;
  const auto term = env("TERM");
  return !term || *term != "dumb";
}

bool color_enabled_for(bool smart_terminal, std::optional<std::string_view> no_color) {
  return smart_terminal && (!no_color || no_color->empty());
}

bool color_enabled(int fd) {
  return color_enabled_for(is_smart_terminal(fd), env("NO_COLOR"));
}

std::size_t terminal_width(int fd, std::size_t fallback) {
  winsize size{};
  if (!is_terminal(fd) || ::ioctl(fd, TIOCGWINSZ, &size) != 0 || size.ws_col == 0)
    return fallback;
  return size.ws_col;
}

} // namespace meshca
