import Foundation
import OTKitData

private func text(_ s: String) -> [UInt8] { Array(s.utf8) }

/// Bad values and numbers at the edge of `Double` for `otkit transport`.
enum TransportCases {
  static let big = text("1e200,0\n-1e200,0\n")
  static let small = text("0,0\n1,1\n")

  static let all: [BadInputCase] = [
    BadInputCase("transport", "1 x 1, relative epsilon std (std 0)", ["transport", "one.csv", "two.csv", "--method", "sinkhorn", "--epsilon", "0.1", "--relative-epsilon", "std"],
      status: 1, ["std(C)", "--epsilon"], files: ["one.csv": text("x\n0\n"), "two.csv": text("x\n1\n")]),
    BadInputCase("transport", "zero costs, relative epsilon max", ["transport", "one.csv", "one.csv", "--method", "sinkhorn", "--epsilon", "0.1", "--relative-epsilon", "max"],
      status: 1, ["max(C)"], files: ["one.csv": text("x\n0\n")]),
    BadInputCase("transport", "zero costs, relative epsilon mean (sns)", ["transport", "src.csv", "src.csv", "--method", "sns", "--epsilon", "0.1", "--relative-epsilon", "mean", "--cost", "cosine"],
      status: 1, ["mean(C)"], files: ["src.csv": text("1,1\n2,2\n3,3\n")]),
    BadInputCase("transport", "costs overflow (1e200), auto", ["transport", "big.csv", "small.csv"], status: 1, ["overflow"], files: ["big.csv": big, "small.csv": small]),
    BadInputCase("transport", "costs overflow (1e200), exact --json", ["transport", "big.csv", "small.csv", "--method", "exact", "--json"], status: 1, ["overflow"],
      files: ["big.csv": big, "small.csv": small]),
    BadInputCase("transport", "costs overflow (1e200), sinkhorn", ["transport", "big.csv", "small.csv", "--method", "sinkhorn", "--epsilon", "1"], status: 1, ["overflow"],
      files: ["big.csv": big, "small.csv": small]),
    BadInputCase("transport", "costs overflow (1e200), euclidean", ["transport", "big.csv", "small.csv", "--cost", "euclidean"], status: 1, ["overflow"],
      files: ["big.csv": big, "small.csv": small]),
    BadInputCase("transport", "costs overflow, 1d", ["transport", "b1.csv", "s1.csv", "--method", "1d"], status: 1, ["overflow"],
      files: ["b1.csv": text("1e200\n-1e200\n"), "s1.csv": text("0\n1\n")]),
    BadInputCase("transport", "cosine of huge vectors (norms overflow)", ["transport", "big.csv", "small.csv", "--cost", "cosine", "--json"], status: 1, ["overflow"],
      files: ["big.csv": big, "small.csv": small]),
    BadInputCase("transport", "costs of 1e200 (their squares overflow), relative epsilon std", ["transport", "h.csv", "h2.csv", "--method", "sinkhorn", "--epsilon", "0.1", "--relative-epsilon", "std", "--json"],
      status: 0, ["converged"], files: ["h.csv": text("1e100,0\n0,1e100\n"), "h2.csv": text("0,0\n3e100,1e100\n")]),
    BadInputCase("transport", "weights near 1e308 (total overflows)", ["transport", "src.csv", "tgt.csv", "--source-weights", "w.csv", "--target-weights", "w.csv"],
      status: 1, ["w.csv", "overflow"], files: ["w.csv": text("1e308\n1e308\n1e308\n")]),
    BadInputCase("transport", "mass times cost overflows", ["transport", "far.csv", "tgt.csv", "--source-weights", "w.csv", "--target-weights", "w.csv"],
      status: 1, ["overflow"], files: ["w.csv": text("1e300\n1e300\n1e300\n"), "far.csv": text("1e5,0\n-1e5,0\n0,1e5\n")]),
    BadInputCase("transport", "zero cost, uneven weights: certified", ["transport", "src.csv", "src.csv", "--source-weights", "w.csv", "--target-weights", "w.csv", "--method", "exact"],
      status: 0, ["certificate: holds"], files: ["w.csv": text("0.1\n0.2\n0.7\n")]),
    BadInputCase("transport", "identical points, assignment: certified", ["transport", "src.csv", "src.csv", "--method", "assignment"], status: 0, ["certificate: holds"]),
    BadInputCase("transport", "subnormal coordinates", ["transport", "tiny.csv", "tiny.csv", "--method", "exact"], status: 0, ["certificate: holds"],
      files: ["tiny.csv": text("1e-310,0\n0,1e-310\n")]),
    BadInputCase("transport", "tiny weights 1e-300", ["transport", "src.csv", "tgt.csv", "--source-weights", "w.csv", "--target-weights", "w.csv", "--json"],
      status: 0, ["certificate: holds"], files: ["w.csv": text("1e-300\n2e-300\n3e-300\n")]),
    BadInputCase("transport", "dimension mismatch", ["transport", "src.csv", "q.csv"], status: 1, ["src.csv", "dimension"]),
    BadInputCase("transport", "negative weight", ["transport", "src.csv", "tgt.csv", "--source-weights", "w.csv"], status: 1, ["w.csv", "negative"],
      files: ["w.csv": text("0.5\n-0.25\n0.75\n")]),
    BadInputCase("transport", "zero weights", ["transport", "src.csv", "tgt.csv", "--target-weights", "w.csv"], status: 1, ["w.csv", "sum to zero"],
      files: ["w.csv": text("0\n0\n0\n")]),
    BadInputCase("transport", "unequal totals", ["transport", "src.csv", "tgt.csv", "--source-weights", "w.csv"], status: 1, ["--rescale"],
      files: ["w.csv": text("1\n1\n1\n")]),
    BadInputCase("transport", "weight count", ["transport", "src.csv", "tgt.csv", "--source-weights", "w.csv"], status: 1, ["w.csv"], files: ["w.csv": text("0.5\n0.5\n")]),
    BadInputCase("transport", "weights of two columns", ["transport", "src.csv", "tgt.csv", "--source-weights", "src.csv"], status: 1, ["src.csv", "one column"]),
    BadInputCase("transport", "1d on 2-D points", ["transport", "src.csv", "tgt.csv", "--method", "1d"], status: 1, ["src.csv"]),
    BadInputCase("transport", "assignment with n != m", ["transport", "src.csv", "k.csv", "--method", "assignment"], status: 1, ["assignment"],
      files: ["k.csv": text("0,0\n1,1\n2,2\n3,3\n")]),
    BadInputCase("transport", "network simplex iteration limit", ["transport", "--example", "40", "--method", "exact", "--max-iterations", "2"], status: 3, ["iterationLimit"]),
    BadInputCase("transport", "sinkhorn iteration limit", ["transport", "--example", "40", "--method", "sinkhorn", "--epsilon", "0.001", "--relative-epsilon", "max", "--max-iterations", "3", "--json"],
      status: 3, ["iterationLimit"]),
    BadInputCase("transport", "float32 costs overflow Float", ["transport", "fbig.csv", "small.csv", "--method", "sinkhorn", "--epsilon", "1", "--float32"],
      status: 1, ["--float32"], files: ["fbig.csv": text("1e20,0\n-1e20,0\n"), "small.csv": small]),
    BadInputCase("transport", "tiny absolute epsilon: stops short", ["transport", "src.csv", "tgt.csv", "--method", "sinkhorn", "--epsilon", "1e-300", "--max-iterations", "50", "--json"], status: 3, ["iterationLimit"]),
    BadInputCase("transport", "huge absolute epsilon", ["transport", "src.csv", "tgt.csv", "--method", "sinkhorn", "--epsilon", "1e300", "--json"], status: 0, ["converged"]),
    BadInputCase("transport", "plan into a missing directory", ["transport", "src.csv", "tgt.csv", "--plan", "nodir/plan.npy"], status: 1, ["nodir/plan.npy"]),
    // The cosine cost of a zero vector is 1 by definition (documented; SciPy gives NaN).
    BadInputCase("transport", "cosine with a zero vector", ["transport", "z.csv", "tgt.csv", "--cost", "cosine", "--json"], status: 0, ["certificate: holds"],
      files: ["z.csv": text("0,0\n1,0\n0,1\n")]),
    BadInputCase("transport", "minkowski p = 1000 (|x - y|^p overflows)", ["transport", "src.csv", "tgt.csv", "--cost", "minkowski", "--minkowski-p", "1000", "--json"], status: 1, ["overflow"]),
    BadInputCase("transport", "minkowski p = 1000 on the unit square", ["transport", "u.csv", "u.csv", "--cost", "minkowski", "--minkowski-p", "1000"], status: 0, ["certificate: holds"],
      files: ["u.csv": text("0,0\n0.5,0\n0,0.5\n")]),
    BadInputCase("transport", "10^6 columns", ["transport", "wide.csv", "wide.csv", "--json"], status: 0, ["certificate: holds"], files: ["wide.csv": Wide.points]),
    BadInputCase("transport", "one point each", ["transport", "one.csv", "one.csv", "--json"], status: 0, ["certificate: holds"], files: ["one.csv": text("5\n")]),
    // Option misuse: exit 64 (ArgumentParser's validation status).
    BadInputCase("transport", "negative epsilon", ["transport", "src.csv", "tgt.csv", "--method", "sinkhorn", "--epsilon", "-1"], status: 64, ["--epsilon"]),
    BadInputCase("transport", "NaN epsilon", ["transport", "src.csv", "tgt.csv", "--method", "sinkhorn", "--epsilon", "nan"], status: 64, ["--epsilon"]),
    BadInputCase("transport", "unknown method", ["transport", "src.csv", "tgt.csv", "--method", "bogus"], status: 64, ["--method"]),
    BadInputCase("transport", "unknown cost", ["transport", "src.csv", "tgt.csv", "--cost", "bogus"], status: 64, ["--cost"]),
    BadInputCase("transport", "minkowski p below 1", ["transport", "src.csv", "tgt.csv", "--cost", "minkowski", "--minkowski-p", "0.5"], status: 64, ["--minkowski-p"]),
    BadInputCase("transport", "minkowski p without minkowski", ["transport", "src.csv", "tgt.csv", "--minkowski-p", "2"], status: 64, ["--minkowski-p"]),
    BadInputCase("transport", "example 0", ["transport", "--example", "0"], status: 64, ["--example"]),
    BadInputCase("transport", "max iterations 0", ["transport", "src.csv", "tgt.csv", "--max-iterations", "0"], status: 64, ["--max-iterations"]),
    BadInputCase("transport", "negative tolerance", ["transport", "src.csv", "tgt.csv", "--method", "sinkhorn", "--epsilon", "1", "--tolerance", "-1"], status: 64, ["--tolerance"]),
    BadInputCase("transport", "missing target", ["transport", "src.csv"], status: 64, ["TARGET"]),
    BadInputCase("transport", "1d with cosine", ["transport", "src.csv", "tgt.csv", "--method", "1d", "--cost", "cosine"], status: 64, ["cosine"]),
    BadInputCase("transport", "huge example", ["transport", "--example", "9223372036854775807"], status: 64, ["--example"]),
  ]
}

