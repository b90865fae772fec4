#include "movierec/io/npy.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <sstream>
#include <streambuf>
#include <string>

#include "movierec/io/error.hpp"

using movierec::InputError;
using movierec::read_npy_matrix;
using movierec::read_npy_vector;
using movierec::RowMatrixXf;
using movierec::write_npy;

namespace {

std::string to_bytes(const RowMatrixXf& matrix) {
  std::ostringstream out;
  write_npy(out, matrix);
  return out.str();
}

RowMatrixXf sample_matrix() {
  RowMatrixXf m(2, 3);
  m << 1.5f, -2.25f, 3.0f, 0.0f, 1e-20f, -7.125e10f;
  return m;
}

// A .npy file with the given version, header text (padded here) and data bytes.
std::string npy_file(const std::string& dict, const std::string& data, int major = 1) {
  std::string header = dict;
  const std::size_t prelude = major == 1 ? 10 : 12;
  while ((prelude + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string file = "\x93NUMPY";
  file += static_cast<char>(major);
  file += '\0';
  const std::size_t length = header.size();
  file += static_cast<char>(length & 0xff);
  file += static_cast<char>((length >> 8) & 0xff);
  if (major != 1) file += std::string(2, '\0');
  return file + header + data;
}

std::string floats(std::size_t count) { return std::string(count * sizeof(float), '\0'); }

RowMatrixXf read_matrix(const std::string& bytes) {
  std::istringstream in(bytes);
  return read_npy_matrix(in, "test.npy");
}

// A stream that cannot seek, as a pipe.
class PipeBuffer : public std::streambuf {
 public:
  explicit PipeBuffer(std::string data) : data_(std::move(data)) {
    setg(data_.data(), data_.data(), data_.data() + data_.size());
  }

 private:
  std::string data_;
};

}  // namespace

TEST_CASE(".npy files round trip", "[npy]") {
  const RowMatrixXf m = sample_matrix();
  CHECK(read_matrix(to_bytes(m)) == m);

  Eigen::VectorXf v(4);
  v << 0.5f, -1.0f, 3.25f, 1e30f;
  std::ostringstream out;
  write_npy(out, v);
  std::istringstream in(out.str());
  CHECK(read_npy_vector(in, "v.npy") == v);

  const RowMatrixXf empty(0, 5);
  const RowMatrixXf back = read_matrix(to_bytes(empty));
  CHECK(back.rows() == 0);
  CHECK(back.cols() == 5);
}

TEST_CASE(".npy header is numpy's, byte for byte", "[npy]") {
  const std::string bytes = to_bytes(sample_matrix());
  // As numpy.save(f, np.zeros((2, 3), dtype='<f4')) writes it (numpy 1.24).
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  header += std::string(128 - 10 - 1 - header.size(), ' ') + '\n';
  const std::string expected = std::string("\x93NUMPY\x01\x00\x76\x00", 10) + header;
  REQUIRE(bytes.size() == 128 + 6 * sizeof(float));
  CHECK(bytes.substr(0, 128) == expected);
  float first = 0;
  std::memcpy(&first, bytes.data() + 128, sizeof first);
  CHECK(first == 1.5f);

  Eigen::VectorXf v(5);
  v.setZero();
  std::ostringstream out;
  write_npy(out, v);
  CHECK(out.str().substr(10, 59) == "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }  ");
  CHECK(out.str().size() % 64 == (5 * sizeof(float)) % 64);
  CHECK(out.str()[127] == '\n');
}

TEST_CASE(".npy reader accepts versions 2.0 and 3.0 and other key orders", "[npy]") {
  std::string data = floats(6);
  const RowMatrixXf zeros = RowMatrixXf::Zero(2, 3);
  for (int major : {2, 3}) {
    CHECK(read_matrix(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", data,
                               major)) == zeros);
  }
  CHECK(read_matrix(npy_file("{'shape': (2, 3), 'fortran_order': False, 'descr': '<f4'}", data)) ==
        zeros);
}

TEST_CASE(".npy reader refuses what it does not understand, naming the file", "[npy]") {
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  const auto refuses = [](const std::string& bytes, const std::string& what) {
    INFO(what);
    CHECK_THROWS_AS(read_matrix(bytes), InputError);
    CHECK_THROWS_WITH(read_matrix(bytes), Catch::StartsWith("test.npy: ") && Catch::Contains(what));
  };
  refuses("", "empty file");
  refuses("PK\x03\x04 a zip file, not npy", "magic");
  refuses(std::string("\x93NUMPY\x01", 7), "header ends early");
  refuses(npy_file(dict, floats(6)).replace(6, 1, "\x04"), "version 4.0");
  refuses(npy_file("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", floats(12)),
          "dtype '<f8'");
  refuses(npy_file("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }", floats(6)),
          "dtype '>f4'");
  refuses(npy_file("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", floats(6)),
          "Fortran");
  refuses(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", floats(6)),
          "expected a 2-D array, found shape (6,)");
  refuses(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 3), }", floats(6)),
          "expected a 2-D array");
  refuses(npy_file(dict, floats(5)),
          "truncated .npy file: the shape needs 24 data bytes, found 20");
  refuses(npy_file(dict, floats(6) + "x"), "over-long");
  refuses(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }",
                   floats(1)),
          "too large");
  refuses(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999, 1), }",
                   floats(1)),
          "too large");
  refuses(
      npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (200000000, 5000), }", floats(1)),
      "truncated");
  refuses(npy_file("{'descr': '<f4', 'fortran_order': False}", floats(6)), "required");
  refuses(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }", floats(6)),
          "non-negative integers");
  refuses(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", floats(6)),
          "unexpected key 'x'");
  refuses(npy_file(dict + " junk", floats(6)), "after the dictionary");
  std::string no_newline = npy_file(dict, floats(6));
  no_newline[127] = ' ';
  refuses(no_newline, "line break");
  std::string huge_header = npy_file(dict, floats(6), 2);
  huge_header.replace(8, 4, std::string("\xff\xff\xff\x7f", 4));
  refuses(huge_header, "longer than");
}

TEST_CASE(".npy reader checks sizes on streams that cannot seek", "[npy]") {
  const std::string good = to_bytes(sample_matrix());
  PipeBuffer pipe(good);
  std::istream in(&pipe);
  CHECK(read_npy_matrix(in, "pipe") == sample_matrix());

  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (200000000, 5000), }";
  PipeBuffer hostile(npy_file(dict, floats(3)));
  std::istream hostile_in(&hostile);
  CHECK_THROWS_WITH(read_npy_matrix(hostile_in, "pipe"), Catch::Contains("truncated"));

  PipeBuffer longer(good + "xx");
  std::istream longer_in(&longer);
  CHECK_THROWS_WITH(read_npy_matrix(longer_in, "pipe"), Catch::Contains("over-long"));
}

TEST_CASE(".npy vector reader wants one dimension", "[npy]") {
  std::istringstream in(to_bytes(sample_matrix()));
  CHECK_THROWS_WITH(read_npy_vector(in, "m.npy"), Catch::Contains("expected a 1-D array"));
}
