#include "movierec/io/npy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <istream>
#include <limits>
#include <optional>
#include <ostream>
#include <string_view>
#include <utility>
#include <vector>

#include "movierec/io/error.hpp"

namespace movierec {
namespace {

// The payload is written and read as raw bytes, which are '<f4' only on a little-endian host.
static_assert(std::endian::native == std::endian::little, ".npy I/O assumes a little-endian host");

constexpr std::string_view kMagic = "\x93NUMPY";
constexpr std::size_t kPreludeV1 = 10;  // magic, 2 version bytes, 2-byte header length
constexpr std::size_t kPreludeV2 = 12;  // the same with a 4-byte header length (versions 2, 3)
constexpr std::size_t kAlignment = 64;  // numpy aligns the data start to 64 bytes
// numpy refuses headers longer than this by default (max_header_size); so do we, before
// allocating for a hostile length.
constexpr std::size_t kMaxHeaderBytes = 10000;
constexpr std::size_t kNpyReadChunk = std::size_t{1} << 20;

void write_array(std::ostream& out, const std::string& shape, const float* data,
                 std::size_t count) {
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  const std::size_t unpadded = kPreludeV1 + header.size() + 1;
  header.append((kAlignment - unpadded % kAlignment) % kAlignment, ' ');
  header.push_back('\n');
  const auto length = static_cast<std::uint16_t>(header.size());
  out.write(kMagic.data(), static_cast<std::streamsize>(kMagic.size()));
  const char prelude[4] = {1, 0, static_cast<char>(length & 0xff), static_cast<char>(length >> 8)};
  out.write(prelude, sizeof prelude);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(reinterpret_cast<const char*>(data),
            static_cast<std::streamsize>(count * sizeof(float)));
  if (!out) throw Error("cannot write .npy data (disk full?)");
}

// The header's Python dict literal, e.g. {'descr': '<f4', 'fortran_order': False,
// 'shape': (3, 4), }: only what numpy writes (strings, True/False, tuples of integers).
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  struct Fields {
    std::optional<std::string> descr;
    std::optional<bool> fortran_order;
    std::optional<std::vector<std::uint64_t>> shape;
  };

  Fields parse() {
    Fields fields;
    expect('{');
    while (!accept('}')) {
      const std::string key = string();
      expect(':');
      if (key == "descr") {
        fields.descr = string();
      } else if (key == "fortran_order") {
        fields.fortran_order = boolean();
      } else if (key == "shape") {
        fields.shape = shape();
      } else {
        fail("unexpected key '" + key + "'");
      }
      if (!accept(',')) {
        expect('}');
        break;
      }
    }
    skip_space();
    if (pos_ != text_.size()) fail("unexpected text after the dictionary");
    if (!fields.descr || !fields.fortran_order || !fields.shape) {
      fail("'descr', 'fortran_order' and 'shape' are all required");
    }
    return fields;
  }

 private:
  [[noreturn]] void fail(const std::string& problem) const {
    throw InputError(source_, 0, "malformed .npy header: " + problem);
  }
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool accept(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!accept(c)) fail(std::string("expected '") + c + "'");
  }
  std::string string() {
    skip_space();
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) {
      fail("expected a quoted string");
    }
    const char quote = text_[pos_++];
    const std::size_t end = text_.find(quote, pos_);
    if (end == std::string_view::npos) fail("unterminated string");
    std::string value(text_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return value;
  }
  bool boolean() {
    skip_space();
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}}) {
      if (text_.substr(pos_, std::strlen(word)) == word) {
        pos_ += std::strlen(word);
        return value;
      }
    }
    fail("'fortran_order' must be True or False");
  }
  std::vector<std::uint64_t> shape() {
    expect('(');
    std::vector<std::uint64_t> dims;
    while (!accept(')')) {
      skip_space();
      const std::size_t start = pos_;
      std::uint64_t value = 0;
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
        const auto digit = static_cast<std::uint64_t>(text_[pos_++] - '0');
        if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
          fail("a dimension of 'shape' is too large");
        }
        value = value * 10 + digit;
      }
      if (pos_ == start) fail("'shape' must be a tuple of non-negative integers");
      dims.push_back(value);
      if (!accept(',')) {
        expect(')');
        break;
      }
    }
    return dims;
  }

  std::string_view text_;
  const std::string& source_;
  std::size_t pos_ = 0;
};