/// Bad arrays and values for `otkit attention`.
enum AttentionCases {
  static func array(_ shape: [Int], _ make: (Int) -> Double) -> [UInt8] {
    BadFiles.npy(shape: shape, values: (0..<shape.reduce(1, *)).map(make))
  }

  /// Queries and keys whose scores are about `scale` apart.
  static func scaled(_ scale: Double) -> [String: [UInt8]] {
    ["hq.npy": array([3, 2]) { Double($0 % 5 + 1) * scale }, "hk.npy": array([4, 2]) { Double(($0 * 3) % 7) - 2 }]
  }

  static func weightsAreDistributions(_ directory: String, _: String) -> String? {
    Checks.rowsAreDistributions(directory + "/w.npy")
  }

  /// Sinkhorn's weights (rows first, columns last): finite, non-negative, columns of
  /// mass n / m, so a total of n.
  static func weightsAreScaled(_ directory: String, _: String) -> String? {
    guard let array = try? NPY.read(directory + "/w.npy"), array.shape.count == 2 else { return "w.npy was not written" }
    guard array.values.allSatisfy({ $0.isFinite && $0 >= 0 }) else { return "non-finite or negative weights: \(array.values)" }
    let total = array.values.reduce(0, +)
    return abs(total - Double(array.shape[0])) <= 1e-6 * Double(array.shape[0]) ? nil : "the weights total \(total), not \(array.shape[0])"
  }

  /// Every anchor on scores of magnitudes from 1e-300 to 1e150.
  static let largeScores: [BadInputCase] = {
    var cases: [BadInputCase] = []
    for anchor in ["softmax", "sparsemax", "entmax", "sinkhorn"] {
      for scale in [1e16, 1e100, 1e150, 1e-300, 1e3] {
        var arguments: [String] = ["attention", "--queries", "hq.npy", "--keys", "hk.npy", "--anchor", anchor, "--weights", "w.npy", "--temperature", "1"]
        if anchor == "entmax" { arguments += ["--alpha", "1.3"] }
        if anchor == "sinkhorn" && scale > 1e12 {
          // Refused: the potentials cannot resolve the weights' exponents.
          cases.append(BadInputCase("attention", "sinkhorn on scores of about \(scale)", arguments, status: 1, ["hq.npy", "sinkhorn anchor resolves"], files: scaled(scale)))
          continue
        }
        let check: @Sendable (String, String) -> String? = anchor == "sinkhorn" ? weightsAreScaled : weightsAreDistributions
        cases.append(BadInputCase("attention", "\(anchor) on scores of about \(scale)", arguments, status: 0, files: scaled(scale), check: check))
      }
    }
    return cases
  }()

