// The user vector as a regularised least-squares fit of the answers so far, as in interactive
// collaborative filtering (Zhao, Zhang and Wang, CIKM 2013), and the fit's uncertainty:
//   u = argmin_u  sum_j (t_j - u . m_j)^2 + c |u - u0|^2  =  A^-1 b,
//   A = c I + sum_j m_j m_j^T,   b = c u0 + sum_j t_j m_j,
// over answers j (a movie embedding m_j and a target score t_j), with prior weight c > 0 and
// start vector u0. A^-1 is also the shape of the uncertainty about u that ucb and thompson
// exploration use (LinUCB: the posterior covariance of u up to the noise variance).
// k x k and exact: one Cholesky factorisation per answer, O(k^3), microseconds at k <= 100.
#pragma once

#include <Eigen/Cholesky>
#include <Eigen/Core>

namespace movierec {

class UserFit {
 public:
  // Starts over with no answers: A = c I, b = c u0. `prior_weight` (c) must be above 0;
  // throws Error otherwise (a Session checks its policy first).
  void reset(const Eigen::VectorXd& start, double prior_weight);
  // Adds one answer: A += m m^T, b += target m. `movie` has the start vector's size.
  void add(const Eigen::VectorXd& movie, double target);

  // A^-1 b: the fitted user vector.
  Eigen::VectorXd solution() const { return factor_.solve(b_); }
  // A^-1 x, for x of size k.
  Eigen::VectorXd solve(const Eigen::VectorXd& x) const { return factor_.solve(x); }
  // m^T A^-1 m: the fit's variance of the score of a movie m (>= 0, in units of the noise).
  double variance(const Eigen::VectorXd& movie) const;
  // L^-T z for A = L L^T: when z ~ N(0, I), the result ~ N(0, A^-1).
  Eigen::VectorXd correlate(const Eigen::VectorXd& z) const;

  const Eigen::MatrixXd& matrix() const { return a_; }  // A
  const Eigen::VectorXd& rhs() const { return b_; }     // b
  Eigen::Index size() const { return a_.rows(); }       // k; 0 before reset()

 private:
  Eigen::MatrixXd a_;
  Eigen::VectorXd b_;
  Eigen::LLT<Eigen::MatrixXd> factor_;
};

}  // namespace movierec
