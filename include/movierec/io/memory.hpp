// Large arrays filled once: hundreds of megabytes of ratings written from start to end right
// after they are reserved.
#pragma once

#include <cstddef>

namespace movierec {

// Asks the kernel to back the whole 2 MB pages inside [data, data + bytes) with huge pages
// (transparent huge pages, which Debian enables on request), so that filling them costs one page
// fault per 2 MB instead of one per 4 KB: on the README's virtual machine a fault costs
// microseconds, and filling the 28M release's rating matrix cost 0.45 s more without it. Call it
// before the range is first written. Advice only: nothing changes where the kernel declines, and
// ranges under 2 MB are left alone.
void prefer_huge_pages(const void* data, std::size_t bytes);

}  // namespace movierec