  static let all: [BadInputCase] = [
    BadInputCase("attention", "0 heads", ["attention", "--queries", "q0.npy", "--keys", "k0.npy"], status: 1, ["q0.npy", "heads"],
      files: ["q0.npy": array([0, 3, 4]) { _ in 0 }, "k0.npy": array([0, 5, 4]) { _ in 0 }]),
    BadInputCase("attention", "scores overflow (1e200)", ["attention", "--queries", "big.csv", "--keys", "big.csv"], status: 1, ["overflow"],
      files: ["big.csv": text("1e200,1e200\n-1e200,1e200\n")]),
    BadInputCase("attention", "d = 0", ["attention", "--queries", "q.npy", "--keys", "k.npy"], status: 1, ["q.npy", "no coordinates"],
      files: ["q.npy": array([3, 0]) { _ in 0 }, "k.npy": array([5, 0]) { _ in 0 }]),
    BadInputCase("attention", "0 keys", ["attention", "--queries", "q.csv", "--keys", "k.npy"], status: 1, ["k.npy", "no keys"], files: ["k.npy": array([0, 4]) { _ in 0 }]),
    BadInputCase("attention", "0 queries", ["attention", "--queries", "q.npy", "--keys", "k.csv"], status: 1, ["q.npy", "no queries"], files: ["q.npy": array([0, 4]) { _ in 0 }]),
    BadInputCase("attention", "4-D queries", ["attention", "--queries", "q.npy", "--keys", "k.csv"], status: 1, ["q.npy"], files: ["q.npy": array([1, 1, 3, 4]) { _ in 0 }]),
    BadInputCase("attention", "query and key widths differ", ["attention", "--queries", "q.csv", "--keys", "v.csv"], status: 1, ["v.csv"]),
    BadInputCase("attention", "values rows differ from keys", ["attention", "--queries", "q.csv", "--keys", "k.csv", "--values", "q.csv"], status: 1, ["q.csv"]),
    BadInputCase("attention", "heads differ", ["attention", "--queries", "q3.npy", "--keys", "k3.npy"], status: 1, ["k3.npy", "heads"],
      files: ["q3.npy": array([2, 3, 4]) { Double($0 % 3) }, "k3.npy": array([3, 5, 4]) { Double($0 % 4) }]),
    BadInputCase("attention", "orthostochastic needs square scores", ["attention", "--queries", "q.csv", "--keys", "k.csv", "--anchor", "orthostochastic"], status: 1, ["q.csv", "k.csv", "orthostochastic"]),
    BadInputCase("attention", "weights into a missing directory", ["attention", "--queries", "q.csv", "--keys", "k.csv", "--weights", "nodir/w.npy"], status: 1, ["nodir/w.npy"]),
    BadInputCase("attention", "temperature 0", ["attention", "--queries", "q.csv", "--keys", "k.csv", "--temperature", "0"], status: 64, ["--temperature"]),
    BadInputCase("attention", "temperature NaN", ["attention", "--queries", "q.csv", "--keys", "k.csv", "--temperature", "nan"], status: 64, ["--temperature"]),
    BadInputCase("attention", "alpha 1", ["attention", "--queries", "q.csv", "--keys", "k.csv", "--anchor", "entmax", "--alpha", "1"], status: 64, ["--alpha"]),
    BadInputCase("attention", "iterations 0", ["attention", "--queries", "q.csv", "--keys", "k.csv", "--anchor", "sinkhorn", "--iterations", "0"], status: 64, ["--iterations"]),
    BadInputCase("attention", "negative tolerance", ["attention", "--queries", "q.csv", "--keys", "k.csv", "--anchor", "sinkhorn", "--tolerance", "-1"], status: 64, ["--tolerance"]),
    BadInputCase("attention", "unknown anchor", ["attention", "--queries", "q.csv", "--keys", "k.csv", "--anchor", "bogus"], status: 64, ["--anchor"]),
    BadInputCase("attention", "no keys option", ["attention", "--queries", "q.csv"], status: 64, ["--keys"]),
    BadInputCase("attention", "unknown carrier", ["attention", "--queries", "q.csv", "--keys", "k.csv", "--carrier", "band"], status: 64, ["--carrier"]),
    BadInputCase("attention", "negative window", ["attention", "--queries", "q.csv", "--keys", "k.csv", "--carrier", "window:-2"], status: 64, ["--carrier"]),
    BadInputCase("attention", "orthostochastic on a causal carrier", ["attention", "--queries", "q.csv", "--keys", "q.csv", "--anchor", "orthostochastic", "--carrier", "causal"],
      status: 1, ["--carrier", "full carrier"]),
    BadInputCase("attention", "upstream of the wrong shape", ["attention", "--queries", "q3.npy", "--keys", "q3.npy", "--upstream", "u.npy"], status: 1, ["u.npy", "heads x queries x keys"],
      files: ["q3.npy": array([2, 3, 4]) { Double($0 % 3) }, "u.npy": array([2, 3, 2]) { _ in 1 }]),
    BadInputCase("attention", "unknown link", ["attention", "--queries", "q.csv", "--keys", "k.csv", "--link", "power:1.5"], status: 64, ["--link"]),
    BadInputCase("attention", "orthostochastic on a power link", ["attention", "--queries", "q.csv", "--keys", "q.csv", "--anchor", "orthostochastic", "--link", "power:0.5"],
      status: 1, ["--link", "exp link only"]),
    BadInputCase("attention", "missing upstream file", ["attention", "--queries", "q.csv", "--keys", "k.csv", "--upstream", "none.npy"], status: 1, ["none.npy"]),
    BadInputCase("inspect", "no model directory", ["inspect", "nomodel", "train.csv"], status: 1, ["nomodel"]),
    BadInputCase("inspect", "an MLP model", ["inspect", "model", "train.csv"], status: 1, ["model", "not a transformer"], model: "mlp"),
    BadInputCase("inspect", "instances 0", ["inspect", "nomodel", "train.csv", "--instances", "0"], status: 64, ["--instances"]),
    BadInputCase("inspect", "block -1", ["inspect", "nomodel", "train.csv", "--block", "-1"], status: 64, ["--block"]),
  ] + largeScores + [
    BadInputCase("attention", "entmax 1.5 on scores of 1e16", ["attention", "--queries", "hq.npy", "--keys", "hk.npy", "--anchor", "entmax", "--weights", "w.npy", "--temperature", "1"],
      status: 0, files: scaled(1e16), check: weightsAreDistributions),
  ]
}

/// Bad data and options for `otkit train`.
enum TrainCases {
  static let mlp = ["--label", "label", "--model", "mlp", "--hidden", "4", "--epochs", "2"]

  /// 12 rows of 70 features: 70 tokens of width 1, past the circuit anchor's 64.
  static let wide70: [UInt8] = {
    let header = (0..<70).map { "f\($0)" }.joined(separator: ",") + ",label"
    let rows = (0..<12).map { r in (0..<70).map { String(Double((r * 7 + $0) % 11) / 10) }.joined(separator: ",") + ",\(r % 2)" }
    return text(([header] + rows).joined(separator: "\n") + "\n")
  }()

