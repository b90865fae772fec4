// How the library reports the progress of long steps: through a callback the caller gives, never
// by printing. Front ends draw it (frontends/progress.hpp) or not.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace movierec {

// Called as a long step advances: `step` names it for a person ("reading
// train_transformed.csv"), `done` is how much of it is done, `total` how much there is (0 when
// unknown). Calls come one at a time, from the calling thread unless a function says otherwise.
// Empty: nobody listens.
using ProgressSink =
    std::function<void(std::string_view step, std::size_t done, std::size_t total)>;

}  // namespace movierec