std::string describe_shape(const std::vector<std::uint64_t>& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    text += (i > 0 ? ", " : "") + std::to_string(shape[i]);
  }
  return text + (shape.size() == 1 ? ",)" : ")");
}

void read_exact(std::istream& in, char* data, std::size_t size, const std::string& source,
                const char* what) {
  in.read(data, static_cast<std::streamsize>(size));
  if (static_cast<std::size_t>(in.gcount()) != size) {
    throw InputError(source, 0, std::string("truncated .npy file (") + what + " ends early)");
  }
}

// Reads the prelude and header; returns the shape, after checking it has `dims` dimensions.
std::vector<std::uint64_t> read_header(std::istream& in, const std::string& source,
                                       std::size_t dims) {
  char prelude[kPreludeV2] = {};
  in.read(prelude, static_cast<std::streamsize>(kPreludeV1));
  if (in.gcount() == 0) throw InputError(source, 0, "empty file, expected a .npy array");
  if (static_cast<std::size_t>(in.gcount()) < kMagic.size() ||
      std::string_view(prelude, kMagic.size()) != kMagic) {
    throw InputError(source, 0, "not a .npy file (the magic bytes \\x93NUMPY are missing)");
  }
  if (static_cast<std::size_t>(in.gcount()) != kPreludeV1) {
    throw InputError(source, 0, "truncated .npy file (the header ends early)");
  }
  const auto major = static_cast<unsigned char>(prelude[6]);
  const auto minor = static_cast<unsigned char>(prelude[7]);
  if (major < 1 || major > 3 || minor != 0) {
    throw InputError(source, 0,
                     fmt::format(".npy format version {}.{} is not supported "
                                 "(1.0, 2.0 and 3.0 are)",
                                 major, minor));
  }
  std::size_t length = 0;
  if (major == 1) {
    length = static_cast<unsigned char>(prelude[8]) |
             static_cast<std::size_t>(static_cast<unsigned char>(prelude[9])) << 8;
  } else {
    read_exact(in, prelude + kPreludeV1, kPreludeV2 - kPreludeV1, source, "the header");
    for (int i = 3; i >= 0; --i) length = length << 8 | static_cast<unsigned char>(prelude[8 + i]);
  }
  if (length > kMaxHeaderBytes) {
    throw InputError(source, 0,
                     fmt::format(".npy header of {} bytes is longer than the {} "
                                 "allowed",
                                 length, kMaxHeaderBytes));
  }
  std::string header(length, '\0');
  read_exact(in, header.data(), length, source, "the header");
  if (header.empty() || header.back() != '\n') {
    throw InputError(source, 0, "malformed .npy header: it does not end in a line break");
  }
  const HeaderParser::Fields fields = HeaderParser(header, source).parse();
  if (*fields.descr != "<f4") {
    throw InputError(
        source, 0,
        "dtype '" + *fields.descr + "' is not supported: expected '<f4' (float32, little-endian)");
  }
  if (*fields.fortran_order) {
    throw InputError(source, 0, "Fortran-order arrays are not supported: expected C order");
  }
  if (fields.shape->size() != dims) {
    throw InputError(
        source, 0,
        fmt::format("expected a {}-D array, found shape {}", dims, describe_shape(*fields.shape)));
  }
  return *fields.shape;
}

// The number of floats the shape holds; refuses shapes whose byte size overflows.
std::size_t element_count(const std::vector<std::uint64_t>& shape, const std::string& source) {
  const std::uint64_t limit =
      static_cast<std::uint64_t>(std::numeric_limits<Eigen::Index>::max()) / sizeof(float);
  std::uint64_t count = 1;
  for (const std::uint64_t dim : shape) {
    if (dim > limit || (dim > 0 && count > limit / dim)) {
      throw InputError(source, 0, "shape " + describe_shape(shape) + " is too large");
    }
    count *= dim;
  }
  return static_cast<std::size_t>(count);
}