  static func replacing(row: Int, column: Int, with value: String, in csv: String = GoodFiles.training) -> [UInt8] {
    var lines = csv.split(separator: "\n").map(String.init)
    var fields = lines[row].split(separator: ",").map(String.init)
    fields[column] = value
    lines[row] = fields.joined(separator: ",")
    return text(lines.joined(separator: "\n") + "\n")
  }

  static func finiteAccuracy(_: String, _ stdout: String) -> String? {
    guard let json = Checks.json(stdout), let accuracy = json["accuracy"] as? Double, accuracy.isFinite else { return "no finite accuracy in \(stdout.suffix(300))" }
    return nil
  }

  static let all: [BadInputCase] = [
    BadInputCase("train", "monge gap on the mlp", ["train", "t.csv", "--label", "label", "--model", "mlp", "--monge-gap", "1"], status: 64, ["--monge-gap"]),
    BadInputCase("train", "negative monge gap", ["train", "t.csv", "--label", "label", "--model", "ot", "--monge-gap=-1"], status: 64, ["--monge-gap"]),
    BadInputCase("train", "attention temperature 0", ["train", "t.csv", "--label", "label", "--model", "transformer", "--temperature", "0"], status: 64, ["--temperature"]),
    BadInputCase("train", "circuit anchor on 70 tokens", ["train", "wide70.csv", "--label", "label", "--model", "transformer", "--token-dim", "1", "--anchor", "circuit", "--epochs", "1"],
      status: 1, ["circuit", "64 tokens"], files: ["wide70.csv": wide70]),
    BadInputCase("train", "one cell of 1e300", ["train", "t.csv", "--json"] + mlp, status: 0, files: ["t.csv": replacing(row: 5, column: 1, with: "1e300")], check: finiteAccuracy),
    BadInputCase("train", "cells of 1.7e308 and -1.7e308", ["train", "t.csv", "--json"] + mlp, status: 0,
      files: ["t.csv": replacing(row: 6, column: 1, with: "-1.7e308", in: String(decoding: replacing(row: 5, column: 1, with: "1.7e308"), as: UTF8.self))],
      check: finiteAccuracy),
    BadInputCase("train", "ot classifier with a cell of 1e300", ["train", "t.csv", "--json", "--label", "label", "--model", "ot", "--hidden", "4", "--epochs", "2"],
      status: 0, files: ["t.csv": replacing(row: 5, column: 0, with: "1e300")], check: finiteAccuracy),
    BadInputCase("train", "no such label column", ["train", "train.csv", "--label", "class"], status: 1, ["train.csv", "no column \"class\""]),
    BadInputCase("train", "label index out of range", ["train", "train.csv", "--label", "7"], status: 1, ["train.csv", "no column 7"]),
    BadInputCase("train", "one class", ["train", "one.csv"] + mlp, status: 1, ["one.csv", "class"], files: ["one.csv": text(BadFiles.labeled(rows: 20, labels: ["x"]))]),
    BadInputCase("train", "--classes 1", ["train", "train.csv", "--classes", "1"] + mlp, status: 64, ["--classes"]),
    BadInputCase("train", "--classes 5 of 2", ["train", "train.csv", "--classes", "5"] + mlp, status: 1, ["--classes 5"]),
    BadInputCase("train", "token size does not divide", ["train", "train.csv", "--label", "label", "--model", "ot", "--token-dim", "3"], status: 1, ["--token-dim 3"]),
    BadInputCase("train", "two rows", ["train", "two.csv"] + mlp, status: 1, ["two.csv"], files: ["two.csv": text("a,b,label\n1,2,x\n3,4,y\n")]),
    BadInputCase("train", "every row invalid, --drop-invalid", ["train", "bad.csv", "--drop-invalid"] + mlp, status: 1, ["bad.csv"],
      files: ["bad.csv": text("a,b,label\nNA,1,x\n2,?,y\n")]),
    BadInputCase("train", "label column only", ["train", "l.csv", "--label", "label", "--epochs", "1"], status: 1, ["l.csv", "feature"],
      files: ["l.csv": text("label\nx\ny\nx\ny\n")]),
    BadInputCase("train", "10^6 feature columns", ["train", "wide.csv", "--label", "0", "--model", "mlp", "--hidden", "2", "--epochs", "1", "--json"], status: 0,
      files: ["wide.csv": Wide.labeled], check: finiteAccuracy),
    BadInputCase("train", "a constant column", ["train", "c.csv", "--json"] + mlp, status: 0,
      files: ["c.csv": text(GoodFiles.training.split(separator: "\n").enumerated().map { $0.offset == 0 ? $0.element + ",k" : $0.element + ",1" }.joined(separator: "\n") + "\n")],
      check: finiteAccuracy),
    BadInputCase("train", "circle dummies on one coordinate", ["train", "train.csv", "--label", "label", "--model", "ot", "--token-dim", "1", "--dummies", "circle", "--epochs", "1"],
      status: 1, ["train.csv", "circle"]),
    BadInputCase("train", "save into a file", ["train", "train.csv", "--save", "train.csv"] + mlp, status: 1, ["train.csv"]),
    BadInputCase("train", "a class without test rows has no recall", ["train", "r.csv", "--json"] + mlp, status: 0,
      files: ["r.csv": text(BadFiles.labeled(rows: 40) + "0.5,0.5,z\n")],
      check: { _, stdout in
        guard let recall = Checks.json(stdout)?["recall"] as? [Any], recall.count == 3 else { return "no recall of 3 classes" }
        return recall[2] is NSNull ? nil : "recall of a class with no test rows is \(recall[2]), not null"
      }),
    BadInputCase("train", "test fraction 1.5", ["train", "train.csv", "--test-fraction", "1.5"] + mlp, status: 64, ["--test-fraction"]),
    BadInputCase("train", "epochs 0", ["train", "train.csv", "--label", "label", "--epochs", "0"], status: 64, ["--epochs"]),
    BadInputCase("train", "hidden 0", ["train", "train.csv", "--label", "label", "--hidden", "0"], status: 64, ["--hidden"]),
    BadInputCase("train", "hidden 10^12", ["train", "train.csv", "--label", "label", "--hidden", "1000000000000"], status: 64, ["--hidden"]),
    BadInputCase("train", "hidden not a list", ["train", "train.csv", "--label", "label", "--hidden", "4,,x"], status: 64, ["--hidden"]),
    BadInputCase("train", "heads 0", ["train", "train.csv", "--label", "label", "--model", "transformer", "--heads", "0"], status: 64, ["--heads"]),
    BadInputCase("train", "blocks 10^9", ["train", "train.csv", "--label", "label", "--model", "transformer", "--blocks", "1000000000"], status: 64, ["--blocks"]),
    BadInputCase("train", "batch size -1", ["train", "train.csv", "--label", "label", "--batch-size", "-1"], status: 64, ["--batch-size"]),
    BadInputCase("train", "learning rate NaN", ["train", "train.csv", "--label", "label", "--learning-rate", "nan"], status: 64, ["--learning-rate"]),
    BadInputCase("train", "learning rate -1", ["train", "train.csv", "--label", "label", "--learning-rate", "-1"], status: 64, ["--learning-rate"]),
    BadInputCase("train", "validation fraction 1", ["train", "train.csv", "--label", "label", "--model", "transformer", "--validation-fraction", "1"], status: 64, ["--validation-fraction"]),
    BadInputCase("train", "patience -1", ["train", "train.csv", "--label", "label", "--patience", "-1"], status: 64, ["--patience"]),
    BadInputCase("train", "unknown model", ["train", "train.csv", "--label", "label", "--model", "bogus"], status: 64, ["--model"]),
    BadInputCase("train", "alpha 0.5", ["train", "train.csv", "--label", "label", "--model", "transformer", "--anchor", "entmax", "--alpha", "0.5"], status: 64, ["--alpha"]),
    BadInputCase("train", "head dropout 2", ["train", "train.csv", "--label", "label", "--model", "transformer", "--head-dropout", "2"], status: 64, ["--head-dropout"]),
    BadInputCase("train", "seed -1", ["train", "train.csv", "--label", "label", "--seed", "-1"], status: 64, ["--seed"]),
    BadInputCase("train", "no label option", ["train", "train.csv"], status: 64, ["--label"]),
  ]
}

