#pragma once
// --force: go on although a safety check refused, saying loudly what was overridden.

namespace meshca {

enum class Force { no, yes };

} // namespace meshca
