// A minimal parallel loop for the pipeline's independent pieces of work (sorting users' ratings,
// writing separate files). The machine this targets has few cores, so a pool per call is cheap
// next to the work it spreads.
#pragma once

#include <cstddef>
#include <functional>

namespace movierec {

// Runs body(i) for every i in [0, count), on up to `threads` threads (0: one per hardware
// thread), handing out indexes in increasing order as threads become free, so put the largest
// pieces first. Waits for all; if any body throws, the remaining indexes are skipped and the
// first exception is rethrown here.
void parallel_for(std::size_t count, const std::function<void(std::size_t)>& body,
                  unsigned threads = 0);

}  // namespace movierec