/// Corrupt saved models and bad data for `otkit predict`.
enum PredictCases {
  static func edit(_ body: @escaping @Sendable (inout [String: Any]) -> Void) -> @Sendable (inout [String: Any]) -> Void { body }

  static func sub(_ key: String, _ body: @escaping @Sendable (inout [String: Any]) -> Void) -> @Sendable (inout [String: Any]) -> Void {
    { object in
      var inner = object[key] as? [String: Any] ?? [:]
      body(&inner)
      object[key] = inner
    }
  }

  static let all: [BadInputCase] = [
    BadInputCase("predict", "no model directory", ["predict", "nomodel", "train.csv"], status: 1, ["nomodel"]),
    BadInputCase("predict", "config.json not JSON", ["predict", "model", "train.csv"], status: 1, ["config.json"], files: ["model/config.json": text("{not json")], model: "mlp"),
    BadInputCase("predict", "unknown model kind", ["predict", "model", "train.csv"], status: 1, ["model", "bogus"], model: "mlp", edit: edit { $0["model"] = "bogus" }),
    BadInputCase("predict", "unknown format", ["predict", "model", "train.csv"], status: 1, ["config.json", "format"], model: "mlp", edit: edit { $0["format"] = "keras" }),
    BadInputCase("predict", "newer version", ["predict", "model", "train.csv"], status: 1, ["config.json", "version"], model: "mlp", edit: edit { $0["version"] = 99 }),
    BadInputCase("predict", "mlp hidden width 0", ["predict", "model", "train.csv"], status: 1, ["config.json", "hidden"], model: "mlp", edit: sub("mlp") { $0["hidden"] = [0] }),
    BadInputCase("predict", "mlp hidden width -3", ["predict", "model", "train.csv"], status: 1, ["config.json", "hidden"], model: "mlp", edit: sub("mlp") { $0["hidden"] = [-3] }),
    BadInputCase("predict", "mlp hidden width 10^12", ["predict", "model", "train.csv"], status: 1, ["config.json", "hidden"], model: "mlp", edit: sub("mlp") { $0["hidden"] = [1_000_000_000_000] }),
    BadInputCase("predict", "fewer scales than means", ["predict", "model", "train.csv"], status: 1, ["config.json", "standardizer"], model: "mlp",
      edit: sub("standardizer") { $0["scales"] = [1.0] }),
    BadInputCase("predict", "a scale of 0", ["predict", "model", "train.csv"], status: 1, ["config.json", "standardizer"], model: "mlp",
      edit: sub("standardizer") { $0["scales"] = [0.0, 1.0] }),
    BadInputCase("predict", "a negative scale", ["predict", "model", "train.csv"], status: 1, ["config.json", "standardizer"], model: "mlp",
      edit: sub("standardizer") { $0["scales"] = [-1.0, 1.0] }),
    BadInputCase("predict", "one class", ["predict", "model", "train.csv"], status: 1, ["config.json", "classes"], model: "mlp", edit: edit { $0["classLabels"] = ["x"] }),
    BadInputCase("predict", "no feature names", ["predict", "model", "train.csv"], status: 1, ["config.json"], model: "mlp", edit: edit { $0["featureNames"] = [String]() }),
    BadInputCase("predict", "ot hidden width 0", ["predict", "model", "train.csv"], status: 1, ["config.json", "hidden"], model: "ot", edit: sub("ot") { $0["hidden"] = [0] }),
    BadInputCase("predict", "ot dummy mean of the wrong length", ["predict", "model", "train.csv"], status: 1, ["config.json", "dumm"], model: "ot",
      edit: sub("dummies") { $0["means"] = [[0.0], [1.0, 2.0]] }),
    BadInputCase("predict", "ot covariance storage of the wrong length", ["predict", "model", "train.csv"], status: 1, ["config.json"], model: "ot",
      edit: sub("dummies") { $0["covariances"] = [["rows": 2, "columns": 2, "storage": [1.0]], ["rows": 2, "columns": 2, "storage": [1.0, 0, 0, 1]]] }),
    BadInputCase("predict", "ot covariance of -1 rows", ["predict", "model", "train.csv"], status: 1, ["config.json"], model: "ot",
      edit: sub("dummies") { $0["covariances"] = [["rows": -1, "columns": -4, "storage": [1.0, 0, 0, 1]], ["rows": 2, "columns": 2, "storage": [1.0, 0, 0, 1]]] }),
    BadInputCase("predict", "ot tokens 0", ["predict", "model", "train.csv"], status: 1, ["config.json", "token"], model: "ot", edit: edit { $0["tokens"] = 0 }),
    BadInputCase("predict", "ot data row of 1e300", ["predict", "model", "big.csv", "--output", "p.csv"], status: 1, ["big.csv", "data row 1"], files: ["big.csv": text("a,b,label\n1e300,0.5,x\n1,0.5,y\n")],
      model: "ot"),
    BadInputCase("predict", "transformer regime of 3 carriers for 1 block", ["predict", "model", "train.csv"], status: 1, ["config.json", "carrier"], model: "transformer",
      edit: sub("transformer") { $0["regime"] = ["carriers": [["causal": [String: Int]()], ["causal": [String: Int]()], ["causal": [String: Int]()]]] }),
    BadInputCase("predict", "transformer regime power link q 3", ["predict", "model", "train.csv"], status: 1, ["config.json", "link"], model: "transformer",
      edit: sub("transformer") { $0["regime"] = ["link": ["power": ["q": 3]]] }),
    BadInputCase("predict", "transformer regime adaptive width 1e300", ["predict", "model", "train.csv"], status: 1, ["config.json", "adaptiveWidth"], model: "transformer",
      edit: sub("transformer") { $0["regime"] = ["adaptiveWidth": 1e300] }),
    BadInputCase("predict", "transformer regime unary unknown", ["predict", "model", "train.csv"], status: 1, ["config.json"], model: "transformer",
      edit: sub("transformer") { $0["regime"] = ["unary": "both"] }),
    BadInputCase("predict", "transformer heads 0", ["predict", "model", "train.csv"], status: 1, ["config.json", "heads"], model: "transformer", edit: sub("transformer") { $0["heads"] = 0 }),
    BadInputCase("predict", "transformer blocks -1", ["predict", "model", "train.csv"], status: 1, ["config.json", "blocks"], model: "transformer", edit: sub("transformer") { $0["blocks"] = -1 }),
    BadInputCase("predict", "transformer feed-forward 0", ["predict", "model", "train.csv"], status: 1, ["config.json", "feedForward"], model: "transformer",
      edit: sub("transformer") { $0["feedForward"] = 0 }),
    BadInputCase("predict", "transformer key size 0", ["predict", "model", "train.csv"], status: 1, ["config.json", "keySize"], model: "transformer", edit: sub("transformer") { $0["keySize"] = 0 }),
    BadInputCase("predict", "transformer head units 10^9", ["predict", "model", "train.csv"], status: 1, ["config.json", "headUnits"], model: "transformer",
      edit: sub("transformer") { $0["headUnits"] = 1_000_000_000 }),
    BadInputCase("predict", "transformer dropout 2", ["predict", "model", "train.csv"], status: 1, ["config.json", "dropout"], model: "transformer", edit: sub("transformer") { $0["dropout"] = 2.0 }),
    BadInputCase("predict", "transformer heads of the wrong type", ["predict", "model", "train.csv"], status: 1, ["config.json", "\"transformer.heads\" has the wrong type"],
      model: "transformer", edit: sub("transformer") { $0["heads"] = "two" }),
    BadInputCase("predict", "transformer layout unknown", ["predict", "model", "train.csv"], status: 1, ["config.json"], model: "transformer", edit: sub("transformer") { $0["layout"] = "spiral" }),
    BadInputCase(command: "predict", name: "no model.safetensors", arguments: ["predict", "model", "train.csv"], removing: ["model/model.safetensors"], model: "mlp",
      statuses: [1], fragments: ["model.safetensors"]),
    BadInputCase("predict", "garbage model.safetensors", ["predict", "model", "train.csv"], status: 1, ["model.safetensors"], files: ["model/model.safetensors": BadFiles.garbage(count: 500, seed: 9)],
      model: "mlp"),
    BadInputCase("predict", "safetensors of a huge shape", ["predict", "model", "train.csv"], status: 1, ["model.safetensors", "2000000000000000"],
      files: ["model/model.safetensors": SafetensorsBytes.make(["w": (shape: [2_000_000_000_000_000, 1000], begin: 0, end: 8)], data: 8)], model: "mlp"),
    BadInputCase("predict", "safetensors truncated", ["predict", "model", "train.csv"], status: 1, ["model.safetensors", "truncated"],
      files: ["model/model.safetensors": SafetensorsBytes.make(["w": (shape: [4, 4], begin: 0, end: 128)], data: 64)], model: "mlp"),
    BadInputCase("predict", "safetensors tensors overlap", ["predict", "model", "train.csv"], status: 1, ["model.safetensors", "overlaps"],
      files: ["model/model.safetensors": SafetensorsBytes.make(["a": (shape: [2], begin: 0, end: 16), "b": (shape: [2], begin: 8, end: 24)], data: 24)], model: "mlp"),
    BadInputCase("predict", "safetensors of other parameters", ["predict", "model", "train.csv"], status: 1, ["model.safetensors"],
      files: ["model/model.safetensors": SafetensorsBytes.make(["w": (shape: [2], begin: 0, end: 16)], data: 16)], model: "mlp"),
    BadInputCase("predict", "data without a model column", ["predict", "model", "nb.csv"], status: 1, ["nb.csv", "b"], files: ["nb.csv": text("a,label\n1,x\n2,y\n")], model: "mlp"),
    BadInputCase("predict", "headerless data of the wrong width", ["predict", "model", "nh.csv"], status: 1, ["nh.csv"], files: ["nh.csv": text("1,2,3,4\n5,6,7,8\n")], model: "mlp"),
    BadInputCase("predict", "output into a missing directory", ["predict", "model", "train.csv", "--output", "nodir/p.csv"], status: 1, ["nodir/p.csv"], model: "mlp"),
    BadInputCase("predict", "mlp data row of 1e300 is finite", ["predict", "model", "big.csv", "--output", "p.csv", "--json"], status: 0, files: ["big.csv": text("a,b,label\n1e300,0.5,x\n1,0.5,y\n")],
      model: "mlp",
      check: { directory, _ in
        guard let out = try? String(contentsOfFile: directory + "/p.csv", encoding: .utf8) else { return "no predictions" }
        return out.lowercased().contains("nan") ? "NaN probabilities: \(out)" : nil
      }),
    BadInputCase("predict", "no data argument", ["predict", "model"], status: 64, ["data"], model: "mlp"),
  ]
}

