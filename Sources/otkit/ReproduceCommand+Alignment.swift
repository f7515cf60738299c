import ArgumentParser
import Foundation
import OTKit

extension ReproduceCommand {
  /// `otkit reproduce alignment`: the synthetic alignment study of seed 001 (spec §7.4).
  func runAlignment(command: String, start: UInt64) throws {
    let noises = [0.25, 0.5, 1.0, 1.5]
    let shifts = [0.0, 1.0, 2.0, 4.0]
    let gridPairs = 100
    var base = SyntheticAlignment.Settings()
    base.seed = seed &+ 1
    var encoder = SyntheticAlignment.EncoderSettings()
    encoder.seed = seed &+ 5
    let bar = ProgressBar(total: noises.count * shifts.count + 2 + encoder.steps)
    var done = 0
    var grid: [[Double]] = []
    for sigma in noises {
      var row: [Double] = []
      for alpha in shifts {
        var s = base
        (s.noise, s.shift) = (sigma, alpha)
        row.append(try SyntheticAlignment.embeddingAccuracy(s, pairs: gridPairs))
        done += 1
        bar.update(done: done, message: "embeddings σ \(sigma), α \(alpha)")
      }
      grid.append(row)
    }
    var anisotropic = base
    (anisotropic.noise, anisotropic.anisotropy) = (1, 12)
    let anisotropicAccuracy = try SyntheticAlignment.embeddingAccuracy(anisotropic, pairs: gridPairs)
    let cosine = anisotropic
    var cosineOptions = LayerAlignment.Options()
    cosineOptions.distance = .cosine
    let cosineAccuracy = try SyntheticAlignment.embeddingAccuracy(cosine, pairs: gridPairs, options: cosineOptions)
    done += 2
    var trained = base
    (trained.shift, trained.anisotropy) = (0.5, 2)
    let base0 = done
    // The attention of every layer against the plan of the input embeddings (spec §7.4).
    var encoderOptions = LayerAlignment.Options()
    encoderOptions.planState = 0
    let result = try SyntheticAlignment.encoder(trained, encoder, options: encoderOptions) { step in
      if step % 10 == 0 { bar.update(done: base0 + step, message: "encoder step \(step)") }
    }
    let constructed = SyntheticAlignment.constructed(trained, pairs: 50)
    bar.finish()
    print("Synthetic alignment (seed 001, spec §7.4): \(base.concepts) concepts in R^\(base.dimension), \(base.words) words per sentence, \(base.functionWords) function words and a split word in the second language, rotation \(base.rotation) rad, swaps \(base.swap).")
    print("\nOT accuracy of the embeddings (share of gold pairs on the exact plan's support, \(gridPairs) pairs; chance 1/\(base.words)) against noise σ and context shift α:")
    let (gh, gr) = AlignmentReport.gridTable(noises: noises, shifts: shifts, accuracy: grid)
    print(TextTable(header: gh, rows: gr).render())
    print(String(format: "With a common direction of length %.0f (σ %.1f, α 0): %.3f with Euclidean costs (a shared direction cancels in differences), %.3f with cosine costs.", anisotropic.anisotropy, anisotropic.noise, anisotropicAccuracy, cosineAccuracy))
    print(String(format: "\nEncoder (%d layers, width %d, %d heads, %d steps) trained to name each token's concept (σ %.1f, α %.1f, anisotropy %.0f): test accuracy %.3f; layer by layer on 100 test pairs (plan: the input embeddings'):",
      encoder.layers, encoder.width, encoder.heads, encoder.steps, trained.noise, trained.shift, trained.anisotropy, result.testAccuracy))
    let (lh, lr) = AlignmentReport.layerTable(result.layers)
    print(TextTable(header: lh, rows: lr).render())
    print("\nThe fixed-weight transformer on the same gold words (λ 0.05 of the largest squared distance, a = 1): share of second-language words whose largest readout weight is on their gold word: "
      + constructed.map { "depth \($0.depth) \(String(format: "%.3f", $0.accuracy))" }.joined(separator: ", "))
    let seconds = try finish(start: start, document: {
      var document = HTMLReport(title: "OTKit: alignment of translated words, synthetic (seed 001)")
      document.heading("Synthetic alignment (seed 001)")
      document.paragraph("A translation task without a pretrained model: concepts c_k ~ N(0, I); language A tokens c_k + σξ, language B tokens Q c_k + σξ' in a perturbed order, with function words, a split word, a context shift α·mean and a common direction. The theory's layout (one token per pair of points) differs from a language model's (one token per word): these mirror the author's measurements (E4-E6), they do not test the theorem.")
      document.code(command)
      document.table(header: gh, rows: gr, caption: "OT accuracy of the embeddings against noise σ (rows) and shift α (columns)")
      document.table(header: lh, rows: lr, caption: "The trained encoder, layer by layer (band: 1.282 standard errors)")
      var loss = SVGChart(title: "Encoder training loss", xLabel: "step", yLabel: "cross-entropy")
      loss.addLine(x: result.losses.indices.map { Double($0 * 10) }, y: result.losses, color: SVGChart.palette[0], label: "loss")
      var counterpart = SVGChart(title: "Fixed-weight transformer on the same words", xLabel: "depth", yLabel: "accuracy")
      counterpart.logX = true
      counterpart.addLine(x: constructed.map { Double($0.depth) }, y: constructed.map(\.accuracy), color: SVGChart.palette[1], label: "readout argmax = gold")
      document.figures([AlignmentReport.chart(result.layers, title: "Encoder, per layer"), loss, counterpart])
      return document
    }())
    if json {
      print(JSONValue.object([
        "experiment": .string("alignment"), "seconds": .number(seconds),
        "embeddings": .object([
          "noises": .array(noises.map { .number($0) }), "shifts": .array(shifts.map { .number($0) }),
          "accuracy": .array(grid.map { .array($0.map { .number($0) }) }),
          "anisotropic": .number(anisotropicAccuracy), "anisotropicCosine": .number(cosineAccuracy),
        ]),
        "encoder": (try? JSONValueEncoder.encode(result)) ?? .null,
        "constructed": .array(constructed.map { .object(["depth": .number(Double($0.depth)), "accuracy": .number($0.accuracy)]) }),
      ]).serialized())
    }
  }
}
