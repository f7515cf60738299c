import Foundation

private func text(_ s: String) -> [UInt8] { Array(s.utf8) }

/// Bad values for the regularized, unbalanced and accelerated solvers of `otkit transport`,
/// and `otkit reproduce`'s regularized experiments.
enum RegularizedCases {
  static let t = ["transport", "src.csv", "tgt.csv"]
  static let sinkhorn = t + ["--method", "sinkhorn", "--epsilon", "0.5"]

  static let all: [BadInputCase] = [
    BadInputCase("transport", "quadratic without --gamma", t + ["--method", "quadratic"], status: 64, ["--gamma"]),
    BadInputCase("transport", "negative gamma", t + ["--method", "quadratic", "--gamma", "-1"], status: 64, ["--gamma"]),
    BadInputCase("transport", "NaN gamma", t + ["--method", "quadratic", "--gamma", "nan"], status: 64, ["--gamma"]),
    BadInputCase("transport", "infinite gamma", t + ["--method", "quadratic", "--gamma", "inf"], status: 64, ["--gamma"]),
    BadInputCase("transport", "gamma with exact", t + ["--method", "exact", "--gamma", "1"], status: 64, ["--gamma"]),
    BadInputCase("transport", "sparse without --max-nonzeros", t + ["--method", "sparse", "--gamma", "1"], status: 64, ["--max-nonzeros"]),
    BadInputCase("transport", "max-nonzeros 0", t + ["--method", "sparse", "--gamma", "1", "--max-nonzeros", "0"], status: 64, ["--max-nonzeros"]),
    BadInputCase("transport", "max-nonzeros with quadratic", t + ["--method", "quadratic", "--gamma", "1", "--max-nonzeros", "2"], status: 64, ["--max-nonzeros"]),
    BadInputCase("transport", "max-nonzeros above n: plain quadratic", t + ["--method", "sparse", "--gamma", "1", "--max-nonzeros", "1000000", "--json"], status: 0, ["converged", "\"maxNonZeros\":1000000"]),
    BadInputCase("transport", "unknown formulation", t + ["--method", "quadratic", "--gamma", "1", "--formulation", "primal"], status: 64, ["--formulation"]),
    BadInputCase("transport", "epsilon with quadratic", t + ["--method", "quadratic", "--gamma", "1", "--epsilon", "1"], status: 64, ["--epsilon"]),
    BadInputCase("transport", "negative tolerance, quadratic", t + ["--method", "quadratic", "--gamma", "1", "--tolerance", "-1"], status: 64, ["--tolerance"]),
    BadInputCase("transport", "quadratic iteration limit", ["transport", "--example", "40", "--method", "quadratic", "--gamma", "0.01", "--max-iterations", "1", "--json"], status: 3, ["iterationLimit"]),
    BadInputCase("transport", "tiny gamma: honest status", t + ["--method", "quadratic", "--gamma", "1e-300", "--json"], status: 3, ["\"status\""]),
    BadInputCase("transport", "huge gamma", t + ["--method", "sparse", "--gamma", "1e300", "--max-nonzeros", "1", "--json"], status: 0, ["converged"]),
    BadInputCase("transport", "quadratic float32 and dual", t + ["--method", "quadratic", "--gamma", "1", "--float32", "--formulation", "dual", "--tolerance", "1e-4"], status: 0, ["float32", "dual"]),
    BadInputCase("transport", "quadratic of zero-weight points", t + ["--method", "quadratic", "--gamma", "1", "--source-weights", "zw.csv", "--target-weights", "zw.csv", "--json"],
      status: 0, ["converged"], files: ["zw.csv": text("0\n0.5\n0.5\n")]),
    BadInputCase("transport", "unbalanced without --rho", sinkhorn + ["--unbalanced"], status: 64, ["--rho"]),
    BadInputCase("transport", "rho without --unbalanced", sinkhorn + ["--rho", "1"], status: 64, ["--unbalanced"]),
    BadInputCase("transport", "negative rho", sinkhorn + ["--unbalanced", "--rho", "-1"], status: 64, ["--rho"]),
    BadInputCase("transport", "NaN rho", sinkhorn + ["--unbalanced", "--rho", "nan"], status: 64, ["--rho"]),
    BadInputCase("transport", "infinite rho on both sides", sinkhorn + ["--unbalanced", "--rho", "inf"], status: 64, ["finite rho"]),
    BadInputCase("transport", "unbalanced with exact", t + ["--method", "exact", "--unbalanced", "--rho", "1"], status: 64, ["--method sinkhorn"]),
    BadInputCase("transport", "unbalanced with --rescale", sinkhorn + ["--unbalanced", "--rho", "1", "--rescale"], status: 64, ["--rescale"]),
    BadInputCase("transport", "unknown penalty", sinkhorn + ["--unbalanced", "--rho", "1", "--penalty", "l7"], status: 64, ["--penalty"]),
    BadInputCase("transport", "unequal totals, unbalanced KL", sinkhorn + ["--unbalanced", "--rho", "1", "--source-weights", "two.csv", "--json"],
      status: 0, ["converged", "transportedMass"], files: ["two.csv": text("1\n1\n1\n")]),
    BadInputCase("transport", "semi-relaxed, TV, reference ones", sinkhorn + ["--unbalanced", "--rho-source", "inf", "--rho-target", "0.5", "--penalty", "tv", "--reference", "ones", "--json"],
      status: 0, ["converged", "\"sourcePenalty\":\"hard\""]),
    BadInputCase("transport", "tiny rho 1e-300", sinkhorn + ["--unbalanced", "--rho", "1e-300", "--json"], status: 0, ["transportedMass"]),
    BadInputCase("transport", "huge rho 1e300", sinkhorn + ["--unbalanced", "--rho", "1e300", "--json"], status: 0, ["converged"]),
    BadInputCase("transport", "omega 2", sinkhorn + ["--acceleration", "momentum", "--omega", "2"], status: 64, ["--omega"]),
    BadInputCase("transport", "omega without momentum", sinkhorn + ["--omega", "1.5"], status: 64, ["--omega"]),
    BadInputCase("transport", "anderson memory 1", sinkhorn + ["--acceleration", "anderson", "--anderson-memory", "1"], status: 64, ["--anderson-memory"]),
    BadInputCase("transport", "acceleration with exact", t + ["--method", "exact", "--acceleration", "none"], status: 64, ["--acceleration"]),
    BadInputCase("transport", "momentum 1.95 at tiny epsilon: safeguarded", ["transport", "--example", "60", "--method", "sinkhorn", "--epsilon", "0.002", "--relative-epsilon", "std",
      "--acceleration", "momentum", "--omega", "1.95", "--tolerance", "1e-3", "--max-iterations", "20000", "--json"], status: 0, ["converged", "\"acceleration\""]),
    BadInputCase("reproduce", "routing on a missing file", ["reproduce", "routing", "--data", "missing.csv"], status: 1, ["missing.csv"]),
    BadInputCase("reproduce", "data with acceleration", ["reproduce", "acceleration", "--data", "x.csv"], status: 64, ["--data"]),
    BadInputCase("reproduce", "routing on a file without the label column", ["reproduce", "routing", "--data", "src.csv"], status: 1, ["src.csv"]),
  ]
}