/// The bytes of a safetensors file with the given float64 entries (offsets as given, not
/// checked) and `data` bytes of zeros.
enum SafetensorsBytes {
  static func make(_ entries: [String: (shape: [Int], begin: Int, end: Int)], data: Int) -> [UInt8] {
    let header = "{" + entries.keys.sorted().map { name in
      let e = entries[name]!
      return "\"\(name)\":{\"dtype\":\"F64\",\"shape\":[\(e.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(e.begin),\(e.end)]}"
    }.joined(separator: ",") + "}"
    var bytes: [UInt8] = []
    withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes += $0 }
    return bytes + Array(header.utf8) + [UInt8](repeating: 0, count: data)
  }
}

/// Bad options and data for `otkit reproduce`.
enum ReproduceCases {
  static let all: [BadInputCase] = [
    BadInputCase("reproduce", "no y column", ["reproduce", "beed", "--data", "train.csv"], status: 1, ["train.csv", "\"y\""]),
    BadInputCase("reproduce", "one class", ["reproduce", "beed", "--data", "one.csv"], status: 1, ["one.csv", "class"],
      files: ["one.csv": Array(BadFiles.labeled(rows: 20, labelName: "y", labels: ["0"]).utf8)]),
    BadInputCase("reproduce", "repetitions 0", ["reproduce", "--repetitions", "0"], status: 64, ["--repetitions"]),
    BadInputCase("reproduce", "attention: unknown anchor", ["reproduce", "attention", "--set", "anchors=softmax,bogus"], status: 64, ["--anchors"]),
    BadInputCase("reproduce", "attention: unknown dataset", ["reproduce", "attention", "--set", "datasets=mnist"], status: 64, ["--datasets"]),
    BadInputCase("reproduce", "attention: temperature 0", ["reproduce", "attention", "--set", "temperatures=0"], status: 64, ["--temperatures"]),
    BadInputCase("reproduce", "attention: digits file missing", ["reproduce", "attention", "--quick", "--set", "datasets=digits", "--set", "digits=none.csv"],
      status: 1, ["none.csv"]),
    BadInputCase("reproduce", "attention: unknown regime", ["reproduce", "attention", "--set", "regimes=power:2"], status: 64, ["--regimes"]),
    BadInputCase("reproduce", "monge-gap: unknown arm", ["reproduce", "monge-gap", "--set", "arms=none,bogus"], status: 64, ["--arms"]),
    BadInputCase("reproduce", "monge-gap: negative lambda", ["reproduce", "monge-gap", "--set", "maps=mlp:-1"], status: 64, ["--maps"]),
    BadInputCase("reproduce", "monge-gap: dimension 0", ["reproduce", "monge-gap", "--set", "dimensions=0"], status: 64, ["--dimensions"]),
    BadInputCase("reproduce", "monge-gap: batch 1", ["reproduce", "monge-gap", "--set", "batch=1"], status: 64, ["--batch"]),
    BadInputCase("reproduce", "monge-gap: steps 0", ["reproduce", "monge-gap", "--set", "tutorial-steps=0"], status: 64, ["--tutorial-steps"]),
    BadInputCase("reproduce", "monge-gap-classifier: negative weight", ["reproduce", "monge-gap-classifier", "--set", "weights=0,-1"], status: 64, ["--weights"]),
    BadInputCase("reproduce", "monge-gap-classifier: unknown dataset", ["reproduce", "monge-gap-classifier", "--set", "datasets=mnist"], status: 64, ["--datasets"]),
    BadInputCase("reproduce", "monge-gap-classifier: beed file missing", ["reproduce", "monge-gap-classifier", "--quick", "--set", "datasets=beed", "--set", "beed=none.csv"],
      status: 1, ["none.csv"]),
    BadInputCase("reproduce", "distill: unknown arm", ["reproduce", "distill", "--set", "arms=kl,kl+ot"], status: 64, ["--arms"]),
    BadInputCase("reproduce", "distill: teacher scale 0", ["reproduce", "distill", "--set", "teacher-scales=0"], status: 64, ["--teacher-scales"]),
    BadInputCase("reproduce", "distill: batch 1", ["reproduce", "distill", "--set", "batch=1"], status: 64, ["--batch"]),
    BadInputCase("reproduce", "distill: digits file missing", ["reproduce", "distill", "--quick", "--set", "digits=none.csv"], status: 1, ["none.csv"]),
    BadInputCase("reproduce", "moe: unknown router", ["reproduce", "moe", "--set", "arms=softmax,switch"], status: 64, ["--arms"]),
    BadInputCase("reproduce", "moe: SSR fraction above 1", ["reproduce", "moe", "--set", "arms=ssr:2"], status: 64, ["--arms"]),
    BadInputCase("reproduce", "moe: experts 0", ["reproduce", "moe", "--set", "experts=0"], status: 64, ["--experts"]),
    BadInputCase("reproduce", "moe: top-k above experts", ["reproduce", "moe", "--quick", "--set", "experts=2", "--set", "top-k=3"], status: 64, ["--top-k"]),
    BadInputCase("reproduce", "moe: beed file missing", ["reproduce", "moe", "--quick", "--set", "datasets=beed", "--set", "beed=none.csv"], status: 1, ["none.csv"]),
    BadInputCase("reproduce", "flow: unknown arm", ["reproduce", "flow", "--set", "arms=icfm@256,ot@16"], status: 64, ["--arms"]),
    BadInputCase("reproduce", "flow: unknown task", ["reproduce", "flow", "--set", "tasks=mnist"], status: 64, ["--tasks"]),
    BadInputCase("reproduce", "flow: steps 0", ["reproduce", "flow", "--set", "steps=0"], status: 64, ["--steps"]),
    BadInputCase("reproduce", "separations not numbers", ["reproduce", "--separations", "a,b"], status: 64, ["--separations"]),
    BadInputCase("reproduce", "separations empty", ["reproduce", "--separations", ""], status: 64, ["--separations"]),
    BadInputCase("reproduce", "separation negative", ["reproduce", "--separations", "1,-2"], status: 64, ["--separations"]),
    BadInputCase("reproduce", "separation infinite", ["reproduce", "--separations", "inf"], status: 64, ["--separations"]),
    BadInputCase("reproduce", "epochs 0", ["reproduce", "--epochs", "0"], status: 64, ["--epochs"]),
    BadInputCase("reproduce", "unknown experiment", ["reproduce", "mnist"], status: 64, ["experiment"]),
    BadInputCase("reproduce", "unknown norm", ["reproduce", "--norm", "middle"], status: 64, ["--norm"]),
    BadInputCase("reproduce", "sorting: length 1", ["reproduce", "sorting", "--lengths", "1"], status: 64, ["--lengths"]),
    BadInputCase("reproduce", "sorting: length 10^9", ["reproduce", "sorting", "--lengths", "1000000000"], status: 64, ["--lengths"]),
    BadInputCase("reproduce", "sorting: depth 0", ["reproduce", "sorting", "--depths", "0,4"], status: 64, ["--depths"]),
    BadInputCase("reproduce", "sorting: negative lambda", ["reproduce", "sorting", "--lambda", "-0.1"], status: 64, ["--lambda"]),
    BadInputCase("reproduce", "sorting: gamma ratio NaN", ["reproduce", "sorting", "--gamma-ratio", "nan"], status: 64, ["--gamma-ratio"]),
    BadInputCase("reproduce", "sorting: unknown sink value", ["reproduce", "sorting", "--sink-values", "2"], status: 64, ["--sink-values"]),
    BadInputCase("reproduce", "sorting: unknown sink mode", ["reproduce", "sorting", "--sink-modes", "melt"], status: 64, ["--sink-modes"]),
    BadInputCase("reproduce", "sorting: full grid and lengths", ["reproduce", "sorting", "--full-grid", "--lengths", "8"], status: 64, ["--full-grid"]),
    BadInputCase("reproduce", "sorting options for the synthetic experiment", ["reproduce", "--lengths", "8"], status: 64, ["--lengths"]),
    BadInputCase("reproduce", "data for the synthetic experiment", ["reproduce", "synthetic", "--data", "train.csv"], status: 64, ["--data"]),
  ]
}

