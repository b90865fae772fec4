// Fuzzes the .npy reader (npy.hpp). The input's first byte picks the array kind (even: a 2-D
// matrix, odd: a 1-D vector); the rest is the file, read from a seekable stream and from a pipe.
// The reader may only throw InputError; both streams must agree; what it returns, written back by
// write_npy, must read back bit for bit.
#include <cstring>
#include <optional>
#include <sstream>
#include <string>

#include "fuzz_support.hpp"
#include "movierec/io/error.hpp"
#include "movierec/io/npy.hpp"

namespace {

using movierec::fuzz::check;

template <typename Array>
bool same_bits(const Array& a, const Array& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         (a.size() == 0 ||
          std::memcmp(a.data(), b.data(), static_cast<std::size_t>(a.size()) * sizeof(float)) == 0);
}

template <typename Array, typename Read>
std::optional<Array> try_read(std::istream& in, Read read) {
  try {
    return read(in);
  } catch (const movierec::InputError&) {
    return std::nullopt;
  }
}

template <typename Array, typename Read>
void fuzz(std::string_view file, Read read) {
  std::istringstream seekable{std::string(file)};
  const std::optional<Array> array = try_read<Array>(seekable, read);
  movierec::fuzz::PipeBuffer buffer(file);
  std::istream pipe(&buffer);
  const std::optional<Array> piped = try_read<Array>(pipe, read);
  check(array.has_value() == piped.has_value(), "a pipe and a file read differently");
  if (!array) return;
  check(same_bits(*array, *piped), "a pipe and a file read different values");
  std::ostringstream out;
  movierec::write_npy(out, *array);
  std::istringstream again(out.str());
  check(same_bits(read(again), *array), "an array written back does not read back the same");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view file = movierec::fuzz::as_text(data + 1, size - 1);
  if (data[0] % 2 == 0) {
    fuzz<movierec::RowMatrixXf>(
        file, [](std::istream& in) { return movierec::read_npy_matrix(in, "fuzz.npy"); });
  } else {
    fuzz<Eigen::VectorXf>(
        file, [](std::istream& in) { return movierec::read_npy_vector(in, "fuzz.npy"); });
  }
  return 0;
}