// The bytes left in `in`, when it can tell (files and string streams can).
std::optional<std::uint64_t> remaining_bytes(std::istream& in) {
  const std::istream::pos_type here = in.tellg();
  if (here == std::istream::pos_type(-1)) return std::nullopt;
  in.seekg(0, std::ios::end);
  const std::istream::pos_type end = in.tellg();
  in.seekg(here);
  if (end == std::istream::pos_type(-1) || !in) {
    in.clear();
    in.seekg(here);
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(end - here);
}

InputError size_mismatch(const std::string& source, std::uint64_t expected, std::uint64_t found) {
  return InputError(source, 0,
                    fmt::format("{} .npy file: the shape needs {} data bytes, found {}",
                                found < expected ? "truncated" : "over-long", expected, found));
}

// Reads `size` bytes in chunks; returns how many arrived.
std::uint64_t read_bytes(std::istream& in, char* data, std::uint64_t size) {
  std::uint64_t done = 0;
  while (done < size) {
    const auto chunk =
        static_cast<std::streamsize>(std::min<std::uint64_t>(kNpyReadChunk, size - done));
    in.read(data + done, chunk);
    done += static_cast<std::uint64_t>(in.gcount());
    if (in.gcount() != chunk) break;
  }
  return done;
}

// Reads the data of an array of `shape` into the array `make(count)` returns, and checks that
// nothing follows. A hostile shape must not allocate what the input cannot fill: a seekable
// stream is measured first, any other is buffered as it arrives.
template <typename Array, typename Make>
Array read_data(std::istream& in, const std::vector<std::uint64_t>& shape,
                const std::string& source, Make make) {
  const std::size_t count = element_count(shape, source);
  const std::uint64_t expected = std::uint64_t{count} * sizeof(float);
  Array array;
  if (const std::optional<std::uint64_t> remaining = remaining_bytes(in)) {
    if (*remaining != expected) throw size_mismatch(source, expected, *remaining);
    array = make();
    const std::uint64_t got = read_bytes(in, reinterpret_cast<char*>(array.data()), expected);
    if (got != expected) throw size_mismatch(source, expected, got);
  } else {
    std::vector<char> buffer;
    while (buffer.size() < expected) {
      const std::size_t before = buffer.size();
      buffer.resize(
          static_cast<std::size_t>(std::min<std::uint64_t>(expected, before + kNpyReadChunk)));
      const std::uint64_t got = read_bytes(in, buffer.data() + before, buffer.size() - before);
      if (before + got != buffer.size()) throw size_mismatch(source, expected, before + got);
    }
    array = make();
    if (expected > 0) std::memcpy(array.data(), buffer.data(), buffer.size());
  }
  if (in.peek() != std::char_traits<char>::eof())
    throw size_mismatch(source, expected, expected + 1);
  return array;
}

}  // namespace

void write_npy(std::ostream& out, const RowMatrixXf& matrix) {
  write_array(out, fmt::format("({}, {})", matrix.rows(), matrix.cols()), matrix.data(),
              static_cast<std::size_t>(matrix.size()));
}

void write_npy(std::ostream& out, const Eigen::VectorXf& vector) {
  write_array(out, fmt::format("({},)", vector.size()), vector.data(),
              static_cast<std::size_t>(vector.size()));
}

RowMatrixXf read_npy_matrix(std::istream& in, const std::string& source) {
  const std::vector<std::uint64_t> shape = read_header(in, source, 2);
  return read_data<RowMatrixXf>(in, shape, source, [&] {
    return RowMatrixXf(static_cast<Eigen::Index>(shape[0]), static_cast<Eigen::Index>(shape[1]));
  });
}

Eigen::VectorXf read_npy_vector(std::istream& in, const std::string& source) {
  const std::vector<std::uint64_t> shape = read_header(in, source, 1);
  return read_data<Eigen::VectorXf>(
      in, shape, source, [&] { return Eigen::VectorXf(static_cast<Eigen::Index>(shape[0])); });
}

}  // namespace movierec