/// Files of a million columns (a 2 MB line each).
enum Wide {
  static let columns = 1_000_000

  static func row(_ value: Int) -> String {
    String(repeating: "\(value),", count: columns - 1) + "\(value)"
  }

  static let points: [UInt8] = Array((row(0) + "\n" + row(1) + "\n").utf8)
  /// Ten rows, the label in column 0.
  static let labeled: [UInt8] = Array((0..<10).map { i in "\(["x", "y"][i % 2])," + row(i % 2) }.joined(separator: "\n").utf8) + [0x0A]
}

/// Bad dumps and options for `otkit align` (a good dump lives in `pair/`).
enum AlignCases {
  /// A sentence pair: [CLS] s0 s1 t0 t1 [SEP]; one layer, one head; two hidden states.
  static let good: [String: (shape: [Int], values: [Double])] = [
    "attentions": ([1, 1, 6, 6], [Double](repeating: 1.0 / 6, count: 36)),
    "hidden": ([2, 6, 2], (0..<24).map { Double($0 % 5) - 1.5 }),
    "segment": ([6], [-1, 0, 0, 1, 1, -1]),
    "word_ids": ([6], [-1, 0, 1, 0, 1, -1]),
    "gold": ([2, 2], [0, 1, 1, 0]),
  ]

