#include "meshca/composite/report/report_model.h"

namespace meshca {

bool ReportMtls::all_can_talk() const {
  for (std::size_t i = 0; i < accepts.size(); ++i)
    for (std::size_t j = 0; j < accepts[i].size(); ++j)
      if (!accepts[i][j])
        return false;
  return true;
}

} // namespace meshca
