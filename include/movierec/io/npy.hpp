// NumPy .npy files (format 1.0) of float32, little-endian, C order, as numpy.load reads them.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace movierec {

using RowMatrixXf = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Writes a 2-D array of shape (rows, cols). Throws Error if the stream fails.
void write_npy(std::ostream& out, const RowMatrixXf& matrix);
// Writes a 1-D array of shape (n,).
void write_npy(std::ostream& out, const Eigen::VectorXf& vector);

// Reads a 2-D '<f4' C-order array. Throws InputError naming `source` when the magic, version,
// header, dtype, order or shape is not that, or the data is shorter or longer than the shape.
RowMatrixXf read_npy_matrix(std::istream& in, const std::string& source);
// Reads a 1-D '<f4' array.
Eigen::VectorXf read_npy_vector(std::istream& in, const std::string& source);

}  // namespace movierec