  static func files(replacing name: String? = nil, with bytes: [UInt8] = []) -> [String: [UInt8]] {
    var files: [String: [UInt8]] = [:]
    for (file, array) in good { files["pair/\(file).npy"] = BadFiles.npy(shape: array.shape, values: array.values) }
    if let name { files["pair/\(name).npy"] = bytes }
    return files
  }

  static func replaced(_ name: String, shape: [Int], values: [Double]) -> [String: [UInt8]] {
    files(replacing: name, with: BadFiles.npy(shape: shape, values: values))
  }

  static let all: [BadInputCase] = {
    var cases: [BadInputCase] = [
      BadInputCase("align", "a good dump", ["align", "pair"], status: 0, ["layer 1"], files: files()),
      BadInputCase("align", "no such directory", ["align", "missing"], status: 1, ["missing/attentions.npy", "cannot be read"]),
      BadInputCase("align", "no directory", ["align"], status: 64, ["directories"]),
      BadInputCase("align", "lambda 0", ["align", "pair", "--lambda", "0"], status: 64, ["--lambda"], files: files()),
      BadInputCase("align", "plan state -1", ["align", "pair", "--plan-state", "-1"], status: 64, ["--plan-state"], files: files()),
      BadInputCase("align", "plan state beyond the states", ["align", "pair", "--plan-state", "9"], status: 1, ["hidden.npy", "--plan-state 9"], files: files()),
      BadInputCase("align", "unknown word attention", ["align", "pair", "--word-attention", "max"], status: 64, ["--word-attention"], files: files()),
      BadInputCase(
        "align", "gold word not in the sentence", ["align", "pair"], status: 1, ["pair/gold.npy", "row 1"],
        files: replaced("gold", shape: [2, 2], values: [0, 1, 5, 0])),
      BadInputCase("align", "gold of 3 columns", ["align", "pair"], status: 1, ["pair/gold.npy", "[k, 2]"], files: replaced("gold", shape: [1, 3], values: [0, 1, 0])),
      BadInputCase("align", "segment 2", ["align", "pair"], status: 1, ["pair/segment.npy", "segment 2"], files: replaced("segment", shape: [6], values: [-1, 0, 0, 2, 1, -1])),
      BadInputCase("align", "segment not integral", ["align", "pair"], status: 1, ["pair/segment.npy", "not an integer"], files: replaced("segment", shape: [6], values: [-1, 0, 0.5, 1, 1, -1])),
      BadInputCase("align", "no target tokens", ["align", "pair"], status: 1, ["pair/segment.npy", "0 target"], files: replaced("segment", shape: [6], values: [-1, 0, 0, 0, 0, -1])),
      BadInputCase("align", "word ids of another length", ["align", "pair"], status: 1, ["pair/word_ids.npy", "[6]"], files: replaced("word_ids", shape: [5], values: [-1, 0, 1, 0, 1])),
      BadInputCase(
        "align", "special token with a word id", ["align", "pair"], status: 1, ["pair/word_ids.npy", "token 0"],
        files: replaced("word_ids", shape: [6], values: [3, 0, 1, 0, 1, -1])),
      BadInputCase("align", "attention blocks of the wrong size", ["align", "pair"], status: 1, ["pair/attentions.npy", "6 x 6"], files: replaced("attentions", shape: [1, 1, 5, 5], values: [Double](repeating: 0.2, count: 25))),
      BadInputCase("align", "attentions of 3 dimensions", ["align", "pair"], status: 1, ["pair/attentions.npy", "[layers, heads, rows, columns]"], files: replaced("attentions", shape: [1, 6, 6], values: [Double](repeating: 0.2, count: 36))),
      BadInputCase("align", "hidden states of another length", ["align", "pair"], status: 1, ["pair/hidden.npy", "[states, 6, width]"], files: replaced("hidden", shape: [2, 5, 2], values: [Double](repeating: 0.2, count: 20))),
    ]
    for name in good.keys.sorted() {
      for defect in NPYDefect.all {
        cases.append(
          BadInputCase(
            "align", "\(name): \(defect.name) (NPY)", ["align", "pair"], status: 1, ["pair/\(name).npy", defect.fragment],
            files: files(replacing: name, with: defect.make(good[name]!.shape))))
      }
    }
    return cases
  }()
}

/// Bad options of the trained sorter of `otkit reproduce sorting`.
enum TrainedSorterCases {
  static let all: [BadInputCase] = [
    BadInputCase("reproduce", "sorting: --seeds without --trained", ["reproduce", "sorting", "--seeds", "3"], status: 64, ["--seeds", "--trained"]),
    BadInputCase("reproduce", "sorting: 0 seeds", ["reproduce", "sorting", "--trained", "--seeds", "0"], status: 64, ["--seeds"]),
    BadInputCase("reproduce", "sorting: 0 steps", ["reproduce", "sorting", "--trained", "--steps", "0"], status: 64, ["--steps"]),
    BadInputCase("reproduce", "sorting: unknown prompt", ["reproduce", "sorting", "--trained", "--prompts", "engineered,short"], status: 64, ["--prompts"]),
    BadInputCase("reproduce", "sorting: evaluation length 51", ["reproduce", "sorting", "--trained", "--eval-lengths", "7,51"], status: 64, ["--eval-lengths"]),
    BadInputCase("reproduce", "sorting: batch 0", ["reproduce", "sorting", "--trained", "--train-batch", "0"], status: 64, ["--train-batch"]),
    BadInputCase("reproduce", "sorting: 0 test lists", ["reproduce", "sorting", "--trained", "--test-lists", "0"], status: 64, ["--test-lists"]),
    BadInputCase("reproduce", "sorting: first seed at the top", ["reproduce", "sorting", "--trained", "--first-seed", "18446744073709551615"], status: 64, ["--first-seed"]),
    BadInputCase("reproduce", "sorting: saved runs and steps", ["reproduce", "sorting", "--trained-runs", "a.json", "--steps", "5"], status: 64, ["--trained-runs", "--steps"]),
    BadInputCase("reproduce", "sorting: saved runs missing", ["reproduce", "sorting", "--lengths", "4", "--depths", "1", "--trained-runs", "none.json"], status: 1, ["none.json", "cannot be read"]),
    BadInputCase(
      "reproduce", "sorting: saved runs not JSON", ["reproduce", "sorting", "--lengths", "4", "--depths", "1", "--trained-runs", "train.csv"], status: 1,
      ["train.csv", "no trained-sorter JSON"]),
    BadInputCase("reproduce", "sorting: trained for the synthetic experiment", ["reproduce", "--trained"], status: 64, ["--trained"]),
  ]
}
