#pragma once
// Facts about the terminal, for choosing between human and pipe-friendly output.

#include <cstddef>
#include <optional>
#include <string_view>

namespace meshca {

// True when fd is open on a terminal.
bool is_terminal(int fd);

// True when fd is a terminal that understands cursor control: not TERM=dumb.
bool is_smart_terminal(int fd);

// Colour is used only on a smart terminal and only when NO_COLOR is unset or empty
// (https://no-color.org).
bool color_enabled(int fd);

// The pure rule behind color_enabled, for tests.
bool color_enabled_for(bool smart_terminal, std::optional<std::string_view> no_color);

// The terminal's width in columns, or `fallback` when fd is not a terminal or does not say.
std::size_t terminal_width(int fd, std::size_t fallback = 80);

} // namespace meshca
